/** API shapes of open items, and the one mapping from the service's view to JSON. */
import { z } from '@hono/zod-openapi';
import { formatMinor } from '../../money/money.js';
import type { OpenItemView } from '../../services/items/model.js';
import { ITEM_STATUSES } from '../../services/items/status.js';
import { LIMITS } from '../../limits.js';
import { AmountInput, AmountString } from '../openapi.js';

const DateString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-12-31').openapi({ example: '2026-12-31' });

export const DebtorSchema = z
  .object({
    name: z.string().min(1).max(140).openapi({ example: 'Jürgen Müller' }),
    address: z.string().max(300).nullish(),
    email: z.string().max(254).nullish(),
    iban: z.string().max(42).nullish(),
  })
  .openapi('Debtor');

export const CreateItemBody = z
  .object({
    category: z.string().regex(/^[a-z][a-z0-9_]{0,29}$/).openapi({ description: 'fee, fine, library or other (a Kassenzeichen is generated only for categories the scheme has a prefix for)', example: 'fee' }),
    amount: AmountInput,
    currency: z.literal('EUR').default('EUR'),
    dueDate: DateString,
    description: z.string().min(1).max(500).openapi({ example: 'Verwaltungsgebühr Bewohnerparkausweis' }),
    debtor: DebtorSchema,
    externalRef: z.string().min(1).max(100).nullish().openapi({ description: "The calling service's own id for the claim; unique per calling client", example: 'BIB-2026-000123' }),
    bookingData: z.record(z.string(), z.unknown()).nullish().openapi({ description: 'Free booking data for the finance system (Haushaltsstelle, Produkt, Sachkonto …)', example: { haushaltsstelle: '1.1100.1100', sachkonto: '431100' } }),
    kassenzeichen: z
      .string()
      .min(1)
      .max(60)
      .nullish()
      .openapi({
        description:
          'A Kassenzeichen already printed on the notice, taken as issued: 4–35 letters and digits once separators (. - / space) are removed; its spelling and separators are kept for display (kassenzeichenDisplay), the normalized form must be unique. Its check digit is verified only under a scheme configured with verifySupplied. Generated from the default scheme when left out.',
        example: 'GEB-2026-4711',
      }),
  })
  .openapi('CreateOpenItem');

export const ItemSchema = z
  .object({
    id: z.string(),
    kassenzeichen: z.string().openapi({ description: 'Normalized (upper case, no separators): unique, and what the matcher looks for', example: '510000524478' }),
    kassenzeichenDisplay: z.string().openapi({ description: 'As printed: a supplied one exactly as its issuer wrote it ("GEB-2026-4711"), a generated one in the scheme grouping', example: '5100.0052447.8' }),
    rfReference: z.string().nullable().openapi({ example: 'RF18510000524478' }),
    category: z.string(),
    description: z.string(),
    amount: AmountString,
    paid: AmountString,
    outstanding: AmountString,
    currency: z.string(),
    dueDate: z.string(),
    status: z.enum(ITEM_STATUSES),
    debtor: z.object({ name: z.string(), address: z.string().nullable(), email: z.string().nullable(), iban: z.string().nullable() }),
    externalRef: z.string().nullable(),
    bookingData: z.record(z.string(), z.unknown()),
    cancelledAt: z.string().nullable(),
    cancelReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int().openapi({ description: 'Send as expectedVersion to refuse a change if the item changed meanwhile' }),
  })
  .openapi('OpenItem');

export const ListItemsQuery = z.object({
  status: z.string().optional().openapi({ description: `One or several of ${ITEM_STATUSES.join(', ')}, comma-separated` }),
  category: z.string().optional(),
  dueBefore: DateString.optional().openapi({ description: 'Due on or before this day' }),
  dueAfter: DateString.optional().openapi({ description: 'Due on or after this day' }),
  debtorName: z.string().max(140).optional().openapi({ description: 'Part of the name; case, umlauts (ü = ue) and punctuation are ignored' }),
  kassenzeichen: z.string().max(60).optional(),
  externalRef: z.string().max(100).optional(),
  amount: AmountInput.optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50),
  cursor: z.string().max(500).optional().openapi({ description: 'nextCursor of the previous page' }),
});

export const ChangeBody = z.object({
  reason: z.string().min(1).max(500),
  expectedVersion: z.number().int().min(0).optional(),
});

export const AmountChangeBody = ChangeBody.extend({ amount: AmountInput }).openapi('ChangeOpenItemAmount');

export const BulkJsonBody = z.object({ items: z.array(CreateItemBody).min(1).max(LIMITS.bulkItemRows) }).openapi('BulkOpenItems');

export const BulkResultSchema = z
  .object({
    imported: z.number().int(),
    items: z.array(z.object({ row: z.number().int(), id: z.string(), kassenzeichen: z.string(), kassenzeichenDisplay: z.string(), rfReference: z.string().nullable(), externalRef: z.string().nullable() })),
  })
  .openapi('BulkImportResult');

export function itemJson(v: OpenItemView): z.infer<typeof ItemSchema> {
  return {
    id: v.id,
    kassenzeichen: v.kassenzeichen,
    kassenzeichenDisplay: v.kassenzeichenDisplay,
    rfReference: v.rfReference,
    category: v.category,
    description: v.description,
    amount: formatMinor(v.amountMinor, v.currency),
    paid: formatMinor(v.paidMinor, v.currency),
    outstanding: formatMinor(v.outstandingMinor, v.currency),
    currency: v.currency,
    dueDate: v.dueDate,
    status: v.status,
    debtor: v.debtor,
    externalRef: v.externalRef,
    bookingData: v.bookingData,
    cancelledAt: v.cancelledAt?.toISOString() ?? null,
    cancelReason: v.cancelReason,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
    version: v.version,
  };
}
