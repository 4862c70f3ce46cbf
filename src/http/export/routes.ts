import { createRoute, z } from '@hono/zod-openapi';
import { LIMITS } from '../../limits.js';
import { bookingLinesOfDay, EXPORT_SETTLE_MS, LINE_TYPES, listBookingLines } from '../../services/export/bookings.js';
import { bookingLinesCsv } from '../../services/export/csv.js';
import { ctxOf, requireScope } from '../env.js';
import { AmountString, bearer, router, standardErrors } from '../openapi.js';

const LineSchema = z
  .object({
    type: z.enum(LINE_TYPES),
    id: z.string(),
    bookedAt: z.string(),
    amount: AmountString.openapi({ description: 'Signed: reversals, money leaving suspense and clearing settled, fee or reversed are negative' }),
    currency: z.string(),
    allocationId: z.string().nullable(),
    itemId: z.string().nullable(),
    kassenzeichen: z.string().nullable().openapi({ description: 'Normalized (upper case, no separators): the key to compare' }),
    kassenzeichenDisplay: z.string().nullable().openapi({ description: 'As the issuer printed it ("GEB-2026-4711"); for a number Stadtkasse generated, its scheme grouping' }),
    itemExternalRef: z.string().nullable(),
    bookingData: z.record(z.string(), z.unknown()),
    suspenseReason: z.string().nullable(),
    transactionId: z.string().nullable().openapi({ description: 'The bank receipt; null for lines without a bank entry (online allocations and their reversals, clearing received, fee, reversed)' }),
    statementBankId: z.string().nullable(),
    accountIban: z.string().nullable(),
    entryAccountServicerRef: z.string().nullable(),
    entryRef: z.string().nullable().openapi({ description: 'entryRef#txIndex' }),
    bookingDate: z.string().nullable(),
    valueDate: z.string().nullable(),
    payerName: z.string().nullable(),
    who: z.string(),
    approvedBy: z.string().nullable(),
    reason: z.string(),
    onlinePaymentId: z.string().nullable().openapi({ description: 'For the lines of paying online: the online payment' }),
    provider: z.string().nullable().openapi({ description: 'For the lines of paying online: the payment provider (key as configured)' }),
  })
  .openapi('BookingLine');

const settle = `${EXPORT_SETTLE_MS / 60_000} minutes`;

export function exportRoutes() {
  const app = router();
  const tags = ['Export'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/export/bookings.csv',
      tags,
      summary: "One day's booking lines as CSV for the finance system: allocations, reversals, suspense, online allocations and the providers' clearing account",
      description:
        'The day is the local day in Europe/Berlin. RFC 4180 with CRLF; UTF-8 with a byte order mark so Excel shows umlauts (bom=false leaves it out); ";" as separator for German Excel unless separator=",". Amounts are "30.70", signed. One column per booking data key (booking.haushaltsstelle …). Text starting with = + - @ is prefixed with \' so Excel does not run it. ' +
        `The header X-Export-Complete is false until the day is over and ${settle} have passed.`,
      security: bearer,
      middleware: [requireScope('export')] as const,
      request: {
        query: z.object({
          date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-11-20'),
          separator: z.enum([';', ',', 'semicolon', 'comma']).default(';'),
          bom: z.enum(['true', 'false']).default('true'),
        }),
      },
      responses: { 200: { description: 'the CSV file', content: { 'text/csv': { schema: z.string() } } }, ...standardErrors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { lines, complete } = await bookingLinesOfDay({ ctx: ctxOf(c), input: { date: q.date } });
      const separator = q.separator === ',' || q.separator === 'comma' ? ',' : ';';
      const csv = bookingLinesCsv(lines, { separator, bom: q.bom === 'true' });
      return c.body(csv, 200, {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="stadtkasse-buchungen-${q.date}.csv"`,
        'x-export-complete': String(complete),
        'x-export-lines': String(lines.length),
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/export/bookings',
      tags,
      summary: 'Booking lines as a cursor-paged feed, in the order they were booked',
      description:
        `Ordered by bookedAt, then id. Pass nextCursor back as cursor to read on; it is returned even for an empty page, to poll with later. Lines appear ${settle} after they are booked, so one whose transaction commits late is never skipped: no gaps and no repeats across pages. from/to take a date (a whole local day) or an instant.`,
      security: bearer,
      middleware: [requireScope('export')] as const,
      request: {
        query: z.object({
          from: z.string().max(40).optional(),
          to: z.string().max(40).optional(),
          cursor: z.string().max(500).optional(),
          limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(100),
        }),
      },
      responses: {
        200: {
          description: 'a page of lines',
          content: { 'application/json': { schema: z.object({ lines: z.array(LineSchema), nextCursor: z.string().openapi({ description: 'always present, on an empty first page too: pass it as cursor to read on or poll later' }), hasMore: z.boolean(), settledUntil: z.string() }) } },
        },
        ...standardErrors,
      },
    }),
    async (c) => c.json(await listBookingLines({ ctx: ctxOf(c), input: c.req.valid('query') }), 200),
  );

  return app;
}
