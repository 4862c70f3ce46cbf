import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { money, parseMoney } from '../../src/money/money.js';
import {
  buildEpcPayload,
  EPC_LIMITS,
  renderEpcQrPng,
  renderEpcQrSvg,
  type EpcPaymentInput,
} from '../../src/references/epc.js';

// jsqr is CommonJS; under NodeNext its typed default export sits on .default (its module.exports carries one).
const jsQR = jsQRModule.default;

const IBAN = 'DE89370400440532013000';
const BASE: EpcPaymentInput = {
  name: 'Stadtkasse Musterstadt',
  iban: IBAN,
  amount: parseMoney('12.50', 'EUR'),
};

function caught(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

const bytes = (s: string): number => new TextEncoder().encode(s).length;

/** Every field filled, remittance with umlauts; information left for the caller to fill up to 331 bytes. */
const FILLED: EpcPaymentInput = {
  ...BASE,
  bic: 'COBADEFFXXX',
  name: 'N'.repeat(70),
  purpose: 'GOVT',
  remittance: 'ü'.repeat(60) + 'r'.repeat(20), // 80 characters, 140 bytes
};
/** ASCII characters of `information` that bring FILLED to exactly 331 bytes. */
const ROOM = EPC_LIMITS.payloadBytes - new TextEncoder().encode(buildEpcPayload(FILLED)).length - 1; // one LF before it

describe('buildEpcPayload', () => {
  it('writes the twelve fields in EPC069-12 order with LF and no trailing separator', () => {
    const payload = buildEpcPayload({
      bic: 'cobadeffxxx',
      name: 'Stadtkasse Müllheim',
      iban: 'DE89 3704 0044 0532 0130 00',
      amount: parseMoney('12.5', 'EUR'),
      purpose: 'GOVT',
      reference: 'rf18 5390 0754 7034',
      information: 'Gebühr Parkausweis',
    });
    expect(payload).toBe(
      [
        'BCD', // service tag
        '002', // version: BIC optional in the EEA
        '1', // character set: UTF-8
        'SCT', // SEPA credit transfer
        'COBADEFFXXX',
        'Stadtkasse Müllheim',
        'DE89370400440532013000',
        'EUR12.50',
        'GOVT',
        'RF18539007547034',
        '', // unstructured remittance: left empty because the structured reference is used
        'Gebühr Parkausweis',
      ].join('\n'),
    );
    expect(payload).not.toContain('\r');
  });

  it('omits empty trailing fields and keeps empty inner ones', () => {
    expect(buildEpcPayload(BASE)).toBe('BCD\n002\n1\nSCT\n\nStadtkasse Musterstadt\nDE89370400440532013000\nEUR12.50');
    expect(buildEpcPayload({ ...BASE, remittance: 'Kassenzeichen 5100.0052447.4' })).toBe(
      'BCD\n002\n1\nSCT\n\nStadtkasse Musterstadt\nDE89370400440532013000\nEUR12.50\n\n\nKassenzeichen 5100.0052447.4',
    );
  });

  it.each([
    ['0.01', 'EUR0.01'],
    ['1', 'EUR1.00'],
    ['12.50', 'EUR12.50'],
    ['999999999.99', 'EUR999999999.99'],
  ])('amount %s is written as %s', (amount, field) => {
    expect(buildEpcPayload({ ...BASE, amount: parseMoney(amount, 'EUR') }).split('\n')[7]).toBe(field);
  });

  it('accepts every field at its limit', () => {
    const name = 'Ä'.repeat(EPC_LIMITS.nameChars); // 70 characters, 140 bytes: limits count characters
    expect(buildEpcPayload({ ...BASE, name }).split('\n')[5]).toBe(name);
    const remittance = 'x'.repeat(EPC_LIMITS.remittanceChars);
    expect(buildEpcPayload({ ...BASE, remittance }).split('\n')[10]).toBe(remittance);
    const information = 'i'.repeat(EPC_LIMITS.informationChars);
    expect(buildEpcPayload({ ...BASE, information }).split('\n')[11]).toBe(information);
  });

  it('accepts a payload of exactly 331 bytes and refuses 332', () => {
    expect(ROOM).toBeGreaterThan(0);
    expect(ROOM).toBeLessThanOrEqual(EPC_LIMITS.informationChars);
    const exact = buildEpcPayload({ ...FILLED, information: 'i'.repeat(ROOM) });
    expect(bytes(exact)).toBe(331);

    const err = caught(() => buildEpcPayload({ ...FILLED, information: 'i'.repeat(ROOM + 1) }));
    expect(err.location.field).toBe('payload');
    expect(err.message).toMatch(/is 332 bytes in UTF-8, at most 331/);
    // A two-byte character where a one-byte one fitted tips it over too: bytes, not characters.
    expect(caught(() => buildEpcPayload({ ...FILLED, information: 'ä' + 'i'.repeat(ROOM - 1) })).location.field).toBe(
      'payload',
    );
  });

  it.each<[string, Partial<EpcPaymentInput>, string, RegExp]>([
    ['name of 71 characters', { name: 'N'.repeat(71) }, 'name', /has 71 characters, at most 70/],
    ['empty name', { name: '  ' }, 'name', /is required/],
    ['line feed in the name', { name: 'Stadt\nDE02120300000000202051' }, 'name', /line breaks/],
    ['carriage return in remittance', { remittance: 'a\rb' }, 'remittance', /line breaks/],
    ['lone surrogate', { information: 'x\ud800' }, 'information', /surrogate/],
    ['remittance of 141', { remittance: 'x'.repeat(141) }, 'remittance', /has 141 characters, at most 140/],
    ['information of 71', { information: 'i'.repeat(71) }, 'information', /has 71 characters, at most 70/],
    ['reference of 36', { reference: 'RF18' + '0'.repeat(32) }, 'reference', /has 36 characters, at most 35/],
    ['reference that is no RF', { reference: '510000524474' }, 'reference', /not a valid ISO 11649/],
    ['RF with wrong check digits', { reference: 'RF19539007547034' }, 'reference', /not a valid ISO 11649/],
    ['both reference kinds', { reference: 'RF18539007547034', remittance: 'x' }, 'remittance', /not both/],
    ['invalid IBAN', { iban: 'DE88370400440532013000' }, 'iban', /not a valid IBAN/],
    ['BIC of 9', { bic: 'COBADEFFX' }, 'bic', /8 or 11/],
    ['purpose in lower case', { purpose: 'govt' }, 'purpose', /four capital letters/],
    ['zero amount', { amount: money(0n) }, 'amount', /outside 0.01–999999999.99/],
    ['negative amount', { amount: money(-1250n) }, 'amount', /outside/],
    ['one billion', { amount: parseMoney('1000000000.00', 'EUR') }, 'amount', /EUR 1000000000.00 is outside/],
    ['CHF', { amount: money(1250n, 'CHF') }, 'amount', /must be in EUR/],
  ])('refuses %s, naming the field', (_case, change, field, message) => {
    const err = caught(() => buildEpcPayload({ ...BASE, ...change }));
    expect(err.location.field).toBe(field);
    expect(err.message).toMatch(message);
    expect(err.message.startsWith(`${field}: `)).toBe(true);
  });
});

/** Decodes a PNG with pngjs + jsQR; returns the payload bytes as UTF-8 text and the symbol version. */
function decodePng(png: Uint8Array): { text: string; version: number; image: PNG } {
  const image = PNG.sync.read(Buffer.from(png));
  const result = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  if (!result) throw new Error('jsQR found no QR code in the PNG');
  return { text: new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(result.binaryData)), version: result.version, image };
}

/** Error-correction level from the format information next to the top-left finder (ISO/IEC 18004 §7.9). */
function ecLevel(image: PNG, scale: number): string {
  const dark = (row: number, col: number): boolean => image.data[(((row + 4) * scale) * image.width + (col + 4) * scale) * 4] === 0;
  // Format bits 14 and 13 hold the level after XOR with mask 101010000010010: M=00 → 1,0; L=01 → 1,1; Q=11 → 0,1; H=10 → 0,0.
  const bits = `${dark(8, 0) ? 1 : 0}${dark(8, 1) ? 1 : 0}`;
  return { '10': 'M', '11': 'L', '01': 'Q', '00': 'H' }[bits]!;
}

describe('renderEpcQrPng', () => {
  it('decodes back to the exact payload: field order, LF, amount, UTF-8 umlauts', () => {
    const payload = buildEpcPayload({
      bic: 'COBADEFFXXX',
      name: 'Stadtkasse Großräschen',
      iban: IBAN,
      amount: parseMoney('12.50', 'EUR'),
      purpose: 'GOVT',
      remittance: 'Gebühr Führungszeugnis, Kassenzeichen 5100.0052447.4',
      information: 'Öffnungszeiten: Mo–Fr',
    });
    const png = renderEpcQrPng(payload, { scale: 4 });
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const { text, image } = decodePng(png);
    expect(text).toBe(payload);
    const lines = text.split('\n');
    expect(lines).toEqual([
      'BCD', '002', '1', 'SCT', 'COBADEFFXXX', 'Stadtkasse Großräschen', IBAN, 'EUR12.50', 'GOVT', '',
      'Gebühr Führungszeugnis, Kassenzeichen 5100.0052447.4', 'Öffnungszeiten: Mo–Fr',
    ]);
    expect(ecLevel(image, 4)).toBe('M');
  });

  it('fits a 331-byte payload into version 13 at level M with a 4-module quiet zone', () => {
    const payload = buildEpcPayload({ ...FILLED, information: 'i'.repeat(ROOM) });
    expect(bytes(payload)).toBe(331);
    const scale = 3;
    const { text, version, image } = decodePng(renderEpcQrPng(payload, { scale }));
    expect(text).toBe(payload);
    expect(version).toBe(13);
    expect(ecLevel(image, scale)).toBe('M');
    // Version 13 has 17 + 4·13 = 69 modules, plus 4 quiet modules on each side.
    expect(image.width).toBe((69 + 8) * scale);
    for (let x = 0; x < image.width; x++) {
      for (const y of [0, 4 * scale - 1, image.height - 1]) expect(image.data[(y * image.width + x) * 4]).toBe(255);
    }
  });

  it('refuses a payload beyond 331 bytes and a bad scale', () => {
    expect(caught(() => renderEpcQrPng('x'.repeat(332))).location.field).toBe('payload');
    expect(caught(() => renderEpcQrPng('BCD', { scale: 0 })).location.field).toBe('scale');
    expect(caught(() => renderEpcQrPng('BCD', { scale: 33 })).location.field).toBe('scale');
  });
});

describe('renderEpcQrSvg', () => {
  /** Rasterizes our own path syntax (M x y h w v1 h-w z) and decodes it, so the SVG is checked as a code, not as text. */
  function decodeSvg(svg: string): string {
    const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)![1]);
    const scale = 4;
    const w = size * scale;
    const rgba = new Uint8ClampedArray(w * w * 4).fill(255);
    const d = /<path fill="#000" d="([^"]*)"/.exec(svg)![1]!;
    for (const m of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
      const [x0, y0, run] = [Number(m[1]), Number(m[2]), Number(m[3])];
      for (let y = y0 * scale; y < (y0 + 1) * scale; y++) {
        for (let x = x0 * scale; x < (x0 + run) * scale; x++) {
          const i = (y * w + x) * 4;
          rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
        }
      }
    }
    const result = jsQR(rgba, w, w);
    if (!result) throw new Error('jsQR found no QR code in the SVG');
    return new TextDecoder().decode(new Uint8Array(result.binaryData));
  }

  it('draws a decodable code with a white background and quiet zone', () => {
    const payload = buildEpcPayload({ ...BASE, name: 'Bürgeramt Köln', remittance: 'RF-frei: Gebühr 2026' });
    const svg = renderEpcQrSvg(payload, { scale: 5 });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="(\d+)" height="\1" viewBox="0 0 (\d+) \2"/);
    expect(svg).toContain('<rect width=');
    expect(decodeSvg(svg)).toBe(payload);
    // No dark module inside the four-module quiet zone.
    for (const m of svg.matchAll(/M(\d+) (\d+)h/g)) {
      expect(Number(m[1])).toBeGreaterThanOrEqual(4);
      expect(Number(m[2])).toBeGreaterThanOrEqual(4);
    }
  });
});

describe('src/references runs on Workers', () => {
  it('imports no Node-only module and uses no Buffer', () => {
    const dir = join(import.meta.dirname, '../../src/references');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      // Type-only imports vanish at build time and are allowed.
      expect(source, file).not.toMatch(/^import (?!type )[^;]*from '(node:|fs|path|crypto|stream|buffer|pngjs)/m);
      expect(source, file).not.toMatch(/\bBuffer\s*[.(]/);
      // The package entry of qrcode pulls in fs and pngjs; only its core may be imported.
      expect(source, file).not.toMatch(/^import (?!type )[^;]*from 'qrcode'/m);
    }
  });
});
