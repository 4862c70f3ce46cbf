/**
 * Synthetic receivables days with known truth, for reference formats and proportions the two
 * sample days do not have: the defence against tuning the matcher to the samples.
 *
 * A "municipality" draws 2–3 reference formats (pure digits with mod 97-10, luhn or mod 11; letter
 * prefixes without check digit; letter prefix + digits with luhn), issues dense serial
 * Kassenzeichen, and a day of payments with the phenomena of a real account, each with the
 * truth a careful clerk would record. `auto: true` means a careful system can book it without a
 * person; typos count as such only when exactly one item is one slip away and the slip does not
 * land on another real item.
 */
import { computeCheckDigits, canComputeCheckDigits } from '../../src/references/checkDigits.js';
import { toRfReference } from '../../src/references/rf.js';
import { formatMinor } from '../../src/money/money.js';
import type { MatchableItem } from '../../src/matching/types.js';
import type { ScenarioTx, TruthTx } from './scenarioData.js';
import { seededRandom as rng } from '../support/random.js';

/** Seeded, so a seed reproduces a day exactly. */
export { rng };

type Alg = 'luhn' | 'mod11' | 'mod97-10' | 'none';
interface Format {
  prefix: string;
  /** Digits of the serial part incl. any fixed leading digits (without check digits). */
  payloadLength: number;
  lead: string;
  alg: Alg;
}

const FIRST = ['Anna', 'Ben', 'Clara', 'David', 'Elif', 'Frank', 'Gül', 'Hans', 'Ines', 'Jörg', 'Katrin', 'Lars', 'Merve', 'Nils', 'Olga', 'Peter', 'Rüdiger', 'Sven', 'Tanja', 'Ulrike', 'Volker', 'Wiebke', 'Yusuf', 'Zoë', 'Agnieszka', 'Björn', 'Carsten', 'Dilara', 'Emil', 'Frieda', 'Greta', 'Holger', 'Ida', 'Jannik', 'Kübra', 'Leonie', 'Malte', 'Nora', 'Oskar', 'Paula'];
const LAST = ['Albrecht', 'Böhm', 'Dietrich', 'Engel', 'Fuchs', 'Günther', 'Haas', 'Jäger', 'Kühn', 'Lorenz', 'Möller', 'Nagel', 'Otto', 'Pohl', 'Roth', 'Scholz', 'Thiel', 'Voigt', 'Weiß', 'Ziegler', 'Şahin', 'Öztürk', 'Arslan', 'Brandt', 'Claßen', 'Dörr', 'Ebert', 'Franke', 'Graf', 'Hahn', 'Iwanow', 'Jung', 'Keller', 'Lange', 'Marx', 'Neubauer', 'Opitz', 'Petersen', 'Quast', 'Renner', 'Sauer', 'Timm', 'Unger', 'Vogel', 'Winter', 'Zimmer'];
const FIRMS = ['Bau GmbH', 'Logistik GmbH', 'Immobilien KG', 'Pflege gGmbH'];
const AMOUNTS = [1000n, 1500n, 2000n, 2500n, 3000n, 3500n, 5500n, 1000n, 2500n, 3500n, 7000n, 12850n, 4250n, 9900n, 18540n, 3070n, 2495n, 8850n, 31218n, 4000n];

export interface SyntheticDay {
  items: MatchableItem[];
  txs: ScenarioTx[];
  truth: Record<string, TruthTx>;
  formats: Format[];
}

export interface SyntheticOptions {
  items?: number;
  transactions?: number;
}

export function syntheticDay(seed: number, opts: SyntheticOptions = {}): SyntheticDay {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  const nItems = opts.items ?? 2500;
  const nTx = opts.transactions ?? 500;

  const pool: Format[] = [
    { prefix: '', payloadLength: 10, lead: '7', alg: 'mod97-10' },
    { prefix: '', payloadLength: 9, lead: '4', alg: 'luhn' },
    { prefix: '', payloadLength: 10, lead: '8', alg: 'mod11' },
    { prefix: 'AZ', payloadLength: 8, lead: '', alg: 'none' },
    { prefix: 'KA', payloadLength: 9, lead: '20', alg: 'none' },
    { prefix: 'VG', payloadLength: 8, lead: '', alg: 'luhn' },
  ];
  const nFormats = 2 + Math.floor(r() * 2);
  const formats: Format[] = [];
  while (formats.length < nFormats) {
    const f = pick(pool);
    if (!formats.includes(f)) formats.push(f);
  }

  // Dense serials: each format issues consecutive numbers from a random start.
  const counters = formats.map((f) => Math.floor(r() * 10 ** Math.min(6, f.payloadLength - f.lead.length - 1)));
  const issue = (fi: number): string => {
    const f = formats[fi]!;
    for (;;) {
      const serial = String(counters[fi]!++).padStart(f.payloadLength - f.lead.length, '0');
      const payload = f.lead + serial;
      if (f.alg !== 'none' && !canComputeCheckDigits(f.alg, payload)) continue;
      return f.prefix + payload + (f.alg === 'none' ? '' : computeCheckDigits(f.alg, payload));
    }
  };

  const people: Array<{ name: string; iban: string }> = [];
  for (let i = 0; i < Math.floor(nItems / 2); i++) {
    const name = chance(0.1) ? `${pick(LAST)} ${pick(FIRMS)}` : `${pick(FIRST)} ${pick(LAST)}`;
    people.push({ name, iban: `DE${String(10 + Math.floor(r() * 89))}${String(Math.floor(r() * 1e9)).padStart(9, '0')}${String(Math.floor(r() * 1e9)).padStart(9, '0')}` });
  }
  const items: MatchableItem[] = [];
  const owner: number[] = [];
  for (let i = 0; i < nItems; i++) {
    const pi = Math.floor(r() * people.length);
    const amt = pick(AMOUNTS);
    const paid = chance(0.03);
    items.push({
      id: `s${seed}-${i}`,
      kassenzeichen: issue(Math.floor(r() * formats.length)),
      openMinor: paid ? 0n : amt,
      amountMinor: amt,
      currency: 'EUR',
      debtorName: people[pi]!.name,
      ...(chance(0.3) ? { debtorIban: people[pi]!.iban } : {}),
      category: 'fine',
      dueDate: `2026-${String(9 + Math.floor(r() * 3)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`,
      status: paid ? 'paid' : 'open',
    });
    owner.push(pi);
  }
  const byRef = new Map(items.map((it) => [it.kassenzeichen, it]));
  const openItems = items.filter((it) => it.openMinor > 0n);
  const paidItems = items.filter((it) => it.openMinor === 0n);
  const used = new Set<string>();
  const fresh = (): MatchableItem => {
    for (let k = 0; k < 50; k++) {
      const it = pick(openItems);
      if (!used.has(it.id)) {
        used.add(it.id);
        return it;
      }
    }
    return pick(openItems);
  };
  const ownerOf = (it: MatchableItem): { name: string; iban: string } => people[owner[items.indexOf(it)]!]!;

  const spell = (ref: string): string => {
    const m = /^([A-Z]*)(\d+)$/.exec(ref)!;
    const [pre, d] = [m[1]!, m[2]!];
    switch (Math.floor(r() * 7)) {
      case 0:
        return ref;
      case 1:
        return ref.toLowerCase();
      case 2:
        return (pre ? pre + ' ' : '') + d.replace(/(\d{3})(?=\d)/g, '$1.');
      case 3:
        return (pre ? pre + '-' : '') + d.slice(0, 4) + '-' + d.slice(4);
      case 4:
        return (pre ? pre + ' ' : '') + d.slice(0, 5) + ' ' + d.slice(5);
      case 5:
        return pre + d.slice(0, -1) + '-' + d.slice(-1);
      default:
        return (pre ? pre + ' ' : '') + d;
    }
  };
  const label = (): string => pick(['', 'KZ ', 'Kassenz. ', 'Kassenzeichen: ', 'Az. ', 'Aktenzeichen ', 'Ref ', 'Rechnung ', 'Kundennr. ']);
  const noise = (): string =>
    pick(['', '', ` Tel 0${Math.floor(1e9 + r() * 8e9)}`, ` vom ${1 + Math.floor(r() * 27)}.0${1 + Math.floor(r() * 8)}.2026`, ` Kennz. B-${pick(['AB', 'XY', 'QK'])} ${Math.floor(100 + r() * 9000)}`, ` Buchung ${Math.floor(1e6 + r() * 8e6)}`, ' Gruss', ' Danke']);
  const typo = (ref: string): string => {
    const m = /^([A-Z]*)(\d+)$/.exec(ref)!;
    const d = m[2]!;
    const i = Math.floor(r() * d.length);
    switch (Math.floor(r() * 4)) {
      case 0:
        return m[1] + d.slice(0, i) + String((Number(d[i]) + 1 + Math.floor(r() * 9)) % 10) + d.slice(i + 1);
      case 1: {
        const j = Math.min(i, d.length - 2);
        return m[1] + d.slice(0, j) + d[j + 1] + d[j] + d.slice(j + 2);
      }
      case 2:
        return m[1] + d.slice(0, i) + d.slice(i + 1);
      default:
        return m[1] + d.slice(0, i) + String(Math.floor(r() * 10)) + d.slice(i);
    }
  };
  const oneSlip = (token: string): MatchableItem[] => {
    const out: MatchableItem[] = [];
    for (const it of items) if (it.kassenzeichen !== token && editDistanceOne(it.kassenzeichen, token)) out.push(it);
    return out;
  };

  // Proportions differ per municipality.
  const weights: Record<string, number> = {
    clean: 40 + r() * 20,
    split: 2 + r() * 6,
    struct: 3 + r() * 8,
    e2e: 1 + r() * 5,
    multi: 2 + r() * 6,
    partial: 2 + r() * 5,
    over: 1 + r() * 4,
    third: 2 + r() * 6,
    typo: 4 + r() * 8,
    nameonly: 3 + r() * 6,
    unknown: 2 + r() * 6,
    double: 1 + r() * 2,
    debit: 2 + r() * 5,
    charge: 0.5 + r(),
    return: 1 + r() * 3,
  };
  const kinds = Object.keys(weights);
  const total = kinds.reduce((s, k) => s + weights[k]!, 0);
  const drawKind = (): string => {
    let x = r() * total;
    for (const k of kinds) if ((x -= weights[k]!) < 0) return k;
    return 'clean';
  };

  const txs: ScenarioTx[] = [];
  const truth: Record<string, TruthTx> = {};
  const receipts: Array<{ ref: string; amount: bigint; name: string; iban: string }> = [];
  let entryNo = 0;
  let pspOpen: { entryRef: string; n: number; left: number } | undefined;
  const fmt = (m: bigint): string => formatMinor(m, 'EUR');

  for (let t = 0; t < nTx; t++) {
    const kind = drawKind();
    let entryRef: string;
    let txIndex = 0;
    const canPsp = !['debit', 'charge', 'return'].includes(kind);
    if (pspOpen && pspOpen.left > 0 && canPsp) {
      entryRef = pspOpen.entryRef;
      txIndex = pspOpen.n - pspOpen.left--;
    } else if (canPsp && chance(0.05)) {
      const n = 3 + Math.floor(r() * 6);
      pspOpen = { entryRef: `S${seed}E${++entryNo}`, n, left: n - 1 };
      entryRef = pspOpen.entryRef;
    } else {
      entryRef = `S${seed}E${++entryNo}`;
    }
    const key = `${entryRef}#${txIndex}`;
    const base: ScenarioTx = { key, entryRef, txIndex, amountMinor: 0n, currency: 'EUR', creditDebit: 'CRDT', reversal: false, remittanceLines: [], creditorReferences: [], endToEndId: txIndex > 0 || pspOpen?.entryRef === entryRef ? `PSP${Math.floor(1e9 + r() * 8e9)}` : 'NOTPROVIDED', bankTransactionCode: { domain: 'PMNT', family: 'RCDT', subFamily: 'ESCT' }, gvc: '166' };
    const payerOf = (it: MatchableItem): Pick<ScenarioTx, 'debtorName' | 'debtorIban'> => {
      const o = ownerOf(it);
      const n = chance(0.3) ? o.name.toUpperCase() : chance(0.2) ? o.name.split(' ').reverse().join(', ') : o.name;
      return { debtorName: n.replace(/ö/g, chance(0.5) ? 'oe' : 'ö'), debtorIban: o.iban };
    };
    let tx: ScenarioTx = base;
    let tr: TruthTx;
    switch (kind) {
      case 'clean':
      case 'split':
      case 'struct':
      case 'e2e':
      case 'partial':
      case 'over':
      case 'third': {
        const it = fresh();
        let amount = it.openMinor;
        if (kind === 'partial') amount = (it.openMinor * BigInt(1 + Math.floor(r() * 8))) / 10n || 1n;
        if (kind === 'over') amount = it.openMinor + pick([1n, 100n, 500n, it.openMinor]);
        tx = { ...base, amountMinor: amount, ...payerOf(it) };
        const text = `${label()}${spell(it.kassenzeichen)}`;
        if (kind === 'split') {
          const full = `${pick(['Zahlung ', 'Verwarngeld ', 'Rate 2 ', ''])}${text}`;
          const cut = full.length - 1 - Math.floor(r() * Math.min(8, full.length - 3));
          tx.remittanceLines = [full.slice(0, cut), full.slice(cut)];
        } else if (kind === 'struct') {
          tx.creditorReferences = [{ reference: chance(0.5) ? toRfReference(it.kassenzeichen) : it.kassenzeichen, type: 'SCOR' }];
          tx.remittanceLines = chance(0.5) ? [pick(['Gruss', 'Rate 3', 'Bibliothek'])] : [];
        } else if (kind === 'e2e') {
          tx.endToEndId = it.kassenzeichen;
          tx.remittanceLines = [pick(['Verwarnungsgeld', 'Reisepass', 'vielen Dank'])];
        } else {
          tx.remittanceLines = [`${text}${noise()}`];
        }
        if (kind === 'third') {
          const other = pick(people);
          tx.debtorName = other.name;
          tx.debtorIban = other.iban;
          if (chance(0.7)) tx.ultimateDebtorName = ownerOf(it).name;
        }
        const alloc = amount < it.openMinor ? amount : it.openMinor;
        tr = { kind, allocations: [{ kassenzeichen: it.kassenzeichen, amount: fmt(alloc) }], auto: true };
        receipts.push({ ref: it.kassenzeichen, amount, name: tx.debtorName!, iban: tx.debtorIban! });
        break;
      }
      case 'multi': {
        const n = 2 + (chance(0.3) ? 1 : 0);
        const its = Array.from({ length: n }, fresh);
        const sum = its.reduce((s, i) => s + i.openMinor, 0n);
        tx = { ...base, amountMinor: sum, ...payerOf(its[0]!), remittanceLines: [`${label()}${its.map((i) => spell(i.kassenzeichen)).join(pick([' und ', ', ', ' + ', ' / ']))}`] };
        tr = { kind, allocations: its.map((i) => ({ kassenzeichen: i.kassenzeichen, amount: fmt(i.openMinor) })), auto: true };
        break;
      }
      case 'typo': {
        const it = fresh();
        let token = typo(it.kassenzeichen);
        if (token === it.kassenzeichen) token = typo(it.kassenzeichen);
        tx = { ...base, amountMinor: it.openMinor, ...payerOf(it), remittanceLines: [`${label()}${token}${noise()}`] };
        const landsOnOther = byRef.has(token) && token !== it.kassenzeichen;
        const unique = !landsOnOther && oneSlip(token).length === 1;
        tr = { kind: landsOnOther ? 'typo-hits-other' : 'typo', allocations: [{ kassenzeichen: it.kassenzeichen, amount: fmt(it.openMinor) }], auto: unique && token !== it.kassenzeichen };
        break;
      }
      case 'nameonly': {
        const it = fresh();
        tx = { ...base, amountMinor: it.openMinor, ...payerOf(it), remittanceLines: chance(0.5) ? [pick(['Zahlung', 'Verwarnungsgeld', 'Parkverstoss vom 02.09.2026'])] : [] };
        tr = { kind, allocations: [{ kassenzeichen: it.kassenzeichen, amount: fmt(it.openMinor) }], auto: false };
        break;
      }
      case 'unknown': {
        // A reference in the right format that was never issued (a later serial).
        const fi = Math.floor(r() * formats.length);
        counters[fi] = counters[fi]! + 1 + Math.floor(r() * 50);
        const ghost = issue(fi);
        const p = pick(people);
        tx = { ...base, amountMinor: pick(AMOUNTS), debtorName: p.name, debtorIban: p.iban, remittanceLines: [`${label()}${spell(ghost)}`] };
        tr = { kind, allocations: [], auto: false };
        break;
      }
      case 'double': {
        const it = paidItems.length > 0 ? pick(paidItems) : fresh();
        tx = { ...base, amountMinor: it.amountMinor, ...payerOf(it), remittanceLines: [`${label()}${spell(it.kassenzeichen)}`] };
        // Money for an item already paid: a person decides (refund or another item).
        tr = { kind, allocations: [{ kassenzeichen: it.kassenzeichen, amount: fmt(it.amountMinor) }], auto: false };
        break;
      }
      case 'debit':
        tx = { ...base, creditDebit: 'DBIT', amountMinor: BigInt(10000 + Math.floor(r() * 400000)), debtorName: 'Stadtwerke GmbH', remittanceLines: [`Auszahlung ${Math.floor(1e6 + r() * 8e6)}`], bankTransactionCode: { domain: 'PMNT', family: 'ICDT', subFamily: 'ESCT' }, gvc: '116' };
        tr = { kind: 'debit', allocations: [], auto: false };
        break;
      case 'charge':
        tx = { ...base, creditDebit: 'DBIT', amountMinor: BigInt(100 + Math.floor(r() * 5000)), remittanceLines: ['Entgelt Kontofuehrung'], bankTransactionCode: { domain: 'ACMT', family: 'MDOP', subFamily: 'CHRG' }, gvc: '805' };
        tr = { kind: 'debit', allocations: [], auto: false };
        break;
      default: {
        // return: an earlier receipt comes back, quoting its reference; the code varies by bank.
        const prev = receipts.length > 0 ? pick(receipts) : { ref: pick(openItems).kassenzeichen, amount: 3500n, name: 'X Y', iban: 'DE00' };
        const how = Math.floor(r() * 3);
        tx = {
          ...base,
          creditDebit: 'DBIT',
          amountMinor: prev.amount,
          debtorName: prev.name,
          debtorIban: prev.iban,
          remittanceLines: [`${pick(['RUECKUEBERWEISUNG', 'Retoure', 'RETURN'])} ${pick(['AC04', 'MD07', 'AC01', 'AM04'])} ${label()}${spell(prev.ref)}`],
          ...(how === 0 ? { returnReasonCode: pick(['AC04', 'MD07', 'AC01']) } : {}),
          bankTransactionCode: { domain: 'PMNT', family: 'ICDT', subFamily: how === 1 ? 'RRTN' : 'ESCT' },
          gvc: how === 2 ? '159' : '116',
        };
        tr = { kind: 'return', allocations: [], auto: false };
      }
    }
    txs.push(tx);
    truth[key] = tr;
  }
  return { items, txs, truth, formats };
}

function editDistanceOne(a: string, b: string): boolean {
  if (a === b) return false;
  if (Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diff: number[] = [];
    for (let i = 0; i < a.length && diff.length <= 2; i++) if (a[i] !== b[i]) diff.push(i);
    if (diff.length === 1) return true;
    return diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!];
  }
  const [s, l] = a.length < b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < s.length && s[i] === l[i]) i++;
  return s.slice(i) === l.slice(i + 1);
}
