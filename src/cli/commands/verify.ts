import { sealAuditChain } from '../../services/shared/audit.js';
import { verifyChains } from '../../services/closings/verify.js';
import { commandContext } from './shared.js';
import type { Command } from './index.js';

export const verifyCommand: Command = {
  help: '  verify [--seal] [--json] [--database-url URL]   recompute the closing chain and the audit chain; name the first record that does not match (exit 1); --seal first seals audit entries not yet in the chain',
  async run(args, { parseArgs }) {
    const { values } = parseArgs({ args, options: { seal: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, 'database-url': { type: 'string' } }, allowPositionals: false, strict: true });
    const { ctx, db } = await commandContext(values['database-url'] ? { databaseUrl: values['database-url'] } : {});
    try {
      if (values.seal) await sealAuditChain(ctx);
      const report = await verifyChains(ctx);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        const c = report.closings;
        const a = report.audit;
        process.stdout.write(c.firstProblem ? `closings: FAILED at ${c.firstProblem.record}: ${c.firstProblem.problem}\n` : `closings: ${c.checked} signed closings, chain intact\n`);
        process.stdout.write(a.firstProblem ? `audit log: FAILED at ${a.firstProblem.record}: ${a.firstProblem.problem}\n` : `audit log: ${a.checked} sealed entries, chain intact${a.unsealed > 0 ? ` (${a.unsealed} not sealed yet)` : ''}\n`);
      }
      return report.ok ? 0 : 1;
    } finally {
      await db.close();
    }
  },
};
