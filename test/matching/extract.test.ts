import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_CONFIG } from '../../src/matching/config.js';
import { extractCandidates } from '../../src/matching/extract.js';
import { toRfReference } from '../../src/references/rf.js';
import { ledger, luhnRef, tx } from './fixtures.js';

const { index } = ledger();
const ref = luhnRef(690007); // 51000690007c
const dotted = `${ref.slice(0, 4)}.${ref.slice(4, 11)}.${ref.slice(11)}`;
const refs = (t: Parameters<typeof tx>[0]): string[] => extractCandidates(tx(t), index, DEFAULT_MATCH_CONFIG).candidates.map((c) => c.normalized);

describe('extractCandidates: spellings', () => {
  it.each([
    ['plain', [`${ref}`]],
    ['KZ label', [`KZ ${ref}`]],
    ['Kassenz. label with dots', [`Kassenz. ${dotted}`]],
    ['Az. with spaces', [`Az. ${ref.slice(0, 6)} ${ref.slice(6)}`]],
    ['dash before check digit', [`Kassenzeichen ${ref.slice(0, 11)}-${ref.slice(11)}`]],
    ['label glued with colon', [`KZ:${ref}`]],
    ['noise around', [`Tel 01701234567 Rechnung ${ref} vom 03.09.2026`]],
    ['split across lines', [`Zahlung KZ ${ref.slice(0, 5)}`, `${ref.slice(5)}`]],
    ['split inside dotted form', [`Rate 1 ${dotted.slice(0, 6)}`, dotted.slice(6)]],
  ])('%s', (_name, lines) => {
    expect(refs({ remittanceLines: lines })).toContain(ref);
  });

  it.each([
    ['upper', 'BG2026071005'],
    ['lower', 'bg2026071005'],
    ['space after prefix', 'BG 2026071005'],
    ['dashes', 'BG-2026-071005'],
    ['split', 'bg202|6071005'],
  ])('letter prefix %s', (_n, text) => {
    expect(refs({ remittanceLines: text.split('|') })).toContain('BG2026071005');
  });
});

describe('extractCandidates: whole tokens only', () => {
  it.each([
    ['inside a longer digit run', `99${ref}7`],
    ['phone number is not cut', `Tel 0${ref.slice(1)}1`],
  ])('%s', (_n, text) => {
    expect(refs({ remittanceLines: [text] })).not.toContain(ref);
  });

  it('does not read the number after Tel as a reference', () => {
    expect(refs({ remittanceLines: [`Tel ${ref.slice(0, 11)}`] })).toEqual([]);
  });

  it('ignores dates', () => {
    expect(refs({ remittanceLines: ['Bescheid vom 24.08.2026'] })).toEqual([]);
  });
});

describe('extractCandidates: other fields', () => {
  it('unwraps a valid RF structured reference', () => {
    expect(refs({ creditorReferences: [{ reference: toRfReference(ref), type: 'SCOR' }] })).toEqual([ref]);
  });
  it('reads an RF reference written in the text', () => {
    const rf = toRfReference(ref).replace(/(.{4})/g, '$1 ').trim();
    expect(refs({ remittanceLines: [`Zahlung ${rf}`] })).toContain(ref);
  });
  it('takes a plain structured reference as is', () => {
    expect(refs({ creditorReferences: [{ reference: ref }] })).toEqual([ref]);
  });
  it('reads the end-to-end id, but not NOTPROVIDED', () => {
    expect(refs({ endToEndId: ref })).toEqual([ref]);
    expect(refs({ endToEndId: 'NOTPROVIDED' })).toEqual([]);
  });
  it('is bounded by LIMITS.candidatesPerPayment', () => {
    const many = Array.from({ length: 80 }, (_, i) => luhnRef(100000 + i)).join(', ');
    const ex = extractCandidates(tx({ remittanceLines: [many] }), index, DEFAULT_MATCH_CONFIG);
    expect(ex.candidates.length).toBe(50);
    expect(ex.truncated).toBe(true);
  });
});
