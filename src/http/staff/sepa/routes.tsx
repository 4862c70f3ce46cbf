/** @jsxImportSource hono/jsx */
/**
 * The workplace pages of the city's own SEPA files: /sepa (refund runs and collection runs, with
 * gather, release, cancel and the files); the mandates are in ../mandates. The same verbs and checks as the API: a
 * person releases no run they gathered (the verb refuses it; the page offers no button).
 */
import type { Hono } from 'hono';
import { actorLabel } from '../../../context.js';
import { gatherCollectionRuns, releaseCollectionRun, cancelCollectionRun, collectionRunFile } from '../../../services/collections/runs.js';
import { cancelRefundRun, gatherRefundRun, refundRunFile, releaseRefundRun } from '../../../services/refunds/runs.js';
import { sepaPage } from '../../../services/workplace/sepa.js';
import { runFileResponse } from '../../sepaRuns/file.js';
import { SepaRunsPage } from '../../../ui/staff/sepa.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { act, can, csrfRefusedPage, forbiddenPage, formFields, html, pageContext, staffCtx, type StaffContext } from '../render.js';

const staff = (scope?: Parameters<typeof requireStaff>[0]) => requireStaff(scope, forbiddenPage);
const post = (scope: Parameters<typeof requireStaff>[0]) => [requireStaff(scope, forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

const de = (c: StaffContext) => c.get('lang') === 'de';

const file = runFileResponse;

export function mountSepaPages(app: Hono<StaffEnv>): void {
  app.get('/sepa', staff(), async (c) => {
    const ctx = staffCtx(c);
    const page = await sepaPage({ ctx });
    return html(c, <SepaRunsPage {...(await pageContext(c))} {...page} me={actorLabel(ctx.actor)} canApprove={can(c, 'approve')} />);
  });

  app.post('/sepa/refund-runs', ...post('refunds'), async (c) =>
    act(c, '/sepa', async () => {
      const done = await gatherRefundRun({ ctx: staffCtx(c), input: {} });
      const skipped = done.skipped.length > 0 ? (de(c) ? ` ${done.skipped.length} nicht aufgenommen: ${done.skipped.map((s) => s.reason).join('; ')}` : ` ${done.skipped.length} left out: ${done.skipped.map((s) => s.reason).join('; ')}`) : '';
      return { flash: { kind: done.skipped.length > 0 ? 'warn' : 'ok', text: (de(c) ? `Rückzahlungslauf ${done.run.number} mit ${done.run.count} Zahlungen zusammengestellt.` : `Refund run ${done.run.number} gathered with ${done.run.count} payments.`) + skipped } };
    }),
  );
  app.post('/sepa/refund-runs/:id/release', ...post('approve'), async (c) =>
    act(c, '/sepa', async () => {
      const done = await releaseRefundRun({ ctx: staffCtx(c), input: { runId: c.req.param('id') } });
      return { flash: { kind: 'ok', text: de(c) ? `Rückzahlungslauf ${done.run.number} freigegeben; die Datei ${done.run.file?.name} liegt bereit.` : `Refund run ${done.run.number} released; file ${done.run.file?.name} is ready.` } };
    }),
  );
  app.post('/sepa/refund-runs/:id/cancel', ...post('refunds'), async (c) => {
    const form = await formFields(c);
    return act(c, '/sepa', async () => {
      const run = await cancelRefundRun({ ctx: staffCtx(c), input: { runId: c.req.param('id'), note: form.note ?? '' } });
      return { flash: { kind: 'ok', text: de(c) ? `Rückzahlungslauf ${run.number} verworfen.` : `Refund run ${run.number} cancelled.` } };
    });
  });
  app.get('/sepa/refund-runs/:id/file', staff('refunds'), async (c) => file(c, await refundRunFile({ ctx: staffCtx(c), input: { runId: c.req.param('id') } })));

  app.post('/sepa/collection-runs', ...post('mandates'), async (c) => {
    const form = await formFields(c);
    return act(c, '/sepa', async () => {
      const done = await gatherCollectionRuns({ ctx: staffCtx(c), input: { collectionDate: form.collectionDate ?? '' } });
      const runs = done.runs.map((r) => `${r.number} (${r.sequence}, ${r.count})`).join(', ');
      return { flash: { kind: done.skipped.length > 0 ? 'warn' : 'ok', text: (de(c) ? `Einzugsläufe ${runs} zusammengestellt.` : `Collection runs ${runs} gathered.`) + (done.skipped.length > 0 ? ` ${done.skipped.length}: ${done.skipped.map((s) => s.reason).join('; ')}` : '') } };
    });
  });
  app.post('/sepa/collection-runs/:id/release', ...post('approve'), async (c) =>
    act(c, '/sepa', async () => {
      const done = await releaseCollectionRun({ ctx: staffCtx(c), input: { runId: c.req.param('id') } });
      return { flash: { kind: 'ok', text: de(c) ? `Einzugslauf ${done.run.number} freigegeben: Einzug veranlasst für ${done.run.count} Posten.` : `Collection run ${done.run.number} released: collection initiated for ${done.run.count} items.` } };
    }),
  );
  app.post('/sepa/collection-runs/:id/cancel', ...post('mandates'), async (c) => {
    const form = await formFields(c);
    return act(c, '/sepa', async () => {
      const run = await cancelCollectionRun({ ctx: staffCtx(c), input: { runId: c.req.param('id'), note: form.note ?? '' } });
      return { flash: { kind: 'ok', text: de(c) ? `Einzugslauf ${run.number} verworfen.` : `Collection run ${run.number} cancelled.` } };
    });
  });
  app.get('/sepa/collection-runs/:id/file', staff('mandates'), async (c) => file(c, await collectionRunFile({ ctx: staffCtx(c), input: { runId: c.req.param('id') } })));
}
