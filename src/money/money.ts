import { Decimal } from 'decimal.js';
import { ValidationError } from '../errors.js';

/**
 * An amount of money in integer minor units (cents) of one currency.
 *
 * Amounts are parsed from text with decimal.js and printed as text ("30.70"); they never pass
 * through a JavaScript number, so 0.1 + 0.2 cannot happen here.
 */
export interface Money {
  readonly minor: bigint;
  readonly currency: string;
}

/** Minor-unit exponent per ISO 4217 currency; the default of 2 covers EUR and most others. */
const EXPONENT: Readonly<Record<string, number>> = {
  BHD: 3, BIF: 0, CLP: 0, DJF: 0, GNF: 0, IQD: 3, ISK: 0, JOD: 3, JPY: 0, KMF: 0, KRW: 0, KWD: 3,
  LYD: 3, OMR: 3, PYG: 0, RWF: 0, TND: 3, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

export function minorExponent(currency: string): number {
  return EXPONENT[currency] ?? 2;
}

const CURRENCY = /^[A-Z]{3}$/;

/**
 * ISO 4217 codes of money an account can be kept in: the active list, plus codes withdrawn since
 * 2007 so that an old statement still reads. Left out on purpose: XXX ("no currency"), XTS
 * (testing), the precious metals (XAU, XAG, XPD, XPT) and the accounting units (XBA–XBD, XDR, XSU,
 * XUA). A bank file in one of those, or in a made-up code, is not money we can book.
 */
const ISO_4217 = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
    'CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL ' +
    'GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD ' +
    'KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO ' +
    'NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD ' +
    'SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV ' +
    'WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ' +
    // withdrawn since 2007
    'BYR CUC EEK HRK LTL LVL MRO SKK SLL STD VEF ZMK ZWL'
  ).split(' '),
);

/** Whether `code` is an ISO 4217 code of money (upper case, as the standard writes it). */
export function isIsoCurrency(code: string): boolean {
  return ISO_4217.has(code);
}
const DECIMAL_TEXT = /^[+-]?(\d+)(\.\d+)?$/;

export interface ParseAmountOptions {
  /** Where the text came from, for the error message (a field name, an XML path, a CSV cell). */
  field?: string;
  /** Allow more fraction digits than the currency has, rounding half-even (banks send 8.850). */
  allowExcessDigits?: boolean;
  allowNegative?: boolean;
}

/** Parses "30.70" (dot as decimal separator, no grouping) into minor units. */
export function parseMoney(text: string, currency: string, opts: ParseAmountOptions = {}): Money {
  const field = opts.field ?? 'amount';
  if (!CURRENCY.test(currency)) {
    throw new ValidationError(`${field}: currency "${currency}" is not an ISO 4217 code`, { field });
  }
  const trimmed = text.trim();
  const m = DECIMAL_TEXT.exec(trimmed);
  if (!m) {
    throw new ValidationError(`${field}: "${truncate(text)}" is not a decimal amount like 30.70`, { field });
  }
  if (trimmed.startsWith('-') && !opts.allowNegative) {
    throw new ValidationError(`${field}: "${truncate(text)}" must not be negative`, { field });
  }
  const exp = minorExponent(currency);
  const fraction = m[2] ? m[2].length - 1 : 0;
  if (fraction > exp && !opts.allowExcessDigits) {
    throw new ValidationError(`${field}: "${truncate(text)}" has more than ${exp} decimal places for ${currency}`, { field });
  }
  if (m[1]!.length > 15) {
    throw new ValidationError(`${field}: "${truncate(text)}" is too large`, { field });
  }
  const scaled = new Decimal(trimmed).times(new Decimal(10).pow(exp)).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
  return { minor: BigInt(scaled.toFixed(0)), currency }; // float-money-ok: Decimal.toFixed prints exact digits
}

/** Integer digits an amount may have (999 999 999 999 999.99 is far beyond any claim; parseMoney's bound). */
export const AMOUNT_INTEGER_DIGITS = 15;

/**
 * The amount text the API takes, as the OpenAPI document states it: digits, optionally a dot and
 * one or two more digits (EUR has two places). No sign, no exponent, no white space, no comma, no
 * grouping: "30.70", "30.7", "30", "030.70". Built from the same limits parseAmountInput checks, but
 * by another route (a regular expression against a scanner), and test/unit/amount-pattern.test.ts
 * holds the two to the same answer for every string.
 */
export const AMOUNT_INPUT_PATTERN = `^\\d{1,${AMOUNT_INTEGER_DIGITS}}(\\.\\d{1,2})?$`;

/**
 * The API's amount parser: exactly the text AMOUNT_INPUT_PATTERN describes, nothing more (parseMoney
 * also takes "+30.70" and white space around, which the finance system's files never need and the
 * API's contract does not promise). Throws ValidationError naming `field`.
 */
export function parseAmountInput(text: string, currency: string, opts: { field?: string } = {}): Money {
  const field = opts.field ?? 'amount';
  const exp = minorExponent(currency);
  let i = 0;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  const integerDigits = i;
  let fractionDigits = 0;
  if (i < text.length && text[i] === '.') {
    i++;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) {
      i++;
      fractionDigits++;
    }
    if (fractionDigits === 0) i = -1; // "1." names no cents
  }
  if (i !== text.length || integerDigits === 0) {
    throw new ValidationError(`${field}: "${truncate(text)}" is not an amount like 30.70 (digits, a dot, at most ${exp} decimal places; no sign, exponent or spaces)`, { field });
  }
  if (fractionDigits > exp) throw new ValidationError(`${field}: "${truncate(text)}" has more than ${exp} decimal places for ${currency}`, { field });
  if (integerDigits > AMOUNT_INTEGER_DIGITS) throw new ValidationError(`${field}: "${truncate(text)}" is too large`, { field });
  return parseMoney(text, currency, { field });
}

/** Prints minor units as "30.70" (no grouping, dot separator): the form the API speaks. */
export function formatMinor(minor: bigint, currency: string): string {
  const exp = minorExponent(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exp + 1, '0');
  const whole = exp === 0 ? digits : digits.slice(0, -exp);
  const frac = exp === 0 ? '' : '.' + digits.slice(-exp);
  return (negative ? '-' : '') + whole + frac;
}

export function formatMoney(m: Money): string {
  return formatMinor(m.minor, m.currency);
}

/** German display form: "1.234,50 €" for EUR, "1.234,50 CHF" otherwise. */
export function formatMoneyDe(m: Money): string {
  const plain = formatMinor(m.minor < 0n ? -m.minor : m.minor, m.currency);
  const [whole, frac] = plain.split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const sign = m.minor < 0n ? '−' : '';
  return `${sign}${grouped}${frac ? ',' + frac : ''}\u00a0${m.currency === 'EUR' ? '€' : m.currency}`;
}

export function money(minor: bigint, currency = 'EUR'): Money {
  return { minor, currency };
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new ValidationError(`cannot combine ${a.currency} and ${b.currency} amounts`);
  }
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { minor: a.minor + b.minor, currency: a.currency };
}

export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { minor: a.minor - b.minor, currency: a.currency };
}

export function sumMinor(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

function truncate(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}
