import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BalanceMismatchError, LimitExceededError, UnsupportedFormatError, ValidationError } from '../../src/errors.js';
import { assertBalanced, checkBatch } from '../../src/camt/checks.js';
import { entryDedupeKey, statementFingerprint } from '../../src/camt/identity.js';
import { parseCamt, readCamt } from '../../src/camt/read.js';
import type { Entry } from '../../src/camt/model.js';
import { chunked, fixtureDir, readBytes, repoRoot } from './helpers.js';

const municipal = readFileSync(path.join(fixtureDir, 'camt053.v08.municipal-day.xml'), 'utf8');

function statement(entries: string, opts: { ns?: string; balances?: string } = {}): string {
  const ns = opts.ns ?? 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08';
  return `<?xml version="1.0"?><Document xmlns="${ns}"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId></GrpHdr><Stmt><Id>S1</Id>` +
    `<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>${opts.balances ?? ''}${entries}</Stmt></BkToCstmrStmt></Document>`;
}
const entry = (amt: string, cd = 'CRDT', extra = ''): string =>
  `<Ntry><Amt Ccy="EUR">${amt}</Amt><CdtDbtInd>${cd}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt>${extra}</Ntry>`;

async function refusal(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected the input to be refused');
    },
    (e: unknown) => e as Error,
  );
}

describe('readCamt events', () => {
  it('emits document, record, entries, recordEnd with the balance check, documentEnd – in that order', async () => {
    const types: string[] = [];
    let check;
    for await (const ev of readCamt(municipal, { fileName: 'day.xml' })) {
      types.push(ev.type);
      if (ev.type === 'recordEnd') {
        check = ev.check;
        expect(ev.entryCount).toBe(5);
        // AddtlStmtInf comes after the entries: the closing header has it, the opening could not.
        expect(ev.header.additionalInfo).toBe('Tagesauszug 62/2024');
      }
      if (ev.type === 'document') expect(ev.file).toBe('day.xml');
    }
    expect(types).toEqual(['document', 'record', 'entry', 'entry', 'entry', 'entry', 'entry', 'recordEnd', 'documentEnd']);
    expect(check).toMatchObject({ status: 'ok', opening: 12500000n, closing: 12672059n, bookedSum: 172059n, differenceMinor: 0n });
  });

  it('names ZIP members as archive.zip!/member.xml', async () => {
    const files: string[] = [];
    for await (const ev of readCamt(readBytes(path.join(fixtureDir, 'camt053.two-statements.zip')), { fileName: 'kontoauszuege.zip' })) {
      if (ev.type === 'document') files.push(ev.file);
    }
    expect(files).toEqual(['kontoauszuege.zip!/auszuege/2025-01-02_A.xml', 'kontoauszuege.zip!/auszuege/2024-02-29_B.xml']);
  });

  it('reports progress in bytes and entries', async () => {
    const seen: Array<{ bytes: number; entries: number }> = [];
    const bytes = new TextEncoder().encode(municipal);
    for await (const _ of readCamt(chunked(bytes, 1000), { onProgress: (p) => seen.push(p) })) void _;
    expect(seen.at(-1)).toEqual({ bytes: bytes.length, entries: 5 });
    expect(seen.length).toBeGreaterThan(5);
  });

  it('reads a statement given as several Stmt in one message, each with its own check', async () => {
    const two = statement(entry('1.00')).replace('</Stmt>', `</Stmt><Stmt><Id>S2</Id><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id></Acct>${entry('2.00')}</Stmt>`);
    const [m] = await parseCamt(two);
    expect(m!.statements.map((s) => [s.id, s.index, s.entries.length, s.entries[0]!.amount.minor])).toEqual([
      ['S1', 0, 1, 100n],
      ['S2', 1, 1, 200n],
    ]);
  });
});

describe('hostile and broken input', () => {
  it('refuses a DOCTYPE even when it is split across chunks', async () => {
    const xml = '<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "http://example.org/evil.dtd">\n<Document/>';
    const err = await refusal(parseCamt(xml));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).location).toMatchObject({ line: 2, column: 1 });
  });

  it.each([
    ['entriesPerFile', { entriesPerFile: 2 }, statement(entry('1.00') + entry('2.00') + entry('3.00'))],
    ['entryBytes', { entryBytes: 200 }, statement(entry('1.00', 'CRDT', `<AddtlNtryInf>${'x'.repeat(300)}</AddtlNtryInf>`))],
    ['textLength', { textLength: 50 }, statement(entry('1.00', 'CRDT', `<AddtlNtryInf>${'x'.repeat(60)}</AddtlNtryInf>`))],
    ['xmlDepth', { xmlDepth: 6 }, statement(entry('1.00', 'CRDT', '<NtryDtls><TxDtls><Refs><EndToEndId>E</EndToEndId></Refs></TxDtls></NtryDtls>'))],
    ['transactionsPerEntry', { transactionsPerEntry: 1 }, statement(entry('1.00', 'CRDT', '<NtryDtls><TxDtls/><TxDtls/></NtryDtls>'))],
    ['statementFileBytes', { statementFileBytes: 100 }, statement(entry('1.00'))],
  ])('names the limit %s when it is exceeded', async (limit, limits, xml) => {
    const err = await refusal(parseCamt(new TextEncoder().encode(xml), { limits, fileName: 'x.xml' }));
    expect(err).toBeInstanceOf(LimitExceededError);
    expect((err as LimitExceededError).limit).toBe(limit);
    expect(err.message).toContain(limit);
  });

  it('stops a zip bomb at zipUncompressedBytes without inflating it whole', async () => {
    const big = new Uint8Array(50 * 1024 * 1024).fill(0x20); // 50 MB of spaces compress to ~50 KB
    big.set(strToU8('<Document>'), 0);
    const zip = zipSync({ 'bomb.xml': big }, { level: 9 });
    expect(zip.length).toBeLessThan(200 * 1024);
    const err = await refusal(parseCamt(zip, { fileName: 'bomb.zip', limits: { zipUncompressedBytes: 1024 * 1024 } }));
    expect(err).toBeInstanceOf(LimitExceededError);
    expect((err as LimitExceededError).limit).toBe('zipUncompressedBytes');
  });

  it('refuses a ZIP with more members than zipMembers', async () => {
    const doc = strToU8(municipal);
    const zip = zipSync({ 'a.xml': doc, 'b.xml': doc, 'c.xml': doc });
    const err = await refusal(parseCamt(zip, { fileName: 'many.zip', limits: { zipMembers: 2 } }));
    expect((err as LimitExceededError).limit).toBe('zipMembers');
  });

  it('says which ZIP member is broken', async () => {
    const zip = zipSync({ 'ok.xml': strToU8(municipal), 'bad.xml': strToU8('<Document><BkToCstmrStmt>') });
    const err = await refusal(parseCamt(zip, { fileName: 'mixed.zip' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('mixed.zip!/bad.xml');
    expect(err.message).toContain('unclosed element <BkToCstmrStmt>');
  });

  it.each([
    ['urn:weird-namespace', 'urn:weird-namespace'],
    ['urn:iso:std:iso:20022:tech:xsd:camt', 'urn:iso:std:iso:20022:tech:xsd:camt"'],
    ['urn:iso:std:iso:20022:tech:xsd:pain.001.001.03', 'pain.001.001.03'],
    ['urn:iso:std:iso:20022:tech:xsd:camt.053.001.15', 'camt version we do not read'],
  ])('refuses the namespace %s with UnsupportedFormatError naming it', async (ns, says) => {
    const err = await refusal(parseCamt(statement(entry('1.00'), { ns })));
    expect(err).toBeInstanceOf(UnsupportedFormatError);
    expect(err.message).toContain(says);
  });

  it('refuses a message element that does not match the namespace', async () => {
    const xml = statement(entry('1.00')).replace('camt.053.001.08', 'camt.052.001.08');
    const err = await refusal(parseCamt(xml));
    expect(err.message).toContain('the message element is <BkToCstmrStmt> instead of <BkToCstmrAcctRpt>');
  });

  it('refuses a non-XML upload and a file that is not camt', async () => {
    expect(await refusal(parseCamt('Buchungstag;Betrag\n02.01.2024;12,00'))).toBeInstanceOf(ValidationError);
    const err = await refusal(parseCamt('<html><body>hi</body></html>'));
    expect(err).toBeInstanceOf(UnsupportedFormatError);
    expect(err.message).toContain('root element is <html>');
  });

  it.each([
    ['<Document><a></b></Document>', 'unclosed element <a> opened at line 1, column 11: found </b>'],
    ['<Document>\n<a x="1" y></a></Document>', 'attributes of <a> are not well-formed'],
    ['<Document/><Document/>', 'a second root element <Document>'],
    ['<Document/>trailing', 'text after the end of the root element'],
    ['<Document><!-- never closed', 'the file ends inside markup'],
    ['<Document></Document', 'the file ends inside markup'],
    ['<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n  <BkToCstmrStmt>\n', 'unclosed element <BkToCstmrStmt> opened at line 2, column 3: the file ends at line 3'],
  ])('says what is malformed in %j', async (xml, says) => {
    const err = await refusal(parseCamt(xml, { fileName: 'm.xml' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain(says);
    expect(err.message).toMatch(/^m\.xml line \d+, column \d+: malformed XML: /);
  });

  it('refuses an amount that is not a number, naming file, line and element', async () => {
    const xml = statement('\n' + entry('12..34'));
    const err = await refusal(parseCamt(xml, { fileName: 'a.xml' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('a.xml line 2, Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt: "12..34" is not a decimal amount');
  });

  it('refuses bytes that are not UTF-8 when the declaration does not say otherwise', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('<?xml version="1.0"?><Document>'), 0xfc, ...new TextEncoder().encode('</Document>')]);
    const err = await refusal(parseCamt(bytes, { fileName: 'l.xml' }));
    expect(err.message).toContain('not valid UTF-8');
    expect(err.message).toContain('ISO-8859-1');
  });
});

describe('balance and batch checks', () => {
  it('assertBalanced throws BalanceMismatchError with statement id and "30.70"', async () => {
    const [m] = await parseCamt(readBytes(path.join(fixtureDir, 'camt053.v08.broken-balance.xml')));
    const s = m!.statements[0]!;
    expect(s.check?.status).toBe('broken');
    let err: unknown;
    try {
      assertBalanced(s.check!, { statementId: s.id, file: 'broken.xml' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BalanceMismatchError);
    expect((err as BalanceMismatchError).message).toContain(s.id);
    expect((err as BalanceMismatchError).details).toMatchObject({ difference: '30.70', differenceMinor: '3070', statementId: s.id });
  });

  it('assertBalanced lets ok and not_checked pass', () => {
    expect(() => assertBalanced({ status: 'ok', bookedSum: 0n, differenceMinor: 0n, reason: '' }, { statementId: 'x' })).not.toThrow();
    expect(() => assertBalanced({ status: 'not_checked', bookedSum: 5n, differenceMinor: 0n, reason: '' }, { statementId: 'x' })).not.toThrow();
  });

  it('counts only BOOK entries and uses ITBD for reports', async () => {
    const [m] = await parseCamt(readBytes(path.join(fixtureDir, 'camt052.v02.intraday.xml')));
    expect(m!.statements[0]!.check).toMatchObject({ status: 'ok', opening: -200000n, closing: -150000n, bookedSum: 50000n });
  });

  it('checkBatch warns when batch details do not add up, and stays silent when they do', async () => {
    const [m] = await parseCamt(readBytes(path.join(fixtureDir, 'camt054.v08.psp-batch.xml')));
    const [good, bad] = m!.statements[0]!.entries as [Entry, Entry];
    expect(checkBatch(good)).toBeUndefined();
    expect(checkBatch(bad)).toContain('add up to 98.00 EUR, the entry amount is 99.00 EUR');
    expect(m!.warnings.some((w) => w.includes('98.00 EUR'))).toBe(true);
  });

  it('marks one TxDtls that says less than its entry: only the entry amount is money that arrived', async () => {
    const [m] = await parseCamt(statement(entry('10.00', 'CRDT', '<NtryDtls><Btch><NbOfTxs>86</NbOfTxs></Btch><TxDtls><Amt Ccy="EUR">3.00</Amt></TxDtls></NtryDtls>')));
    const e = m!.statements[0]!.entries[0]!;
    expect(e.detailsDisagree).toMatchObject({ kind: 'detailBelowEntry', detailsMinor: 300n, details: 1 });
    expect(checkBatch(e)).toContain('its transaction detail says 3.00 EUR, the entry amount is 10.00 EUR');
  });

  it.each([
    ['.6', 60n],
    ['+1.0', 100n],
    ['1.', 100n],
    ['0010.50', 1050n],
  ])('reads the xs:decimal form %s exactly', async (written, minor) => {
    const [m] = await parseCamt(statement(entry('10.00', 'CRDT', `<NtryDtls><TxDtls><AmtDtls><InstdAmt><Amt Ccy="EUR">${written}</Amt></InstdAmt></AmtDtls></TxDtls></NtryDtls>`)));
    expect(m!.statements[0]!.entries[0]!.transactions[0]!.instructedAmount!.minor).toBe(minor);
  });

  it.each([
    ['TxDtls/Amt first', '<TxDtls><Amt Ccy="EUR">4.00</Amt><AmtDtls><InstdAmt><Amt Ccy="EUR">5.00</Amt></InstdAmt><TxAmt><Amt Ccy="EUR">6.00</Amt></TxAmt></AmtDtls></TxDtls>', 400n, 'TxDtls/Amt'],
    ['then AmtDtls/TxAmt', '<TxDtls><AmtDtls><InstdAmt><Amt Ccy="EUR">5.00</Amt></InstdAmt><TxAmt><Amt Ccy="EUR">6.00</Amt></TxAmt></AmtDtls></TxDtls>', 600n, 'AmtDtls/TxAmt'],
    ['then AmtDtls/InstdAmt', '<TxDtls><AmtDtls><InstdAmt><Amt Ccy="EUR">5.00</Amt></InstdAmt></AmtDtls></TxDtls>', 500n, 'AmtDtls/InstdAmt'],
    ['never an amount in another currency', '<TxDtls><AmtDtls><InstdAmt><Amt Ccy="CHF">5.00</Amt></InstdAmt></AmtDtls></TxDtls>', 1000n, 'entry'],
    ['the entry amount for a single detail without one', '<TxDtls><Refs><EndToEndId>X</EndToEndId></Refs></TxDtls>', 1000n, 'entry'],
  ])('takes the transaction amount by precedence: %s', async (_what, tx, minor, source) => {
    const [m] = await parseCamt(statement(entry('10.00', 'CRDT', `<NtryDtls>${tx}</NtryDtls>`)));
    const t = m!.statements[0]!.entries[0]!.transactions[0]!;
    expect([t.amount.minor, t.amountSource]).toEqual([minor, source]);
  });
});

describe('identity across deliveries', () => {
  it('gives a camt.052 booking and the same camt.053 booking one dedupe key', async () => {
    const asReport = municipal
      .replace(/camt\.053\.001\.08/g, 'camt.052.001.08').replace(/BkToCstmrStmt/g, 'BkToCstmrAcctRpt').replace(/<(\/?)Stmt>/g, '<$1Rpt>')
      .replace('AddtlStmtInf', 'AddtlRptInf').replace('</AddtlStmtInf>', '</AddtlRptInf>');
    const [rpt] = await parseCamt(asReport);
    const [stmt] = await parseCamt(municipal);
    const keys = (m: typeof rpt) => m!.statements[0]!.entries.map((e) => entryDedupeKey(m!.statements[0]!, e));
    expect(keys(rpt)).toEqual(keys(stmt));
    expect(new Set(keys(stmt)).size).toBe(5);
    expect(statementFingerprint(rpt!.statements[0]!)).not.toBe(statementFingerprint(stmt!.statements[0]!));
  });

  it('falls back to a content hash without AcctSvcrRef, and tells different bookings apart', async () => {
    const [m] = await parseCamt(statement(entry('1.00') + entry('1.00', 'DBIT') + entry('1.00')));
    const s = m!.statements[0]!;
    const [a, b, c] = s.entries.map((e) => entryDedupeKey(s, e));
    expect(a).toMatch(/^DE89370400440532013000\|h\|[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
    // Identical content, identical key: the caller compares occurrence counts (see identity.ts).
    expect(a).toBe(c);
  });

  it('fingerprints a statement by kind, account, id, sequence number and period', async () => {
    const [m] = await parseCamt(municipal);
    expect(statementFingerprint(m!.statements[0]!)).toBe(
      'camt.053|DE89370400440532013000|2024-03-28-DE89370400440532013000-062|62|2024-03-28T00:00:00+01:00|2024-03-28T23:59:59+01:00',
    );
  });
});

describe('honest decoding: what would be read with an arbitrary meaning is refused where it stands', () => {
  it.each([
    ['a default namespace switched on the amount', entry('1.00').replace('<Amt Ccy="EUR">', '<Amt xmlns="urn:other" Ccy="EUR">'), 'in the namespace "urn:other"'],
    ['an undeclared prefix', entry('1.00').replace('<Amt Ccy="EUR">1.00</Amt>', '<y:Amt Ccy="EUR">1.00</y:Amt>'), 'undeclared prefix "y"'],
    ['two CdtDbtInd in a detail', entry('1.00', 'CRDT', '<NtryDtls><TxDtls><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><CdtDbtInd>CRDT</CdtDbtInd></TxDtls></NtryDtls>'), 'a second <CdtDbtInd> in <TxDtls>'],
    ['two Amt in AmtDtls/InstdAmt', entry('1.00', 'CRDT', '<NtryDtls><TxDtls><AmtDtls><InstdAmt><Amt Ccy="EUR">1.00</Amt><Amt Ccy="EUR">9.00</Amt></InstdAmt></AmtDtls></TxDtls></NtryDtls>'), 'a second <Amt> in <InstdAmt>'],
    ['two remittance informations in a detail', entry('1.00', 'CRDT', '<NtryDtls><TxDtls><RmtInf><Ustrd>KZ 1</Ustrd></RmtInf><RmtInf><Ustrd>KZ 2</Ustrd></RmtInf></TxDtls></NtryDtls>'), 'a second <RmtInf> in <TxDtls>'],
    ['the transaction details before the booking date', '<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><NtryDtls><TxDtls/></NtryDtls><BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>', '<BookgDt> after <NtryDtls> in <Ntry> is out of schema order'],
    ['an account currency that is not ISO 4217', entry('1.00').replace('<Amt Ccy="EUR">', '<Amt>'), 'the account currency "EUX" is not an ISO 4217 currency', 'EUX'],
  ])('refuses %s, with line and column', async (_what, ntry, says, accountCcy?: string) => {
    let xml = statement(ntry);
    if (accountCcy) xml = xml.replace('<Ccy>EUR</Ccy>', `<Ccy>${accountCcy}</Ccy>`);
    const err = await refusal(parseCamt(xml, { fileName: 'bank.xml' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain(says);
    expect(err.message).toMatch(/^bank\.xml line 1[,:]/);
    expect((err as ValidationError).location?.file).toBe('bank.xml');
  });

  it('reads what the schema allows: repeated NtryDtls, supplementary data of any namespace', async () => {
    const details =
      '<NtryDtls><TxDtls><Amt Ccy="EUR">0.40</Amt></TxDtls></NtryDtls><NtryDtls><TxDtls><Amt Ccy="EUR">0.60</Amt></TxDtls></NtryDtls>' +
      '<AddtlNtryInf>x</AddtlNtryInf>';
    const xml = statement(entry('1.00', 'CRDT', details)).replace(
      '</Stmt>',
      '<SplmtryData><Envlp><v:Ext xmlns:v="urn:vendor"><v:Amt Ccy="XYZ">1</v:Amt><v:Amt>2</v:Amt></v:Ext></Envlp></SplmtryData></Stmt>',
    );
    const [m] = await parseCamt(xml, { fileName: 'bank.xml' });
    expect(m!.statements[0]!.entries[0]!.transactions.map((t) => t.amount.minor)).toEqual([40n, 60n]);
  });

  it('reads NtryRef after Amt (viafintech/053/valid_example.xml does), because it changes nothing booked', async () => {
    const ntry = '<Ntry><Amt Ccy="EUR">1.00</Amt><NtryRef>R1</NtryRef><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts></Ntry>';
    const [m] = await parseCamt(statement(ntry), { fileName: 'bank.xml' });
    expect(m!.statements[0]!.entries[0]!.amount.minor).toBe(100n);
  });
});

describe('warnings stay bounded', () => {
  it('lists the first warningsListed distinct warnings and counts the rest, whatever the number of entries', async () => {
    // Every entry without Ccy draws a warning naming its own line.
    const entries = Array.from({ length: 25 }, (_v, i) => entry(`${i + 1}.00`).replace('<Amt Ccy="EUR">', '<Amt>')).join('\n');
    const [m] = await parseCamt(statement(entries), { fileName: 'many.xml', limits: { warningsListed: 10 } });
    expect(m!.statements[0]!.entries).toHaveLength(25);
    expect(m!.warnings).toHaveLength(11);
    expect(m!.warnings.slice(0, 10).every((w) => w.includes('has no Ccy attribute'))).toBe(true);
    expect(m!.warnings[10]).toBe('15 further warnings are not listed (the first 10 are; limit warningsListed)');
  });
});

describe('source hygiene', () => {
  const dir = path.join(repoRoot, 'src/camt');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s imports nothing Node-only (it must run on Workers)', (f) => {
    const src = readFileSync(path.join(dir, f), 'utf8');
    expect(src).not.toMatch(/from ['"](node:|fs|path|crypto|stream|buffer)['"/]/);
    expect(src).not.toMatch(/\bBuffer\b|\bprocess\./);
  });

  it.each(files)('%s never turns an amount into a float', (f) => {
    const src = readFileSync(path.join(dir, f), 'utf8');
    expect(src).not.toMatch(/parseFloat|Number\(|\bNumber\.parseFloat/);
  });
});
