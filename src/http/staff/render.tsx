/** @jsxImportSource hono/jsx */
/**
 * What every staff route shares: the page context (language, nonce, who is signed in, CSRF token,
 * the flash message), rendering, reading form fields, names for actor labels, and turning a
 * refused action into a message on the page it came from.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { hasScope, type Ctx, type Scope } from '../../context.js';
import { DomainError, LimitExceededError, ValidationError } from '../../errors.js';
import { csvHeaders, LIST_CSV_ROWS } from '../../ui/staff/csv.js';
import { refusalKassenzeichen, refusalSentence } from './refusals.js';
import { printedKassenzeichen } from '../../services/workplace/kassenzeichen.js';
import { actorNames } from '../../services/users/users.js';
import { setFlash, takeFlash, type Flash } from '../../services/users/sessions.js';
import { MessagePage, messages, type StaffPageContext } from '../../ui/staff/frame.js';
import { renderDocument } from '../../ui/layout.js';
import { ctxOf, type AppEnv } from '../env.js';
import type { StaffEnv } from '../session.js';

export type StaffContext = Context<StaffEnv>;

/** Which navigation entries need which scope (the dashboard needs none beyond being signed in). */
const NAV_SCOPES: Array<[string, Scope | null]> = [
  ['dashboard', null],
  ['review', 'review'],
  ['approvals', 'approve'],
  ['statements', 'statements:read'],
  ['items', 'items:read'],
  ['online', 'statements:read'],
  ['import', 'statements:import'],
  ['closings', 'statements:read'],
  ['sepa', 'refunds'],
  ['mandates', 'mandates'],
];

/** The service context of the signed-in person (the staff env carries the same variables as the API's). */
export function staffCtx(c: StaffContext): Ctx {
  return ctxOf(c as unknown as Context<AppEnv>);
}

export function sessionCtx(c: StaffContext) {
  const { db, config, clock } = c.get('deps');
  return { db, config, clock };
}

export function can(c: StaffContext, scope: Scope): boolean {
  const s = c.get('session');
  return Boolean(s && hasScope(s.actor, scope));
}

/** The page context; reads (and clears) the session's flash message unless told not to. */
export async function pageContext(c: StaffContext, opts: { flash?: boolean } = {}): Promise<StaffPageContext> {
  const session = c.get('session');
  const url = new URL(c.req.url);
  const flash = session && opts.flash !== false ? await takeFlash({ ctx: sessionCtx(c), input: { tokenHash: session.tokenHash } }) : null;
  return {
    lang: c.get('lang'),
    nonce: c.get('nonce'),
    path: url.pathname + url.search,
    cityName: c.get('deps').config.creditor.name,
    flash,
    ...(session
      ? {
          user: { displayName: session.user.displayName, role: session.user.role, nav: NAV_SCOPES.filter(([, scope]) => scope === null || hasScope(session.actor, scope)).map(([k]) => k) },
          csrf: session.csrfToken,
        }
      : {}),
  };
}

export async function html(c: StaffContext, page: unknown, status: ContentfulStatusCode = 200): Promise<Response> {
  c.header('Content-Language', c.get('lang'));
  return c.html(await renderDocument(page as never), status);
}

/**
 * A list as a CSV download named in the page's language. `total` is the list's count, taken first:
 * more rows than LIST_CSV_ROWS are refused with the limit named, never cut off silently.
 */
export async function csvDownload(c: StaffContext, input: { name: Record<'de' | 'en', string>; total: number; rows: () => Promise<string> }): Promise<Response> {
  if (input.total > LIST_CSV_ROWS) throw new LimitExceededError('listCsvRows', LIST_CSV_ROWS, input.total);
  return c.body(await input.rows(), 200, csvHeaders(input.name[c.get('lang')]));
}

export async function flash(c: StaffContext, f: Flash): Promise<void> {
  const session = c.get('session');
  if (session) await setFlash({ ctx: sessionCtx(c), input: { tokenHash: session.tokenHash, flash: f } });
}

/** A form's text fields (the CSRF middleware may have parsed the body already; Hono caches it). */
export async function formFields(c: StaffContext): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Display names for the actor labels on a page ("user:…" → "Maria Müller"). */
export async function whoResolver(c: StaffContext, labels: Iterable<string>): Promise<(label: string) => string> {
  return whoOf(c, await actorNames(staffCtx(c), labels));
}

/** Actor labels as the page says them: a person's or client's name (`names`, read by the page's verb), the service's own actors in the page's language. */
export function whoOf(c: StaffContext, names: Map<string, string>): (label: string) => string {
  const de = c.get('lang') === 'de';
  const automatic = de ? 'Stadtkasse (automatisch)' : 'Stadtkasse (automatic)';
  // The service's own actors by what they do, in the page's language.
  const systems: Record<string, string> = de ? { 'online-payment': 'Stadtkasse (Online-Zahlung)', 'sign-in': 'Stadtkasse (Anmeldung)' } : { 'online-payment': 'Stadtkasse (online payment)', 'sign-in': 'Stadtkasse (sign-in)' };
  return (label) => {
    const known = names.get(label);
    if (known) return known;
    if (label === 'system:system') return automatic;
    if (label.startsWith('system:')) return systems[label.slice(7)] ?? `Stadtkasse (${label.slice(7)})`;
    return label;
  };
}

/** A refusal from a service as one line for the page, in its language, each Kassenzeichen as printed (src/http/staff/refusals.ts). */
export async function refusalText(c: StaffContext, err: DomainError): Promise<string> {
  const named = refusalKassenzeichen(err);
  const spell = named.length > 0 ? await printedKassenzeichen({ ctx: staffCtx(c), input: { kassenzeichen: named } }) : undefined;
  return refusalSentence(c.get('lang'), err, spell);
}

/**
 * Runs a form action and redirects (303, so a reload does not post again) with its message; a
 * refusal from the service (validation, conflict, forbidden …) becomes an error message on `back`.
 */
export async function act(c: StaffContext, back: string, fn: () => Promise<{ flash: Flash; to?: string }>): Promise<Response> {
  try {
    const done = await fn();
    await flash(c, done.flash);
    return c.redirect(done.to ?? back, 303);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    c.get('log').info({ code: err.code, path: c.req.path }, 'staff action refused');
    // Not allowed is not a message to dismiss: the answer itself says no.
    if (err.code === 'forbidden') return staffErrorPage(c, err);
    await flash(c, { kind: 'error', text: await refusalText(c, err) });
    return c.redirect(back, 303);
  }
}

export function formError(message: string, field: string): ValidationError {
  return new ValidationError(message, { field });
}

/** Error pages for the staff area (the API answers problem+json; people get a page). */
export async function staffErrorPage(c: StaffContext, err: unknown): Promise<Response> {
  const t = messages(c.get('lang') ?? 'de');
  const base = { lang: c.get('lang') ?? 'de', nonce: c.get('nonce') ?? '', path: c.req.path, cityName: c.get('deps').config.creditor.name };
  const ctx = c.get('session') ? await pageContext(c, { flash: false }) : base;
  if (err instanceof DomainError) {
    if (err.code === 'unauthenticated') return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    if (err.code === 'not_found') return html(c, <MessagePage {...ctx} title={t.notFoundTitle} text={t.notFoundText} />, 404);
    if (err.code === 'forbidden') return html(c, <MessagePage {...ctx} title={t.forbiddenTitle} text={`${t.forbiddenText} ${err.message}`} />, 403);
    return html(c, <MessagePage {...ctx} title={t.errorTitle} text={await refusalText(c, err)} />, err.code === 'conflict' ? 409 : 422);
  }
  c.get('log').error({ err, path: c.req.path, method: c.req.method }, 'unexpected error on a staff page');
  return html(c, <MessagePage {...ctx} title={t.errorTitle} text={t.errorText(c.get('requestId') ?? '')} />, 500);
}

export async function forbiddenPage(c: StaffContext): Promise<Response> {
  const t = messages(c.get('lang'));
  return html(c, <MessagePage {...(await pageContext(c, { flash: false }))} title={t.forbiddenTitle} text={t.forbiddenText} />, 403);
}

export async function csrfRefusedPage(c: StaffContext): Promise<Response> {
  const t = messages(c.get('lang'));
  return html(c, <MessagePage {...(await pageContext(c, { flash: false }))} title={t.csrfTitle} text={t.csrfText} />, 403);
}
