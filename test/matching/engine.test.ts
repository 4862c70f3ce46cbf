import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_CONFIG, parseMatchConfig } from '../../src/matching/config.js';
import { matchBatch, matchTransaction } from '../../src/matching/engine.js';
import { buildItemIndex } from '../../src/matching/index.js';
import { compareNames, debtorNameKey } from '../../src/matching/names.js';
import { decisionToRecord } from '../../src/matching/adapt.js';
import type { KnownPayers } from '../../src/matching/types.js';
import { reasonTexts } from '../../src/matching/reasons.js';
import { item, ledger, luhnRef, tx } from './fixtures.js';

const { items, index } = ledger();
const L = (i: number) => items.find((x) => x.id === `L${i}`)!;
const B = (i: number) => items.find((x) => x.id === `B${i}`)!;
const run = (t: Parameters<typeof tx>[0], known?: KnownPayers) => matchTransaction(tx(t), index, DEFAULT_MATCH_CONFIG, known);
const refsOf = (a: { kassenzeichen: string }[]) => a.map((x) => x.kassenzeichen);

/** One digit changed so that the luhn check fails (a keying slip). */
function slip(ref: string): string {
  for (let p = 6; p < ref.length - 1; p++) {
    for (let d = 0; d <= 9; d++) {
      const v = ref.slice(0, p) + d + ref.slice(p + 1);
      if (v !== ref && !items.some((x) => x.kassenzeichen === v) && index.nearMisses(v).length === 1) return v;
    }
  }
  throw new Error('no unambiguous slip');
}

describe('clean references', () => {
  it.each([
    ['remittance text', { remittanceLines: [`KZ ${L(3).kassenzeichen}`] }],
    ['structured reference', { creditorReferences: [{ reference: L(3).kassenzeichen }] }],
    ['end-to-end id', { endToEndId: L(3).kassenzeichen }],
    ['split across lines', { remittanceLines: [`Kassenz. ${L(3).kassenzeichen.slice(0, 7)}`, L(3).kassenzeichen.slice(7)] }],
  ])('%s → auto', (_n, t) => {
    const d = run({ amountMinor: L(3).openMinor, debtorName: 'Somebody Else', ...t });
    expect(d.status).toBe('auto');
    expect(refsOf(d.allocations)).toEqual([L(3).kassenzeichen]);
    expect(reasonTexts(d.reasons, 'en').join(' ')).toMatch(/found in/);
  });
});

describe('amounts', () => {
  it.each([
    ['partial', 1000n, 'auto', 1000n, 0n],
    ['over', 5000n, 'auto', 3500n, 1500n],
    ['exact', 3500n, 'auto', 3500n, 0n],
  ])('%s payment on an exact protected reference', (_n, amount, status, alloc, surplus) => {
    const it0 = L(8); // 35.00; no real item is a slip of 510006900086 away
    const d = run({ amountMinor: amount, remittanceLines: [it0.kassenzeichen] });
    expect(d.status).toBe(status);
    expect(d.allocations[0]!.amountMinor).toBe(alloc);
    expect(d.surplusMinor).toBe(surplus);
  });

  it('luhn does not protect against a jump transposition: a partial payment by nobody in particular → review', () => {
    // 510006900003 (L0) and 510006900300 (L30) both pass luhn: "003" ↔ "300".
    const d = run({ amountMinor: 1000n, remittanceLines: [L(0).kassenzeichen] });
    expect(d.status).toBe('review');
    expect(reasonTexts(d.reasons, 'en').join('; ')).toContain('510006900003 and 510006900300 differ by two digits swapped across a third');
    expect(reasonTexts(d.reasons, 'de').join('; ')).toContain('510006900003 und 510006900300 unterscheiden sich durch zwei über eine Stelle vertauschte Ziffern');
    expect(d.suggestions.map((s) => refsOf(s.allocations)[0])).toEqual(expect.arrayContaining([L(0).kassenzeichen, L(30).kassenzeichen]));
  });

  it('over-payment with a second, unmatched reference-like number → review', () => {
    const d = run({ amountMinor: 7000n, remittanceLines: [`${L(0).kassenzeichen} und 999999999999`] });
    expect(d.status).toBe('review');
  });

  it('double payment of a paid item → review, money to suspense', () => {
    const paid = item('P1', luhnRef(123456), 0n, 'Anna Müller', { amountMinor: 3500n, status: 'paid' });
    const idx = buildItemIndex([...items, paid]);
    const d = matchTransaction(tx({ amountMinor: 3500n, remittanceLines: [paid.kassenzeichen], debtorName: 'Anna Müller' }), idx);
    expect(d.status).toBe('review');
    expect(d.surplusMinor).toBe(3500n);
    expect(refsOf(d.suggestions[0]!.allocations)).toEqual([paid.kassenzeichen]);
  });

  it('a second payment of the same item in one batch is a double payment', () => {
    const t = tx({ amountMinor: L(0).openMinor, remittanceLines: [L(0).kassenzeichen] });
    const [a, b] = matchBatch([t, { ...t, key: 'T2' }], index);
    expect(a!.status).toBe('auto');
    expect(b!.status).toBe('review');
  });
});

describe('several references in one transfer', () => {
  it.each([
    ['sum of open amounts → auto', 3500n + 1000n, 'auto'],
    ['one of them only → review with that split', 1000n, 'review'],
    ['other amount → review', 4000n, 'review'],
  ])('%s', (_n, amount, status) => {
    const d = run({ amountMinor: amount, remittanceLines: [`${L(0).kassenzeichen} und ${L(1).kassenzeichen}`] });
    expect(d.status).toBe(status);
    if (status === 'auto') expect(d.allocations.map((a) => a.amountMinor)).toEqual([3500n, 1000n]);
    else expect(d.suggestions.length).toBeGreaterThan(0);
  });
});

describe('keying slips (near misses)', () => {
  const target = L(7); // 55.00, Jörg Schröder
  const typo = slip(target.kassenzeichen);
  it.each([
    ['amount and payer corroborate → auto', target.openMinor, 'Joerg Schroeder', 'auto'],
    ['payer differs → review', target.openMinor, 'Max Mustermann', 'review'],
    ['amount differs → review', target.openMinor + 100n, 'Jörg Schröder', 'review'],
  ])('%s', (_n, amount, payer, status) => {
    const d = run({ amountMinor: amount, debtorName: payer, remittanceLines: [`KZ ${typo}`] });
    expect(d.status).toBe(status);
    expect(refsOf(d.status === 'auto' ? d.allocations : d.suggestions[0]!.allocations)).toEqual([target.kassenzeichen]);
  });

  it('a token that passes its check digit is a never-issued reference, not a slip', () => {
    const ghost = luhnRef(690099); // same class, valid luhn, not issued; one digit from nothing? still never auto
    const d = run({ amountMinor: 3500n, debtorName: 'Anna Müller', remittanceLines: [ghost] });
    expect(d.status).not.toBe('auto');
  });

  it('dense unprotected serials: a slip reaching two items is never auto', () => {
    // BG2026071003 is 35.00 of Ayşe; "BG202607100" (dropped digit) reaches BG2026071000..009 and more.
    const d = run({ amountMinor: B(3).openMinor, debtorName: B(3).debtorName, remittanceLines: ['BG202607100'] });
    expect(d.status).toBe('review');
  });

  it("an exact hit on someone else's unprotected item, with the payer's own item one slip away → review", () => {
    // Payer of B1 (10.00) types B4's reference (10.00 too: fines share amounts).
    const d = run({ amountMinor: B(1).openMinor, debtorName: B(1).debtorName, remittanceLines: [B(4).kassenzeichen.replace(/1004$/, '1001').replace(/1001$/, '1004')] });
    expect(d.status).toBe('review');
    expect(refsOf(d.suggestions[0]!.allocations)).toEqual([B(1).kassenzeichen]);
  });
});

describe('unprotected exact references need corroboration', () => {
  it.each([
    ['amount fits, paid by the debtor', B(0).openMinor, B(0).debtorName, 'auto'],
    // B3, B6 and B9 are 35.00 too and one substitution away: a third party's equal amount is no evidence.
    ['amount fits, third party, neighbours share the amount', B(0).openMinor, 'Max Mustermann', 'review'],
    ['payer fits, partial', 100n, B(0).debtorName, 'auto'],
    ['neither', 100n, 'Max Mustermann', 'review'],
  ])('%s', (_n, amount, payer, status) => {
    expect(run({ amountMinor: amount, debtorName: payer, remittanceLines: [B(0).kassenzeichen] }).status).toBe(status);
  });
});

describe('third parties and known payers', () => {
  it('ultimate debtor corroborates a near miss', () => {
    const target = L(7);
    const d = run({ amountMinor: target.openMinor, debtorName: 'Mutter Schröder', ultimateDebtorName: 'Schröder, Jörg', remittanceLines: [slip(target.kassenzeichen)] });
    expect(d.status).toBe('auto');
  });
  it('a learned payer IBAN corroborates a near miss', () => {
    const target = L(7);
    const known: KnownPayers = (iban) => (iban === 'DE02120300000000202051' ? [{ debtorNameKey: debtorNameKey(target.debtorName), confirmations: 3 }] : []);
    const d = run({ amountMinor: target.openMinor, debtorName: 'J. S.', debtorIban: 'DE02 1203 0000 0000 2020 51', remittanceLines: [slip(target.kassenzeichen)] }, known);
    expect(d.status).toBe('auto');
    expect(reasonTexts(d.reasons, 'en').join(' ')).toMatch(/seen on 3 confirmed payments/);
  });
});

describe('no reference', () => {
  it('name and amount → review with the older item first', () => {
    const d = run({ amountMinor: 3500n, debtorName: 'MUELLER, ANNA', remittanceLines: ['Verwarnungsgeld'] });
    expect(d.status).toBe('review');
    expect(d.suggestions[0]!.allocations[0]!.kassenzeichen).toBe(L(0).kassenzeichen);
  });
  it('unknown payer → unmatched', () => {
    expect(run({ amountMinor: 3500n, debtorName: 'Niemand Bekannt', remittanceLines: ['Danke'] }).status).toBe('unmatched');
  });
  it('never-issued reference → not auto', () => {
    expect(run({ amountMinor: 3500n, debtorName: 'Niemand Bekannt', remittanceLines: ['KZ 999999999999'] }).status).toBe('unmatched');
  });
});

describe('debits and returns', () => {
  it.each([
    ['return reason', { creditDebit: 'DBIT' as const, returnReasonCode: 'AC04' }, 'return'],
    ['GVC 159', { creditDebit: 'DBIT' as const, gvc: '159' }, 'return'],
    ['GVC 109 direct debit returned', { creditDebit: 'DBIT' as const, gvc: '109' }, 'return'],
    ['sub family RRTN', { creditDebit: 'DBIT' as const, bankTransactionCode: { domain: 'PMNT', family: 'ICDT', subFamily: 'RRTN' } }, 'return'],
    ['reversal', { creditDebit: 'DBIT' as const, reversal: true }, 'return'],
    ['outgoing payment', { creditDebit: 'DBIT' as const, gvc: '116' }, 'ignored'],
    ['bank charges', { creditDebit: 'DBIT' as const, gvc: '805' }, 'ignored'],
  ])('%s → %s', (_n, t, status) => {
    const d = run({ ...t, remittanceLines: [`RUECKUEBERWEISUNG AC04 KZ ${L(2).kassenzeichen}`], endToEndId: 'E2E-1' });
    expect(d.status).toBe(status);
    expect(d.allocations).toEqual([]);
    if (status === 'return') expect(d.returnOf).toMatchObject({ reference: L(2).kassenzeichen, endToEndId: 'E2E-1' });
  });
  it('batch booking without details → review', () => {
    expect(run({ batch: { count: 12, isPsp: true }, batchWithoutDetails: true, amountMinor: 99999n }).status).toBe('review');
  });
});

describe('names', () => {
  it.each([
    ['Jörg Schröder', 'SCHROEDER, JOERG', 'same'],
    ['Ayşe Yılmaz', 'Ayse Yilmaz', 'same'],
    ['Groß Bau GmbH & Co. KG', 'GROSS BAU GMBH', 'same'],
    ['Autohaus Hartmann e.K.', 'Hartmann Autohaus Inh Peter', 'contains'],
    ['Mia Nowak', 'Lukas Nowak', 'family'],
    ['Mia Nowak', 'Paul Weber', 'none'],
  ])('%s ~ %s = %s', (a, b, m) => {
    expect(compareNames(a, b)).toBe(m);
  });
});

describe('config and output', () => {
  it('parses overrides and refuses unknown keys', () => {
    expect(parseMatchConfig('{"autoPartialPayment": false}').autoPartialPayment).toBe(false);
    expect(() => parseMatchConfig({ autoPartialPaymnt: false })).toThrow(/match config/);
    expect(() => parseMatchConfig({ schemeMinShare: 2 })).toThrow(/schemeMinShare/);
  });
  it('partial payments go to review when configured so', () => {
    const cfg = parseMatchConfig({ autoPartialPayment: false });
    expect(matchTransaction(tx({ amountMinor: 100n, remittanceLines: [L(0).kassenzeichen] }), index, cfg).status).toBe('review');
  });
  it('renders the contract record', () => {
    const d = run({ amountMinor: 3500n, remittanceLines: [L(0).kassenzeichen] });
    const r = decisionToRecord(d, 'EUR');
    expect(r).toMatchObject({ status: 'auto', allocations: [{ reference: L(0).kassenzeichen, amount: '35.00' }] });
    expect(r.confidence).toBeGreaterThan(0.9);
    expect(r.confidence).toBeLessThanOrEqual(1);
  });
});

describe('slips searched around a reference', () => {
  it('a hand-keyed item that fails the check digit is found one substitution away, even in a luhn class', () => {
    // 510006900086 (L8) passes luhn; 510006900186 does not, and is issued anyway (legacy).
    const legacy = item('LEG', '510006900186', 3500n, 'Hand Eingabe');
    const idx = buildItemIndex([...items, legacy]);
    expect(idx.nearMisses(L(8).kassenzeichen).map((h) => [h.kind, h.entry.item.id])).toContainEqual(['substitution', 'LEG']);
    const d = matchTransaction(tx({ amountMinor: 3500n, debtorName: 'Max Mustermann', remittanceLines: [legacy.kassenzeichen] }), idx);
    expect(d.status).toBe('review');
  });
  it('skipping the variants a check digit detects finds the same items as searching them all', () => {
    for (const it0 of items) {
      const all = new Set(items.filter((x) => x.id !== it0.id && oneSlip(it0.kassenzeichen, x.kassenzeichen)).map((x) => x.id));
      expect(new Set(index.nearMisses(it0.kassenzeichen).map((h) => h.entry.item.id))).toEqual(all);
    }
  });
});

/** One substitution, adjacent or jump transposition, twin error, deletion or insertion apart (same prefix). */
function oneSlip(a: string, b: string): boolean {
  const [pa, da] = [a.replace(/\d+$/, ''), a.replace(/^[A-Z]+/, '')];
  const [pb, db] = [b.replace(/\d+$/, ''), b.replace(/^[A-Z]+/, '')];
  if (pa !== pb) return false;
  if (da.length === db.length) {
    const diff = [...da].map((c, i) => (c !== db[i] ? i : -1)).filter((i) => i >= 0);
    if (diff.length === 1) return true;
    if (diff.length !== 2) return false;
    const [i, j] = diff as [number, number];
    if ((j - i === 1 || j - i === 2) && da[i] === db[j] && da[j] === db[i]) return true;
    return j - i === 1 && da[i] === da[j] && db[i] === db[j];
  }
  const [long, short] = da.length > db.length ? [da, db] : [db, da];
  if (long.length - short.length !== 1) return false;
  for (let i = 0; i < long.length; i++) if (long.slice(0, i) + long.slice(i + 1) === short) return true;
  return false;
}
