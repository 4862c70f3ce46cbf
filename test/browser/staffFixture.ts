/**
 * A real Stadtkasse with staff accounts, for the workplace tests (HTTP without a browser, and the
 * browser tests): a movable clock, a four-eyes threshold of 500.00, users of each role, an API key
 * to raise items and import statements, and a tiny cookie-keeping HTTP client that behaves like a
 * browser without script (form posts, no automatic redirects).
 */
import { SYSTEM_ACTOR } from '../../src/context.js';
import { createUser } from '../../src/services/users/users.js';
import type { BackendName } from '../support/backends.js';
import { camt, type StatementSpec } from '../support/camtBuilder.js';
import { createClientKey, startTestServer, type TestServer } from '../support/server.js';
import { movableClock, type MovableClock } from '../http/review.fixture.js';

export const PASSWORD = 'Kassenbuch-2026!';

export interface StaffFixture {
  server: TestServer;
  clock: MovableClock;
  itemsKey: string;
  user(username: string, role: string, displayName?: string): Promise<{ id: string; username: string }>;
  item(amount: string, debtor: string, extra?: Record<string, unknown>): Promise<Record<string, any>>;
  importStatement(spec: StatementSpec): Promise<Record<string, any>>;
  receipts(bankStatementId: string): Promise<Array<{ id: string; matchState: string; version: number }>>;
  close(): Promise<void>;
}

let seq = 500;

export async function startStaffFixture(backend: BackendName = 'sqlite', env: Record<string, string> = {}): Promise<StaffFixture> {
  const clock = movableClock();
  const server = await startTestServer(backend, { clock, env: { FOUR_EYES_THRESHOLD: '500.00', ...env } });
  const itemsKey = await createClientKey(server, ['items:write', 'items:read'], 'Bürgerbüro');
  let ref = 0;
  return {
    server,
    clock,
    itemsKey,
    async user(username, role, displayName) {
      const ctx = { db: server.db, config: server.config, clock, log: server.logger, actor: SYSTEM_ACTOR };
      return createUser({ ctx, input: { username, role, password: PASSWORD, ...(displayName ? { displayName } : {}) } });
    },
    async item(amount, debtor, extra = {}) {
      const res = await server.api('/v1/items', {
        method: 'POST',
        key: itemsKey,
        json: { category: 'fee', amount, dueDate: '2026-11-30', description: 'Verwaltungsgebühr', debtor: { name: debtor }, externalRef: `W-${++ref}-${Date.now()}`, ...extra },
      });
      const body = (await res.json()) as Record<string, any>;
      if (res.status !== 201) throw new Error(`creating item failed: ${res.status} ${JSON.stringify(body)}`);
      return body;
    },
    async importStatement(spec) {
      const xml = camt({ seq: ++seq, ...spec });
      const res = await server.api(`/v1/statements?fileName=${spec.id ?? 'x'}.xml`, { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
      const body = (await res.json()) as Record<string, any>;
      if (res.status !== 201) throw new Error(`import failed: ${res.status} ${JSON.stringify(body)}`);
      return body;
    },
    async receipts(bankStatementId) {
      return server.db.prisma.bankTransaction.findMany({
        where: { entry: { statement: { bankStatementId } } },
        orderBy: [{ entry: { position: 'asc' } }, { position: 'asc' }],
        select: { id: true, matchState: true, version: true },
      });
    },
    close: () => server.close(),
  };
}

export interface PageResponse {
  status: number;
  location: string | null;
  headers: Headers;
  setCookies: string[];
  text: string;
}

/** A browser without script: keeps cookies, sends forms, does not follow redirects. */
export class FormClient {
  readonly cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string>; body?: BodyInit } = {}): Promise<PageResponse> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.cookieHeader());
    let body = init.body;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const method = init.method ?? (init.form ? 'POST' : 'GET');
    const send = () => fetch(this.base + path, { method, headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) });
    // A kept-alive connection the server closed while idle (a slow step between two requests) is
    // reset on reuse; a GET is safe to send again.
    const res = await send().catch((err: unknown) => {
      if (method !== 'GET') throw err;
      return send();
    });
    const setCookies = res.headers.getSetCookie();
    for (const c of setCookies) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, setCookies, text: await res.text() };
  }

  get(path: string) {
    return this.request(path);
  }

  /** The CSRF token of the page at `path` (the first hidden _csrf field on it). */
  async csrf(path = '/'): Promise<string> {
    const page = await this.get(path);
    const m = /name="_csrf" value="([^"]*)"/.exec(page.text);
    if (!m) throw new Error(`no CSRF field on ${path} (status ${page.status})`);
    return m[1]!;
  }

  async login(username: string, password = PASSWORD, next = '/'): Promise<PageResponse> {
    const token = await this.csrf(`/login?next=${encodeURIComponent(next)}`);
    return this.request(`/login?next=${encodeURIComponent(next)}`, { form: { _csrf: token, username, password } });
  }
}
