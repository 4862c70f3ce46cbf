import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('has working defaults: port 8787 and an SQLite file under ./data', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8787);
    expect(c.databaseUrl).toBe('file:./data/stadtkasse.db');
    expect(c.logPersonalData).toBe(false);
    expect(c.fourEyesThresholdMinor).toBe(100000n);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT', 'whole number'],
    [{ PORT: '70000' }, 'PORT', 'between 0 and 65535'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', 'file:PATH'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', 'one of'],
    [{ CREDITOR_IBAN: 'DE00123' }, 'CREDITOR_IBAN', 'not a valid IBAN'],
    [{ FOUR_EYES_THRESHOLD: '1.000,00' }, 'FOUR_EYES_THRESHOLD', 'amount like'],
    [{ STADTKASSE_ADMIN_KEY: 'secret' }, 'STADTKASSE_ADMIN_KEY', 'must look like'],
    [{ MATCH_CONFIG: '{nope' }, 'MATCH_CONFIG', 'not valid JSON'],
    [{ LOG_PERSONAL_DATA: 'maybe' }, 'LOG_PERSONAL_DATA', 'true or false'],
    [{ SEPA_CREDIT_TRANSFER_FORMAT: 'pain.001.001.02' }, 'SEPA_CREDIT_TRANSFER_FORMAT', 'pain.001.001.09, pain.001.001.03'],
    [{ SEPA_BATCH_BOOKING: 'ja' }, 'SEPA_BATCH_BOOKING', 'true or false'],
    [{ SEPA_CREDITOR_ID: 'DE97ZZZ09999999999' }, 'SEPA_CREDITOR_ID', 'check digits'],
    [{ SEPA_PRE_NOTIFICATION_DAYS: '0' }, 'SEPA_PRE_NOTIFICATION_DAYS', 'between 1 and 60'],
  ])('refuses %o naming %s', (env, variable, problem) => {
    let err: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as Error).message).toContain(variable);
    expect((err as Error).message).toContain(problem);
  });

  it('stops the service at start with one line naming the variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/entry/node.ts'], {
      env: { ...process.env, PORT: 'abc', DATABASE_URL: 'file:/nonexistent/never-created.db' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(78);
    const lines = r.stderr.trim().split('\n').filter((l) => !/ExperimentalWarning|--trace-warnings/.test(l));
    expect(lines).toEqual(['stadtkasse: configuration: PORT must be a whole number (got "abc")']);
  });
});
