import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capture(logPersonalData: boolean) {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return { log: createLogger({ logLevel: 'info', logPersonalData }, sink), lines };
}

describe('logging', () => {
  it('redacts names, IBANs and secrets by default, at any depth we log', () => {
    const { log, lines } = capture(false);
    log.info({ debtorName: 'Jörg Müller', payer: { iban: 'DE02120300000000202051', name: 'Anna' }, req: { headers: { authorization: 'Bearer sk_abc_def' } }, apiKey: 'sk_x_y' }, 'booked');
    const text = lines.join('');
    for (const secret of ['Jörg', 'DE02120300000000202051', 'Anna', 'sk_abc_def', 'sk_x_y']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(text).toContain('booked');
  });

  it('shows personal data only when asked to, and secrets never', () => {
    const { log, lines } = capture(true);
    log.info({ debtorName: 'Jörg Müller', secret: 'whsec_123' }, 'x');
    const text = lines.join('');
    expect(text).toContain('Jörg Müller');
    expect(text).not.toContain('whsec_123');
  });

  it("redacts what child loggers are bound to and what errors carry, and leaves the caller's objects as they were", () => {
    const { log, lines } = capture(false);
    const payer = { name: 'Anna Berg', iban: 'DE02120300000000202051', amount: '30.70' };
    const err = Object.assign(new Error('refused'), { details: { debtorName: 'Jörg Müller' } });
    log.child({ requestId: 'r-1', token: 'tok_secret' }).error({ err, payers: [payer], deep: { a: { b: { payerName: 'Deep Name' } } } }, 'failed');
    const line = JSON.parse(lines.join('')) as Record<string, any>;
    expect(line.requestId).toBe('r-1');
    expect(line.token).toBe('[redacted]');
    expect(line.err).toMatchObject({ type: 'Error', message: 'refused', details: { debtorName: '[redacted]' } });
    expect(line.payers).toEqual([{ name: '[redacted]', iban: '[redacted]', amount: '30.70' }]);
    expect(line.deep.a.b.payerName).toBe('[redacted]');
    expect(payer).toEqual({ name: 'Anna Berg', iban: 'DE02120300000000202051', amount: '30.70' });
    expect(err.details.debtorName).toBe('Jörg Müller');
  });
});
