/**
 * The OpenAPI document through a real linter (Redocly's, its "recommended" rules, run offline): no
 * errors at all, and the only warnings the ones named here with the reason they stay.
 */
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Accepted warnings: operations whose only answers are success (health checks, the token endpoint's
 * own error shape is 4xx already) would need invented 4xx answers; example.com in servers is the
 * test server's own address, never a deployment's.
 */
const ACCEPTED_WARNINGS = new Set(['operation-4xx-response', 'no-server-example.com']);

describe('the OpenAPI document passes a linter', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { XBEZAHLDIENSTE_ORIGINATORS: JSON.stringify([{ originatorId: 'form', clientId: 'form', clientSecret: 'ein-langes-client-secret' }]) } });
  });
  afterAll(async () => server?.close());

  it('no errors, no unexpected warnings', async () => {
    const source = await (await fetch(`${server.url}/openapi.json`)).text();
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source, absoluteRef: `${server.url}/openapi.json`, config });
    const describe = (p: (typeof problems)[number]) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`;
    expect(problems.filter((p) => p.severity === 'error').map(describe)).toEqual([]);
    expect(problems.filter((p) => p.severity === 'warn' && !ACCEPTED_WARNINGS.has(p.ruleId)).map(describe)).toEqual([]);
  });
});
