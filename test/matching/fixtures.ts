import { computeCheckDigits } from '../../src/references/checkDigits.js';
import { buildItemIndex, type ItemIndex } from '../../src/matching/index.js';
import type { MatchableItem, MatchableTransaction } from '../../src/matching/types.js';

/**
 * A small ledger for the table tests: dense luhn-protected 12-digit serials ("5100…"), an
 * unprotected letter-prefixed class ("BG2026…"), names that repeat.
 */
export function luhnRef(serial: number): string {
  const payload = '51000' + String(serial).padStart(6, '0');
  return payload + computeCheckDigits('luhn', payload);
}

export function ledger(): { items: MatchableItem[]; index: ItemIndex } {
  const items: MatchableItem[] = [];
  const names = ['Anna Müller', 'Paul Weber', 'Jörg Schröder', 'Ayşe Yılmaz', 'Groß Bau GmbH & Co. KG'];
  for (let i = 0; i < 60; i++) {
    items.push(item(`L${i}`, luhnRef(690000 + i), [3500n, 1000n, 2500n, 5500n][i % 4]!, names[i % names.length]!));
  }
  for (let i = 0; i < 40; i++) {
    items.push(item(`B${i}`, `BG2026${String(71000 + i).padStart(6, '0')}`, [3500n, 1000n, 2000n][i % 3]!, names[(i + 2) % names.length]!));
  }
  return { items, index: buildItemIndex(items) };
}

export function item(id: string, kassenzeichen: string, openMinor: bigint, debtorName: string, extra: Partial<MatchableItem> = {}): MatchableItem {
  return { id, kassenzeichen, openMinor, amountMinor: openMinor, currency: 'EUR', debtorName, category: 'fine', dueDate: '2026-11-01', status: 'open', ...extra };
}

export function tx(partial: Partial<MatchableTransaction>): MatchableTransaction {
  return { key: 'T1', amountMinor: 3500n, currency: 'EUR', creditDebit: 'CRDT', reversal: false, remittanceLines: [], creditorReferences: [], ...partial };
}
