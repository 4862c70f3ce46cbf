/** The GiroCode of a payment request as an image, for the API and the public page. */
import { ConflictError } from '../../errors.js';
import { renderEpcQrPng, renderEpcQrSvg } from '../../references/epc.js';
import type { Ctx } from '../../context.js';
import { findPaymentRequestByToken, getPaymentRequest, type PaymentPageLookup, type PaymentRequestView } from './paymentRequests.js';

export type QrFormat = 'svg' | 'png';

export interface QrImage {
  contentType: string;
  body: string | Uint8Array;
}

/** Module size: 6 px keeps a version-13 code (77 modules + quiet zone) at 510 px, sharp on paper and screens. */
export const DEFAULT_QR_SCALE = 6;

export function renderQr(payload: string, format: QrFormat, scale = DEFAULT_QR_SCALE): QrImage {
  return format === 'svg'
    ? { contentType: 'image/svg+xml', body: renderEpcQrSvg(payload, { scale }) }
    : { contentType: 'image/png', body: renderEpcQrPng(payload, { scale }) };
}

/** The code for what to pay now (items collected by direct debit left out); refused when there is nothing. */
export async function paymentRequestQr({ ctx, input }: { ctx: Ctx; input: { id: string; format: QrFormat; scale?: number } }): Promise<QrImage> {
  return qrOf(await getPaymentRequest({ ctx, input: { id: input.id } }), input.format, input.scale);
}

/** The public page's image: the same lookup as the page (unknown and expired tokens give no image). */
export async function paymentPageQr({ ctx, input }: { ctx: Pick<Ctx, 'db' | 'config' | 'clock'>; input: { token: string; format: QrFormat } }): Promise<PaymentPageLookup | QrImage> {
  const found = await findPaymentRequestByToken({ ctx, input: { token: input.token } });
  if (found.state !== 'valid' || !found.request.current) return found.state === 'valid' ? { state: 'unknown' } : found;
  return qrOf(found.request, input.format);
}

function qrOf(request: PaymentRequestView, format: QrFormat, scale?: number): QrImage {
  if (!request.current) {
    const why = request.outstandingMinor > 0n ? 'what is owed is collected by SEPA direct debit' : request.status;
    throw new ConflictError(`payment request ${request.id} has nothing to pay now (${why}); there is no GiroCode`);
  }
  return renderQr(request.current.epcPayload, format, scale);
}
