/**
 * Adversarial receivables days with truth: the slips real payers make, built on purpose where they
 * hurt. Written from the phenomena (issue: "matching that cannot be fooled"), not from any sample
 * file; every family is built on a fresh ledger from a seed, so the test sees other numbers, names
 * and amounts on every seed.
 *
 * A municipality issues dense serials in three classes: 12 digits with luhn (blind to jump
 * transpositions, twin errors 22↔55/33↔66/44↔77 and 09↔90), 12 digits with mod 11 where a check
 * value of 10 is written as 0 (two payloads collide on a trailing 0), and a letter prefix without any
 * check digit. A few hand-keyed legacy items in the luhn class fail their check digit. Fines share a
 * handful of amounts (10, 15, 20, 25, 30, 35, 55 EUR), so a slip usually lands on another real item
 * of the same amount. Debtors include namesakes, relatives (shared surname), near-names that
 * careless folding merges (Michael Bauer / Michal Baur, Weiß / Weis, Rafael / Rafal), a property
 * manager with more items than a lookup returns, and a parent paying for children.
 *
 * Truth: `allocations` is what the payer meant; `auto` is true only where a careful clerk could book
 * without looking (never for a family whose point is that the evidence cannot decide).
 */
import { computeCheckDigits } from '../../src/references/checkDigits.js';
import { formatMinor } from '../../src/money/money.js';
import { debtorNameKey as keyOf } from '../../src/matching/names.js';
import type { KnownPayer, MatchableItem } from '../../src/matching/types.js';
import type { TxSpec } from '../support/camtBuilder.js';
import type { TruthTx } from './scenarioData.js';
import { rng } from './synthetic.js';

export const FAMILIES = [
  'ordinary',
  'dense-slip-relative',
  'dense-slip-third-party',
  'dense-slip-namesake',
  'checkdigit-blind-spot',
  'legacy-reference',
  'mod11-trailing-zero',
  'list-with-slip',
  'iban-in-text',
  'learned-iban',
  'name-folding',
  'surplus-is-other-item',
  'bounced-refund',
  'return-in-words',
  'big-payer',
  'identical-items',
  'near-miss-around-exact',
  'threshold-edges',
] as const;
export type Family = (typeof FAMILIES)[number];

export interface AdversarialTx {
  spec: TxSpec;
  family: Family;
  truth: TruthTx & { of?: string };
  /** For review decisions: a reason that must be said (checked by the test). */
  mustSay?: RegExp;
}

export interface AdversarialDay {
  items: MatchableItem[];
  txs: AdversarialTx[];
  /** Payer IBANs a person confirmed earlier (what the service would have learned). */
  known: Map<string, KnownPayer[]>;
}

const FINES = [1000n, 1500n, 2000n, 2500n, 3000n, 3500n, 5500n];
const FIRST = ['Anna', 'Ben', 'Clara', 'David', 'Elif', 'Frank', 'Greta', 'Hans', 'Ines', 'Jörg', 'Katrin', 'Lars', 'Merve', 'Nils', 'Olga', 'Paul', 'Rüdiger', 'Sven', 'Tanja', 'Ute'];
const LAST = ['Albrecht', 'Böhm', 'Dietrich', 'Engel', 'Fuchs', 'Günther', 'Haas', 'Jäger', 'Kühn', 'Lorenz', 'Möller', 'Nagel', 'Pohl', 'Roth', 'Scholz', 'Thiel', 'Voigt', 'Ziegler', 'Öztürk', 'Arslan'];
/** Pairs that are different people although a careless fold makes them one. */
const NEAR_NAMES: Array<[string, string]> = [
  ['Michael Bauer', 'Michal Baur'],
  ['Sabine Weiß', 'Sabine Weis'],
  ['Rafael Nowak', 'Rafal Nowak'],
  ['Jürgen Krüger', 'Juergen Kroeger'],
  ['Anna Maria Schmidt', 'Anna Schmidt'],
  ['Hans Peter Scholz', 'Peter Scholz'],
];

type Cls = 'luhn' | 'mod11z' | 'bg';

export function adversarialDay(seed: number, perFamily = 12): AdversarialDay {
  const r = rng(seed * 7919 + 17);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const ibanOf = (): string => `DE${String(10 + Math.floor(r() * 89))}${String(Math.floor(r() * 1e9)).padStart(9, '0')}${String(Math.floor(r() * 1e9)).padStart(9, '0')}`;

  // --- reference classes: dense serials from a random start ------------------------------------
  const base: Record<Cls, number> = { luhn: 100000 + Math.floor(r() * 400000), mod11z: 100000 + Math.floor(r() * 400000), bg: 10000 + Math.floor(r() * 50000) };
  const lead: Record<Cls, string> = { luhn: String(51 + Math.floor(r() * 3)) + '000', mod11z: '33000', bg: 'BG2026' };
  const refOf = (cls: Cls, serial: number): string | undefined => {
    if (cls === 'bg') return lead.bg + String(serial).padStart(6, '0');
    const payload = lead[cls] + String(serial).padStart(6, '0');
    if (cls === 'luhn') return payload + computeCheckDigits('luhn', payload);
    return payload + mod11z(payload);
  };

  const items: MatchableItem[] = [];
  const byRef = new Map<string, MatchableItem>();
  let n = 0;
  const addItem = (ref: string, open: bigint, debtor: string, extra: Partial<MatchableItem> = {}): MatchableItem => {
    const it: MatchableItem = {
      id: `a${seed}-${n++}`,
      kassenzeichen: ref,
      openMinor: open,
      amountMinor: open,
      currency: 'EUR',
      debtorName: debtor,
      category: 'fine',
      dueDate: `2026-${String(9 + Math.floor(r() * 3)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`,
      status: 'open',
      ...extra,
    };
    items.push(it);
    byRef.set(ref, it);
    return it;
  };
  const person = (): string => `${pick(FIRST)} ${pick(LAST)}`;

  // A dense ledger: 1,500 serials per class, every one issued (fines of few amounts).
  const SPAN = 1500;
  for (const cls of ['luhn', 'mod11z', 'bg'] as const) {
    for (let k = 0; k < SPAN; k++) {
      const ref = refOf(cls, base[cls] + k);
      if (ref) addItem(ref, pick(FINES), person(), r() < 0.2 ? { debtorIban: ibanOf() } : {});
    }
  }

  // Real neighbours of a reference: every single slip of the kinds people make.
  const slips = (ref: string): Array<{ ref: string; kind: string }> => {
    const m = /^([A-Z]*)(\d+)$/.exec(ref)!;
    const [pre, d] = [m[1]!, m[2]!];
    const out: Array<{ ref: string; kind: string }> = [];
    const add = (v: string, kind: string) => {
      if (v !== d && byRef.has(pre + v)) out.push({ ref: pre + v, kind });
    };
    for (let i = 0; i < d.length; i++) for (let c = 0; c <= 9; c++) add(d.slice(0, i) + c + d.slice(i + 1), 'substitution');
    for (let i = 0; i + 1 < d.length; i++) add(d.slice(0, i) + d[i + 1] + d[i] + d.slice(i + 2), 'transposition');
    for (let i = 0; i + 2 < d.length; i++) add(d.slice(0, i) + d[i + 2] + d[i + 1] + d[i] + d.slice(i + 3), 'jump');
    for (let i = 0; i + 1 < d.length; i++) if (d[i] === d[i + 1]) for (let c = 0; c <= 9; c++) add(d.slice(0, i) + c + c + d.slice(i + 2), 'twin');
    return out;
  };
  const used = new Set<string>();
  /** A pair (meant, landed) of open items one slip apart with the same open amount; both unused. */
  const slipPair = (cls: Cls | undefined, kinds?: string[]): { meant: MatchableItem; landed: MatchableItem; kind: string } => {
    for (let tries = 0; tries < 20000; tries++) {
      const meant = items[Math.floor(r() * items.length)]!;
      if (used.has(meant.id) || meant.openMinor === 0n) continue;
      if (cls && classOf(meant.kassenzeichen) !== cls) continue;
      const options = slips(meant.kassenzeichen).filter((s) => (!kinds || kinds.includes(s.kind)) && !used.has(byRef.get(s.ref)!.id));
      if (options.length === 0) continue;
      const s = pick(options);
      const landed = byRef.get(s.ref)!;
      // Make the amounts equal, as fines are: an equal amount must prove nothing.
      landed.openMinor = meant.openMinor;
      landed.amountMinor = meant.amountMinor;
      used.add(meant.id);
      used.add(landed.id);
      return { meant, landed, kind: s.kind };
    }
    throw new Error(`no slip pair in class ${cls ?? 'any'} (${kinds?.join(',') ?? 'any'})`);
  };
  const freshItem = (cls?: Cls): MatchableItem => {
    for (;;) {
      const it = items[Math.floor(r() * items.length)]!;
      if (!used.has(it.id) && it.openMinor > 0n && (!cls || classOf(it.kassenzeichen) === cls)) {
        used.add(it.id);
        return it;
      }
    }
  };
  const surname = (name: string): string => name.split(' ').slice(-1)[0]!;
  /** A relative: another first name, the same surname (never a name in `avoid`). */
  const otherFirst = (name: string, ...avoid: string[]): string => {
    const first = name.split(' ')[0]!;
    for (;;) {
      const f = pick(FIRST);
      const n = `${f} ${surname(name)}`;
      if (f !== first && !avoid.includes(n)) return n;
    }
  };
  const eur = (m: bigint) => formatMinor(m, 'EUR');
  const truthOf = (kind: string, allocs: Array<[MatchableItem, bigint]>, auto: boolean, amount: bigint): TruthTx => ({
    kind,
    amount: eur(amount),
    allocations: allocs.map(([it, a]) => ({ kassenzeichen: it.kassenzeichen, amount: eur(a) })),
    auto,
  });

  const txs: AdversarialTx[] = [];
  let ref = 0;
  const push = (family: Family, spec: Omit<TxSpec, 'ref'>, truth: TruthTx & { of?: string }, mustSay?: RegExp): string => {
    const entryRef = `ADV${seed}-${String(++ref).padStart(5, '0')}`;
    txs.push({ spec: { ...spec, ref: entryRef }, family, truth, ...(mustSay ? { mustSay } : {}) });
    return `${entryRef}#0`;
  };
  const known = new Map<string, KnownPayer[]>();

  // Names the adversarial families need, on items of their own (the base ledger draws from the lists).
  for (let f = 0; f < perFamily; f++) {
    // --- ordinary: the debtor pays the exact reference and amount ----------------------------
    {
      const it = freshItem();
      const iban = it.debtorIban ?? ibanOf();
      push('ordinary', { amount: eur(it.openMinor), name: it.debtorName, iban, remittance: [`Kassenzeichen ${it.kassenzeichen}`] }, truthOf('clean', [[it, it.openMinor]], true, it.openMinor));
    }
    // --- dense serial slips paid by a relative, a third party, a namesake ---------------------
    {
      const { meant, landed } = slipPair(undefined);
      // (Never the landed debtor's own name: that payer would be indistinguishable from its debtor.)
      push('dense-slip-relative', { amount: eur(meant.openMinor), name: otherFirst(meant.debtorName, landed.debtorName), iban: ibanOf(), remittance: [`KZ ${landed.kassenzeichen}`] }, truthOf('slip', [[meant, meant.openMinor]], false, meant.openMinor));
    }
    {
      const { meant, landed } = slipPair(undefined);
      push('dense-slip-third-party', { amount: eur(meant.openMinor), name: person(), iban: ibanOf(), remittance: [`Verwarnungsgeld ${landed.kassenzeichen}`] }, truthOf('slip', [[meant, meant.openMinor]], false, meant.openMinor));
    }
    {
      const { meant, landed } = slipPair(undefined);
      // A namesake of either debtor: the same surname as the one meant, or the landed debtor's
      // exact name from another account than the one on file.
      const ofLanded = r() < 0.5;
      if (ofLanded) landed.debtorIban = ibanOf();
      const name = ofLanded ? landed.debtorName : otherFirst(meant.debtorName, landed.debtorName);
      push('dense-slip-namesake', { amount: eur(meant.openMinor), name, iban: ibanOf(), remittance: [landed.kassenzeichen] }, truthOf('slip', [[meant, meant.openMinor]], false, meant.openMinor));
    }
    // --- check-digit blind spots: luhn with jump transpositions and twins, even by the debtor --
    {
      const { meant, landed } = slipPair('luhn', ['jump', 'twin', 'transposition']);
      const byDebtor = r() < 0.5;
      const partial = r() < 0.3;
      const amount = partial ? meant.openMinor / 2n : meant.openMinor;
      push(
        'checkdigit-blind-spot',
        { amount: eur(amount), name: byDebtor ? meant.debtorName : person(), iban: byDebtor ? (meant.debtorIban ?? ibanOf()) : ibanOf(), remittance: [`KZ ${landed.kassenzeichen}`] },
        truthOf('slip', [[meant, amount]], false, amount),
      );
    }
    // --- a legacy item of the luhn class whose own reference fails the check digit ------------
    {
      const meant = freshItem('luhn');
      const d = meant.kassenzeichen;
      const legacyRef = d.slice(0, 10) + String((Number(d[10]) + 1 + Math.floor(r() * 8)) % 10) + d[11];
      if (!byRef.has(legacyRef)) {
        const legacy = addItem(legacyRef, meant.openMinor, person());
        used.add(legacy.id);
        // Paid in full by a relative, or in part by someone else.
        const paid = r() < 0.5 ? meant.openMinor : meant.openMinor / 2n;
        push(
          'legacy-reference',
          { amount: eur(paid), name: paid === meant.openMinor ? otherFirst(meant.debtorName, legacy.debtorName) : person(), iban: ibanOf(), remittance: [`Kassenz. ${legacyRef}`] },
          truthOf('slip', [[meant, paid]], false, paid),
        );
      }
    }
    // --- mod 11 with remainder 10 written as 0: a trailing 0 is reached from two payloads -----
    {
      const zeros = items.filter((it) => classOf(it.kassenzeichen) === 'mod11z' && it.kassenzeichen.endsWith('0') && !used.has(it.id));
      let done = false;
      for (let t = 0; t < 400 && !done; t++) {
        const landed = pick(zeros);
        const alt = slips(landed.kassenzeichen).filter((s) => s.kind === 'substitution' && !used.has(byRef.get(s.ref)!.id));
        if (alt.length === 0) continue;
        const meant = byRef.get(pick(alt).ref)!;
        meant.openMinor = landed.openMinor;
        meant.amountMinor = landed.amountMinor;
        used.add(meant.id);
        used.add(landed.id);
        push('mod11-trailing-zero', { amount: eur(meant.openMinor), name: person(), iban: ibanOf(), remittance: [landed.kassenzeichen] }, truthOf('slip', [[meant, meant.openMinor]], false, meant.openMinor));
        done = true;
      }
    }
    // --- a list of references with one slipped: the sum matches either way ---------------------
    {
      const a = freshItem();
      const b = freshItem();
      const { meant, landed } = slipPair(undefined);
      const sum = a.openMinor + b.openMinor + meant.openMinor;
      push(
        'list-with-slip',
        { amount: eur(sum), name: r() < 0.5 ? a.debtorName : person(), iban: ibanOf(), remittance: [`Rechnungen ${a.kassenzeichen}, ${landed.kassenzeichen}, ${b.kassenzeichen}`] },
        truthOf('multi', [[a, a.openMinor], [meant, meant.openMinor], [b, b.openMinor]], false, sum),
      );
    }
    // --- IBANs and account numbers in the text --------------------------------------------------
    {
      const own = freshItem();
      const decoy = freshItem(classOf(own.kassenzeichen) === 'bg' ? 'luhn' : undefined);
      decoy.openMinor = own.openMinor;
      decoy.amountMinor = own.amountMinor;
      const digits = decoy.kassenzeichen.replace(/^[A-Z]+/, '');
      // "DE65 5100 0051 0402 …": the groups after the check digits spell another item's reference.
      const grouped = (digits + String(Math.floor(r() * 1e8)).padStart(8, '0')).replace(/(\d{4})(?=\d)/g, '$1 ');
      const withRef = r() < 0.5;
      const cut = r() < 0.5;
      const iban = `DE${String(10 + Math.floor(r() * 89))} ${cut ? grouped.slice(0, 14) + ' …' : grouped}`;
      const line = `${pick(['Bitte Erstattung auf IBAN', 'Konto:', 'IBAN'])} ${iban}${withRef ? ` KZ ${own.kassenzeichen}` : ''}`;
      push('iban-in-text', { amount: eur(own.openMinor), name: `${pick(FIRST)} ${pick(['Quast', 'Renner', 'Sauer', 'Timm'])}`, iban: ibanOf(), remittance: [line] }, truthOf(withRef ? 'clean' : 'unknown', withRef ? [[own, own.openMinor]] : [], false, own.openMinor));
    }
    // --- learned payer IBANs: a property manager's account learned for one client --------------
    {
      const { meant, landed } = slipPair(undefined);
      const manager = ibanOf();
      known.set(manager, [{ debtorNameKey: keyOf(landed.debtorName), confirmations: 5 }]);
      push('learned-iban', { amount: eur(meant.openMinor), name: 'Hausverwaltung Sonnenhof GmbH', iban: manager, remittance: [`Objekt 12 KZ ${landed.kassenzeichen}`] }, truthOf('slip', [[meant, meant.openMinor]], false, meant.openMinor));
    }
    // --- names that careless folding merges --------------------------------------------------------
    {
      const [a, b] = pick(NEAR_NAMES);
      const { meant, landed } = slipPair(undefined);
      // The payer pays their own item and slips onto the item of someone whose name folds into theirs.
      landed.debtorName = a;
      meant.debtorName = b;
      push('name-folding', { amount: eur(meant.openMinor), name: b, iban: ibanOf(), remittance: [`KZ ${landed.kassenzeichen}`] }, truthOf('slip', [[meant, meant.openMinor]], false, meant.openMinor));
    }
    // --- an over-payment whose surplus is exactly another item of the same payer -------------------
    {
      const x = freshItem();
      const y = freshItem();
      y.debtorName = x.debtorName;
      const iban = ibanOf();
      x.debtorIban = iban;
      y.debtorIban = iban;
      push(
        'surplus-is-other-item',
        { amount: eur(x.openMinor + y.openMinor), name: x.debtorName, iban, remittance: [`Kassenzeichen ${x.kassenzeichen}`] },
        truthOf('over', [[x, x.openMinor], [y, y.openMinor]], false, x.openMinor + y.openMinor),
      );
    }
    // --- returns: a bounced refund of ours must not reverse the citizen's receipt --------------------
    {
      const it = freshItem();
      const iban = ibanOf();
      const receipt = push('bounced-refund', { amount: eur(it.openMinor), name: it.debtorName, iban, e2e: `E2E-R-${seed}-${f}`, remittance: [`KZ ${it.kassenzeichen}`] }, truthOf('clean', [[it, it.openMinor]], true, it.openMinor));
      push(
        'bounced-refund',
        { amount: eur(it.openMinor), credit: true, name: it.debtorName, iban, returnReason: pick(['AC04', 'AC01', 'MD07']), gvc: '159', remittance: [`RUECKUEBERWEISUNG Erstattung KZ ${it.kassenzeichen}`] },
        { ...truthOf('refund-returned', [], false, it.openMinor), of: `not ${receipt}` },
      );
    }
    {
      const it = freshItem();
      const iban = ibanOf();
      const receipt = push('return-in-words', { amount: eur(it.openMinor), name: it.debtorName, iban, remittance: [`KZ ${it.kassenzeichen}`] }, truthOf('clean', [[it, it.openMinor]], true, it.openMinor));
      push(
        'return-in-words',
        { amount: eur(it.openMinor), credit: false, name: it.debtorName, iban, gvc: '', remittance: [`${pick(['RUECKLASTSCHRIFT', 'RUECKUEBERWEISUNG', 'Rücküberweisung'])} ${it.kassenzeichen}`] },
        { kind: 'return', allocations: [], auto: false, of: receipt },
      );
    }
  }

  // --- a payer with more items than a lookup returns (a property manager), and the cap's edges ------
  for (const count of [199, 200, 201, 450]) {
    const name = `Immobilien ${pick(LAST)} ${['Nord', 'Süd', 'West', 'Ost'][count % 4]} GmbH`;
    const iban = ibanOf();
    let last: MatchableItem | undefined;
    for (let k = 0; k < count; k++) {
      last = addItem(`HV${seed}${String(count).padStart(3, '0')}${String(k).padStart(5, '0')}`, 2000n + BigInt(k % 50) * 100n, name, { debtorIban: iban });
      used.add(last.id);
    }
    // The one item of this amount is the last one issued: beyond any cap on the name lookup.
    last!.openMinor = 987654n;
    last!.amountMinor = 987654n;
    push('big-payer', { amount: eur(last!.openMinor), name, iban, remittance: ['Sammelzahlung Betriebskosten'] }, truthOf('nameonly', [[last!, last!.openMinor]], false, last!.openMinor));
  }
  // --- identical items of one debtor without reference: "ambiguous", a guess ----------------------
  for (let f = 0; f < Math.ceil(perFamily / 2); f++) {
    const name = `${pick(FIRST)} ${pick(LAST)}-${pick(LAST)}`;
    const a = addItem(`BG2027${String(900000 + seed * 100 + f * 2).padStart(6, '0')}`, 4250n, name, { dueDate: '2026-10-01' });
    const b = addItem(`BG2027${String(900001 + seed * 100 + f * 2).padStart(6, '0')}`, 4250n, name, { dueDate: '2026-10-01' });
    used.add(a.id);
    used.add(b.id);
    push('identical-items', { amount: '42.50', name, iban: ibanOf(), remittance: ['Verwarnungsgeld'] }, truthOf('ambiguous', [[a, 4250n]], false, 4250n), /ambiguous/);
  }
  // --- near misses around an exact hit: the payer's own item is one slip from what they typed -------
  for (let f = 0; f < perFamily; f++) {
    const { meant, landed } = slipPair(undefined);
    const iban = ibanOf();
    meant.debtorIban = iban;
    // A stranger's item (a namesake without an IBAN on file would be a case of its own).
    if (landed.debtorName === meant.debtorName) landed.debtorName = `${meant.debtorName}-Neumann`;
    push('near-miss-around-exact', { amount: eur(meant.openMinor), name: meant.debtorName, iban, remittance: [`KZ ${landed.kassenzeichen}`] }, truthOf('slip', [[meant, meant.openMinor]], false, meant.openMinor));
  }
  // --- threshold edges: learned IBAN with one confirmation too few, and with enough ---------------
  for (let f = 0; f < Math.ceil(perFamily / 2); f++) {
    const { meant, landed } = slipPair(undefined);
    const iban = ibanOf();
    known.set(iban, [{ debtorNameKey: keyOf(landed.debtorName), confirmations: 1 + (f % 2) }]);
    push('threshold-edges', { amount: eur(meant.openMinor), name: otherFirst(landed.debtorName, landed.debtorName), iban, remittance: [landed.kassenzeichen] }, truthOf('slip', [[meant, meant.openMinor]], false, meant.openMinor));
  }
  return { items, txs, known };
}

function classOf(ref: string): Cls | 'other' {
  if (ref.startsWith('BG')) return 'bg';
  if (ref.startsWith('33000')) return 'mod11z';
  if (/^5[123]000/.test(ref)) return 'luhn';
  return 'other';
}

/** Mod 11, weights 2–7 from the right, remainder 10 written as 0 (as some finance systems do). */
function mod11z(payload: string): string {
  let sum = 0;
  for (let i = payload.length - 1, k = 0; i >= 0; i--, k++) sum += (payload.charCodeAt(i) - 48) * [2, 3, 4, 5, 6, 7][k % 6]!;
  const c = (11 - (sum % 11)) % 11;
  return String(c === 10 ? 0 : c);
}
