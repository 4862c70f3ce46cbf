/**
 * The batch reconcile command exactly as ../shared/contracts/reconcile-cli.md describes it: the real
 * executable, real files, one JSON document on stdout, one line on stderr for bad input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioDirs, scoreLikePy, SCENARIO_ROOT, type TruthTx } from '../matching/scenarioData.js';
import { camt } from '../support/camtBuilder.js';

const BIN = new URL('../../bin/stadtkasse', import.meta.url).pathname;

function run(args: string[]) {
  const r = spawnSync(BIN, ['reconcile', ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, LOG_LEVEL: 'warn' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.split('\n').filter((l) => l.trim() !== '') };
}

const dir = mkdtempSync(join(tmpdir(), 'stk-reconcile-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const HEADER = 'kassenzeichen,amount,currency,due_date,debtor_name,debtor_iban,category,description,external_ref';

describe('bin/stadtkasse reconcile', () => {
  const items = file('items.csv', `${HEADER}\n510000524478,35.00,EUR,2026-12-01,Jörg Müller,,fine,Parkverstoß,FIN-1\n520000000012,12.50,EUR,2026-12-01,"Schmidt, Anna",,library,Mahngebühr,LIB-7\n`);

  it('prints exactly one JSON document with one record per transaction', () => {
    const stmt = file(
      'day.xml',
      camt({ entries: [{ amount: '35.00', name: 'Joerg Mueller', remittance: ['Verwarnung KZ 5100.0052447.8'], ref: 'REF-1' }, { amount: '4.90', credit: false, name: 'Bank', ref: 'REF-2' }] }),
    );
    const r = run(['--items', items, '--statement', stmt, '--json']);
    expect(r.status, r.stderr.join('\n')).toBe(0);
    const doc = JSON.parse(r.stdout) as { transactions: Array<Record<string, unknown>> };
    expect(doc.transactions).toHaveLength(2);
    expect(doc.transactions[0]).toMatchObject({ entryRef: 'REF-1', txIndex: 0, amount: '35.00', status: 'auto', allocations: [{ reference: '510000524478', amount: '35.00' }] });
    expect(doc.transactions[0]!.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/5100\.0052447\.8/)]));
    expect(doc.transactions[1]).toMatchObject({ entryRef: 'REF-2', status: 'ignored', allocations: [] });
  });

  it('answers each reference as the CSV gave it, and finds it quoted in another spelling', () => {
    const issued = file('issued.csv', `${HEADER}\nGEB-2026-4711,41.10,EUR,2026-12-01,Greta Gebühr,,fee,Gebühr,GEB-1\nHKR 2026 0815,12.00,EUR,2026-12-01,Otto Ohm,,fee,Gebühr,HKR-1\n`);
    const stmt = file(
      'issued.xml',
      camt({ entries: [{ amount: '41.10', name: 'Greta Gebuehr', remittance: ['GEB 2026 4711'], ref: 'ISS-1' }, { amount: '12.00', name: 'Otto Ohm', remittance: ['HKR20260815'], ref: 'ISS-2' }] }),
    );
    const r = run(['--items', issued, '--statement', stmt, '--json']);
    expect(r.status, r.stderr.join('\n')).toBe(0);
    const doc = JSON.parse(r.stdout) as { transactions: Array<Record<string, unknown>> };
    expect(doc.transactions[0]).toMatchObject({ entryRef: 'ISS-1', status: 'auto', allocations: [{ reference: 'GEB-2026-4711', amount: '41.10' }] });
    expect(doc.transactions[1]).toMatchObject({ entryRef: 'ISS-2', status: 'auto', allocations: [{ reference: 'HKR 2026 0815', amount: '12.00' }] });
  });

  it.each([
    ['malformed XML', () => ['--items', items, '--statement', file('bad.xml', '<Document><BkToCstmrStmt>')], /bad\.xml/],
    ['an unknown message type', () => ['--items', items, '--statement', file('pain.xml', '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>')], /pain\.001/],
    ['a CSV without its header', () => ['--items', file('nohead.csv', '510000524478,35.00,EUR,2026-12-01,X,,fine,,\n'), '--statement', file('ok.xml', camt({ entries: [] }))], /header|column/i],
    ['a bad amount', () => ['--items', file('badamount.csv', `${HEADER}\n510000524478,35.0.0,EUR,2026-12-01,X,,fine,,\n`), '--statement', file('ok2.xml', camt({ entries: [] }))], /amount/],
    ['a missing file', () => ['--items', items, '--statement', join(dir, 'nope.xml')], /nope\.xml/],
    ['a statement given without --statement', () => ['--items', items, join(dir, 'stray.xml')], /Unexpected argument '.*stray\.xml'/],
    ['an unknown option', () => ['--items', items, '--statment', join(dir, 'x.xml')], /Unknown option '--statment'/],
  ])('refuses %s with a non-zero exit and one line on stderr', (_what, args, pattern) => {
    const r = run(args());
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(pattern);
  });
});

const scenarios = scenarioDirs();
describe.skipIf(scenarios.length === 0)(
  scenarios.length === 0 ? `reconcile on the sample scenarios (skipped: ${SCENARIO_ROOT} is not beside the checkout)` : 'reconcile on the sample scenarios',
  () => {
    it.each(scenarios)('%s: no wrong automatic booking, coverage and review quality at target', (scenario) => {
      const r = run(['--items', join(scenario, 'open_items.csv'), '--statement', join(scenario, 'statement.xml'), '--json']);
      expect(r.status, r.stderr.join('\n')).toBe(0);
      const truth = (JSON.parse(readFileSync(join(scenario, 'truth.json'), 'utf8')) as { transactions: Record<string, TruthTx> }).transactions;
      const figures = scoreLikePy(truth, (JSON.parse(r.stdout) as { transactions: never[] }).transactions);
      expect(figures.wrong).toEqual([]);
      expect(figures.auto_precision).toBe(1);
      expect(figures.expected_auto_coverage).toBeGreaterThanOrEqual(0.97);
      expect(figures.review_top1_rate).toBeGreaterThanOrEqual(0.9);
      expect(figures.returns_flagged).toBe(figures.returns);
      expect(figures.debit_booked).toBe(0);
    });
  },
);

describe('bin/stadtkasse clients', () => {
  it('creates a client whose key works against the service database, and lists it without the key', () => {
    const db = `file:${join(dir, 'clients.db')}`;
    const created = spawnSync(BIN, ['clients', 'create', '--name', 'Bußgeldstelle', '--scopes', 'items:read,items:write', '--json'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: db } });
    expect(created.status, created.stderr).toBe(0);
    const { apiKey, scopes } = JSON.parse(created.stdout) as { apiKey: string; scopes: string[] };
    expect(apiKey).toMatch(/^sk_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}$/);
    expect(scopes).toEqual(['items:read', 'items:write']);
    const listed = spawnSync(BIN, ['clients', 'list'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: db } });
    expect(listed.stdout).toContain('Bußgeldstelle');
    expect(listed.stdout).not.toContain(apiKey);
    const bad = spawnSync(BIN, ['clients', 'create', '--name', 'x', '--scopes', 'everything'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: db } });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown scope "everything"/);
  });
});
