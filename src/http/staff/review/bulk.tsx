/** @jsxImportSource hono/jsx */
/**
 * Bulk decisions on the review list: a preview of confirming every suggestion at or above a chosen
 * confidence on the current filter, the confirmation of what the preview showed, and parking the
 * ticked payments. The verbs (src/services/review/bulk.ts) run the single-payment verbs for each,
 * so four eyes, re-assessment and overpayment rules hold per payment.
 */
import type { Hono } from 'hono';
import { DomainError, ValidationError } from '../../../errors.js';
import { formatMinor } from '../../../money/money.js';
import { bulkConfirm, bulkPark, previewBulkConfirm } from '../../../services/review/bulk.js';
import { BulkPreviewPage, bulkTexts } from '../../../ui/staff/review/bulk.js';
import { money } from '../../../ui/staff/i18n.js';
import { csrfProtect, requireStaff, type StaffEnv } from '../../session.js';
import { reviewFilterOf, reviewQueryOf } from '../query.js';
import { act, forbiddenPage, formFields, html, pageContext, refusalText, staffCtx, type StaffContext, csrfRefusedPage } from '../render.js';

/** At most this many refusals are named one by one in the message; the audit entry has them all. */
const NAMED_REFUSALS = 10;

/** "90" or "90 %" → 9000 basis points; anything else is refused by the verb with the field named. */
function minOf(text: string | undefined): number {
  const m = /^\s*(\d{1,3})\s*%?\s*$/.exec(text ?? '');
  return m ? Number.parseInt(m[1]!, 10) * 100 : Number.NaN;
}

/** "id:version,id:version" as the list or the preview sent it. */
function seenOf(values: string[]): Array<{ transactionId: string; version: number }> {
  return values
    .flatMap((v) => v.split(','))
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const m = /^([A-Za-z0-9_-]{1,64}):(\d{1,9})$/.exec(p);
      if (!m) throw new ValidationError('payments: not a list the page sent', { field: 'payments' });
      return { transactionId: m[1]!, version: Number.parseInt(m[2]!, 10) };
    });
}

async function refusalLines(c: StaffContext, refused: Array<{ ref: string; error: DomainError | { skip: keyof ReturnType<typeof bulkTexts>['skips'] } }>): Promise<string> {
  const b = bulkTexts(c.get('lang'));
  const named: string[] = [];
  for (const r of refused.slice(0, NAMED_REFUSALS)) named.push(b.refusedLine(r.ref, r.error instanceof DomainError ? await refusalText(c, r.error) : b.skips[r.error.skip]));
  return named.length ? ` ${named.join(' ')}${refused.length > NAMED_REFUSALS ? ' …' : ''}` : '';
}

export function mountBulkRoutes(app: Hono<StaffEnv>): void {
  const staff = requireStaff('review', forbiddenPage);
  const post = [requireStaff('review', forbiddenPage), csrfProtect(csrfRefusedPage)] as const;

  app.get('/review/bulk', staff, async (c) => {
    const q = c.req.query();
    const preview = await previewBulkConfirm({ ctx: staffCtx(c), input: { filter: reviewFilterOf(q), minConfidenceBp: minOf(q.min) } });
    const threshold = money(c.get('lang'), formatMinor(c.get('deps').config.fourEyesThresholdMinor, 'EUR'));
    return html(c, <BulkPreviewPage {...(await pageContext(c))} preview={preview} query={reviewQueryOf(q)} threshold={threshold} />);
  });

  app.post('/review/bulk/confirm', ...post, async (c) => {
    const form = await formFields(c);
    const query = reviewQueryOf(c.req.query());
    const back = `/review${query ? `?${query}` : ''}`;
    return act(c, back, async () => {
      const done = await bulkConfirm({ ctx: staffCtx(c), input: { seen: seenOf([form.seen ?? '']), minConfidenceBp: minOf(form.min) } });
      const b = bulkTexts(c.get('lang'));
      const text = b.resultConfirmed(done.booked.length, done.approvals.length, done.refused.length) + (await refusalLines(c, done.refused));
      return { flash: { kind: done.refused.length > 0 || done.approvals.length > 0 ? 'warn' : 'ok', text } };
    });
  });

  app.post('/review/bulk/park', ...post, async (c) => {
    const body = await c.req.parseBody({ all: true });
    const picks = ([] as unknown[]).concat(body.pick ?? []).filter((v): v is string => typeof v === 'string');
    const note = typeof body.note === 'string' ? body.note : '';
    const query = reviewQueryOf(c.req.query());
    const back = `/review${query ? `?${query}` : ''}`;
    return act(c, back, async () => {
      const b = bulkTexts(c.get('lang'));
      if (picks.length === 0) throw new ValidationError(b.noneChosen, { field: 'pick' });
      const done = await bulkPark({ ctx: staffCtx(c), input: { seen: seenOf(picks), note } });
      return { flash: { kind: done.refused.length > 0 ? 'warn' : 'ok', text: b.resultParked(done.parked.length, done.refused.length) + (await refusalLines(c, done.refused)) } };
    });
  });
}
