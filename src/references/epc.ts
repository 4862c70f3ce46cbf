import { zlibSync } from 'fflate';
import qrcodeCore from 'qrcode/lib/core/qrcode.js';
import { ValidationError } from '../errors.js';
import { formatMinor, type Money } from '../money/money.js';
import { isValidBic, isValidIban, normalizeBic, normalizeIban } from './iban.js';
import { parseRf } from './rf.js';
import { normalizeReference } from './kassenzeichen.js';

/**
 * EPC QR code ("GiroCode") for SEPA credit transfers, per EPC069-12 "Quick Response Code:
 * Guidelines to Enable Data Capture for the Initiation of a SEPA Credit Transfer" (version 3.x).
 *
 * The payload is twelve lines; we always write version 002 (BIC optional inside the EEA),
 * character set 1 (UTF-8) and identification SCT, and separate lines with LF.
 */
export const EPC_LIMITS = Object.freeze({
  /** §3.2: the whole payload; 331 bytes is the byte-mode capacity of QR version 13 at level M. */
  payloadBytes: 331,
  /** The symbol version the guidelines cap the code at, so phone cameras can read it from paper. */
  maxQrVersion: 13,
  nameChars: 70,
  /** Structured creditor reference (field 10). */
  referenceChars: 35,
  /** Unstructured remittance information (field 11). */
  remittanceChars: 140,
  /** Beneficiary to originator information (field 12). */
  informationChars: 70,
  /** Amount field 8: EUR 0.01 to 999 999 999.99. */
  minAmountMinor: 1n,
  maxAmountMinor: 99_999_999_999n,
  /** Largest PNG module size; 77 modules × 32 px is already 2464 px square. */
  maxPngScale: 32,
});

export interface EpcPaymentInput {
  /** Optional in version 002 for payees in the EEA; 8 or 11 characters when given. */
  bic?: string;
  /** Payee (beneficiary) name, at most 70 characters. */
  name: string;
  iban: string;
  /** EUR only: SEPA credit transfers are in euro. */
  amount: Money;
  /** ISO 20022 ExternalPurpose1Code, four capital letters (e.g. GOVT). */
  purpose?: string;
  /** ISO 11649 RF creditor reference (structured remittance). Exclusive with `remittance`. */
  reference?: string;
  /** Free-text remittance information, at most 140 characters. Exclusive with `reference`. */
  remittance?: string;
  /** Beneficiary-to-originator information (a hint shown to the payer), at most 70 characters. */
  information?: string;
}

/**
 * Builds the EPC QR payload text. Throws ValidationError naming the field for every limit of
 * EPC069-12 we enforce: name, IBAN, BIC, amount range, purpose code, exactly zero or one of
 * structured reference and remittance, field lengths and the 331-byte total.
 */
export function buildEpcPayload(input: EpcPaymentInput): string {
  const name = text('name', input.name, EPC_LIMITS.nameChars);
  if (name.trim() === '') throw invalid('name', 'is required (the payee name)');

  const iban = normalizeIban(input.iban);
  if (!isValidIban(iban)) throw invalid('iban', `${JSON.stringify(input.iban)} is not a valid IBAN`);

  let bic = '';
  if (input.bic !== undefined && input.bic.trim() !== '') {
    bic = normalizeBic(input.bic);
    if (!isValidBic(bic)) throw invalid('bic', `${JSON.stringify(input.bic)} is not a BIC of 8 or 11 characters`);
  }

  const amount = epcAmount(input.amount);

  let purpose = '';
  if (input.purpose !== undefined && input.purpose !== '') {
    if (!/^[A-Z]{4}$/.test(input.purpose)) {
      throw invalid('purpose', `${JSON.stringify(input.purpose)} is not a purpose code of four capital letters (e.g. GOVT)`);
    }
    purpose = input.purpose;
  }

  const hasReference = input.reference !== undefined && input.reference !== '';
  const hasRemittance = input.remittance !== undefined && input.remittance !== '';
  if (hasReference && hasRemittance) {
    // Field 10 and field 11 are alternatives: a bank would have to drop one of them.
    throw invalid('remittance', 'give either a structured reference or unstructured remittance, not both');
  }
  let reference = '';
  if (hasReference) {
    reference = normalizeReference(text('reference', input.reference!, EPC_LIMITS.referenceChars));
    if (parseRf(reference) === null) {
      throw invalid('reference', `${JSON.stringify(input.reference)} is not a valid ISO 11649 RF creditor reference`);
    }
  }
  const remittance = hasRemittance ? text('remittance', input.remittance!, EPC_LIMITS.remittanceChars) : '';
  const information =
    input.information !== undefined ? text('information', input.information, EPC_LIMITS.informationChars) : '';

  const lines = ['BCD', '002', '1', 'SCT', bic, name, iban, amount, purpose, reference, remittance, information];
  // §3.2: the last populated field is not followed by a separator; empty trailing fields are left out.
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const payload = lines.join('\n');

  const bytes = new TextEncoder().encode(payload).length;
  if (bytes > EPC_LIMITS.payloadBytes) {
    throw invalid('payload', `is ${bytes} bytes in UTF-8, at most ${EPC_LIMITS.payloadBytes} fit an EPC QR code; shorten remittance, name or information`);
  }
  return payload;
}

/** "EUR12.50": two decimals, dot, no grouping (field 8). */
function epcAmount(amount: Money): string {
  if (amount.currency !== 'EUR') {
    throw invalid('amount', `must be in EUR for a SEPA credit transfer, got ${amount.currency}`);
  }
  if (amount.minor < EPC_LIMITS.minAmountMinor || amount.minor > EPC_LIMITS.maxAmountMinor) {
    throw invalid('amount', `EUR ${formatMinor(amount.minor, 'EUR')} is outside 0.01–999999999.99`);
  }
  return 'EUR' + formatMinor(amount.minor, 'EUR');
}

/**
 * Checks a free-text field: length in characters (code points, as the guidelines count them) and
 * no control characters — a line feed in a name would shift every later field, turning the
 * remittance text into the IBAN line of another reader.
 */
function text(field: string, value: string, maxChars: number): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u.test(value)) {
    throw invalid(field, 'must not contain line breaks or other control characters');
  }
  if (/[\uD800-\uDFFF]/u.test(value)) {
    throw invalid(field, 'contains a broken character (lone UTF-16 surrogate)');
  }
  const chars = [...value].length;
  if (chars > maxChars) throw invalid(field, `has ${chars} characters, at most ${maxChars} allowed`);
  return value;
}

function invalid(field: string, why: string): ValidationError {
  return new ValidationError(`${field}: ${why}`, { field });
}

/**
 * QR matrix for an EPC payload: UTF-8 bytes as one byte-mode segment (character set 1 says UTF-8,
 * and some banking apps mis-read mixed numeric/alphanumeric segments), error correction M as the
 * guidelines require, at most version 13.
 */
function epcMatrix(payload: string): { size: number; dark: (row: number, col: number) => boolean } {
  const bytes = new TextEncoder().encode(payload);
  if (bytes.length === 0) throw invalid('payload', 'is empty');
  if (bytes.length > EPC_LIMITS.payloadBytes) {
    throw invalid('payload', `is ${bytes.length} bytes, at most ${EPC_LIMITS.payloadBytes} fit an EPC QR code`);
  }
  const qr = qrcodeCore.create([{ mode: 'byte', data: bytes }], { errorCorrectionLevel: 'M' });
  if (qr.version > EPC_LIMITS.maxQrVersion) {
    // Cannot happen for ≤ 331 bytes at level M; asserted so a library change cannot slip past.
    throw new Error(`EPC QR code came out as version ${qr.version}, above ${EPC_LIMITS.maxQrVersion}`);
  }
  const size = qr.modules.size;
  const data = qr.modules.data;
  return { size, dark: (row, col) => data[row * size + col] === 1 };
}

/** Four light modules around the symbol (ISO/IEC 18004 §6.3.8); scanners need them on paper. */
const QUIET_ZONE = 4;

export interface EpcSvgOptions {
  /** Pixels per module for the width/height attributes; the viewBox is in modules. Default 4. */
  scale?: number;
}

/**
 * SVG built from the matrix (one path, one run per dark stretch of a row) so it needs no DOM and
 * no Node API, and prints crisply at any size.
 */
export function renderEpcQrSvg(payload: string, options: EpcSvgOptions = {}): string {
  const scale = checkScale(options.scale ?? 4);
  const { size, dark } = epcMatrix(payload);
  const total = size + 2 * QUIET_ZONE;
  let path = '';
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!dark(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && dark(row, col)) col++;
      path += `M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${col - start}v1h-${col - start}z`;
    }
  }
  const px = total * scale;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}" viewBox="0 0 ${total} ${total}" shape-rendering="crispEdges">` +
    `<rect width="${total}" height="${total}" fill="#fff"/>` +
    `<path fill="#000" d="${path}"/></svg>`
  );
}

export interface EpcPngOptions {
  /** Pixels per module, 1–32. Default 4. */
  scale?: number;
}

/**
 * PNG (1-bit greyscale) of the EPC QR code.
 *
 * Encoder choice: fflate is already a dependency (ZIP statement archives) and its zlibSync is the
 * only piece a PNG needs; the rest is three chunks and a CRC-32. A one-bit-per-pixel image of a
 * QR code needs none of what a general PNG library (fast-png, pngjs) brings, and pngjs needs Node
 * streams and Buffer, which Workers do not have.
 */
export function renderEpcQrPng(payload: string, options: EpcPngOptions = {}): Uint8Array {
  const scale = checkScale(options.scale ?? 4);
  const { size, dark } = epcMatrix(payload);
  const width = (size + 2 * QUIET_ZONE) * scale;
  const rowBytes = Math.ceil(width / 8);
  // Each scanline: filter type 0 (None), then pixels MSB first; bit 1 = white, 0 = black.
  const raw = new Uint8Array((rowBytes + 1) * width);
  for (let y = 0; y < width; y++) {
    const line = y * (rowBytes + 1);
    const row = Math.floor(y / scale) - QUIET_ZONE;
    for (let x = 0; x < width; x++) {
      const col = Math.floor(x / scale) - QUIET_ZONE;
      const isDark = row >= 0 && row < size && col >= 0 && col < size && dark(row, col);
      if (!isDark) raw[line + 1 + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, width);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // colour type: greyscale
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method 0
  ihdr[12] = 0; // no interlace
  return concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', zlibSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

function checkScale(scale: number): number {
  if (!Number.isInteger(scale) || scale < 1 || scale > EPC_LIMITS.maxPngScale) {
    throw invalid('scale', `must be a whole number from 1 to ${EPC_LIMITS.maxPngScale}, got ${scale}`);
  }
  return scale;
}

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** length (4) + type (4) + data + CRC-32 over type and data (PNG spec §5.3). */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309 polynomial 0xEDB88320, reflected), as PNG chunks require. */
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
