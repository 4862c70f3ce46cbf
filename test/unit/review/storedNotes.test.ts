/**
 * The sentences Stadtkasse stores in English (suspense notes, a payout's notes and reasons, why an
 * approval failed) have a German rendering: a table of what the services write, each said in German
 * without its English words; a person's words stay as written.
 */
import { describe, expect, it } from 'vitest';
import { parseStaleNote, staleNote, type StaleFacts } from '../../../src/services/review/stale.js';
import { messages } from '../../../src/ui/staff/i18n.js';
import { systemNote } from '../../../src/ui/staff/review/detail.js';
import { settlementNote } from '../../../src/ui/staff/settlementNotes.js';
import { failedNoteText } from '../../../src/ui/staff/staleText.js';

const ENGLISH = /\b(the|of|with|by|is|was|no|we|payment|payout|line|booking|allocation|reversed|cancelled|meanwhile|debit|receipt|decides|left|changed|exists)\b/i;

describe('suspense notes on a German page', () => {
  it.each([
    ['a reversed debit: no receipt is taken back; a person decides', 'keine Zahlung wird zurückgenommen'],
    ['collection run 12 collected as one credit: booked in steps of 500 debits', 'Lastschriftlauf 12 als eine Gutschrift eingezogen'],
    ["cleared against the provider's clearing account (settlement 01ABC)", 'Verrechnungskonto'],
    ['provider payout waiting for review (settlement 01ABC)', 'wartet auf Prüfung'],
    ['paid back with D-1#2', 'zurückgezahlt mit D-1#2'],
  ])('%s', (note, german) => {
    const said = systemNote(messages('de'), note).replace(/\u00a0/g, ' ');
    expect(said).toContain(german);
    expect(said.replace(/\(Abrechnung \w+\)/, '')).not.toMatch(ENGLISH);
  });
});

describe("a provider payout's notes and reasons on a German page", () => {
  it.each([
    ['payout line of 7.77 names no online payment we know', 'Auszahlungszeile über 7,77 € nennt keine uns bekannte Online-Zahlung'],
    ['online payment OP-1 is initial with us, never PAYED: ask the provider, or re-check it', 'Online-Zahlung OP-1 steht bei uns auf „'],
    ['online payment OP-1 was already settled; this 11.00 is paid twice', 'diese 11,00 € sind doppelt gezahlt'],
    ['settles online payment OP-1 (11.00)', 'gleicht Online-Zahlung OP-1 aus (11,00 €)'],
    ["online payment OP-1 of 30.00 came as 29.70: 0.30 short (the provider's fee?); accept books the difference as fee", '0,30 € weniger'],
    ['online payment OP-1 of 20.00 came as 20.50: 0.50 more than owed', '0,50 € mehr als geschuldet'],
    ['payout of Testmodus: 3 line(s), 58.00 of online payments, 57.70 received', 'Auszahlung von Testmodus: 3 Zeile(n)'],
    ['fees deducted: 0.30', 'Gebühren abgezogen: 0,30 €'],
    ['payout TP-1 of tp per its report: 2 line(s), gross 50.00, fees 0.50, net 49.50; credited 49.50', 'laut Bericht'],
    ['payout TP-1 of Testmodus', 'Auszahlung TP-1 von Testmodus'],
    ['chargeback of 5.00 (tx-9): a person decides', 'Rückbelastung über 5,00 € (tx-9)'],
    ['line 2 (no reference, 5.00) names no online payment we know', 'Zeile 2 (ohne Referenz, 5,00 €)'],
    ['online payment OP-1 is failed with us, never PAYED', 'nie als bezahlt gemeldet'],
    ['online payment OP-1 was already settled by an earlier line; line 3 pays it twice', 'Zeile 3 zahlt sie doppelt'],
    ['online payment OP-1: 10.00 open on the clearing account, the report says 12.00', 'der Bericht nennt 12,00 €'],
    ['online payment OP-1: fee 0.25 deducted', 'Gebühr 0,25 € abgezogen'],
    ["the credit of 49.00 differs from the report's net 49.50", 'weicht vom Netto'],
    ['the provider deducted fees of 0.50: accept books them as fees', 'Gebühren abgezogen'],
  ])('%s', (note, german) => {
    const said = settlementNote('de', note).replace(/\u00a0/g, ' ');
    expect(said).toContain(german);
    expect(said).not.toMatch(ENGLISH);
    expect(settlementNote('en', note)).toBe(note);
  });

  it('leaves a person’s words as written', () => {
    expect(settlementNote('de', 'accepted by Clara Kasse: Entgelt laut Vertrag')).toBe('angenommen von Clara Kasse: Entgelt laut Vertrag');
    expect(settlementNote('de', 'Rückfrage beim Anbieter')).toBe('Rückfrage beim Anbieter');
  });
});

describe('why an approval failed', () => {
  const facts: StaleFacts[] = [
    { code: 'paymentGone' },
    { code: 'paymentChanged', state: 'returned' },
    { code: 'allocationGone', kassenzeichen: 'GEB20260001' },
    { code: 'allocationReversed', kassenzeichen: null },
    { code: 'onlyLeft', left: '12.50', currency: 'EUR' },
    { code: 'returnGone' },
    { code: 'bookingsChanged' },
    { code: 'itemGone', kassenzeichen: 'GEB20260001' },
    { code: 'itemCancelled', kassenzeichen: 'GEB20260001' },
    { code: 'departureRefused', detail: 'outgoing payment D#1 is refund_booked' },
  ];
  it.each(facts.map((f) => [f.code, f] as const))('%s: the stored English note is read back as the same facts, and said in German', (_code, f) => {
    expect(parseStaleNote(staleNote(f))).toEqual(f);
    const said = failedNoteText('de', staleNote(f));
    expect(said.replace(/„[^“]*“/, '')).not.toMatch(ENGLISH);
  });

  it.each([
    ['allocation 01JX was reversed meanwhile', 'Die Buchung wurde inzwischen storniert.'],
    ['allocation 01JX no longer exists', 'Die Buchung gibt es nicht mehr.'],
    ['only 12.50 of the payment is left', 'Von der Zahlung sind nur noch 12,50 € übrig.'],
    ['the payment changed since the proposal (it is returned now)', 'Die Zahlung wurde seit dem Vorschlag geändert; sie steht jetzt auf „'],
  ])('a note stored before the facts were kept: %s', (note, german) => {
    expect(failedNoteText('de', note).replace(/\u00a0/g, ' ')).toContain(german);
  });

  it('a note it does not know is shown marked as the stored record', () => {
    expect(failedNoteText('de', 'something else')).toBe('Vermerk wie gespeichert (englisch): „something else“');
  });
});
