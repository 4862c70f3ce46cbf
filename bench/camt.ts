/**
 * camt.053 reading benchmark: whole-document fast-xml-parser vs. our streaming readCamt, on
 * synthetic camt.053.001.08 files of the given sizes. Each measurement runs in its own child
 * process so peak RSS (getrusage maxRSS) belongs to that path alone.
 *
 *   npx tsx bench/camt.ts [--sizes 20,500]
 *
 * The whole-document parse of a 500 MB file is expected to fail (V8's string length limit or the
 * heap); that failure is reported as its result – it is why the reader streams.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { readCamt } from '../src/camt/read.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MB = 1024 * 1024;

export interface CamtBenchOptions {
  /** File sizes in MB; default [20, 500]. */
  sizes?: number[];
  outDir?: string;
  log?: (line: string) => void;
}

export interface CamtBenchRun {
  mode: 'whole-document' | 'streaming';
  ok: boolean;
  /** Why it failed (out of memory, string too long), when !ok. */
  failure?: string;
  ms?: number;
  entries?: number;
  mbPerSecond?: number;
  entriesPerSecond?: number;
  peakRssMB?: number;
  /** Streaming only: the longest the event loop waited while reading. */
  maxEventLoopDelayMs?: number;
}

export interface CamtBenchResult {
  sizeMB: number;
  fileBytes: number;
  entries: number;
  file: string;
  wholeDocument: CamtBenchRun;
  streaming: CamtBenchRun;
}

// ---------------------------------------------------------------------------------------------
// Synthetic statement: one account, realistic German SEPA entries (~1.3 KB each, one TxDtls).

function amountOf(i: number): { minor: bigint; cd: 'CRDT' | 'DBIT' } {
  const minor = BigInt(((i * 7919) % 250000) + 1);
  return { minor, cd: i % 5 === 0 ? 'DBIT' : 'CRDT' };
}

function fmt(minor: bigint): string {
  const s = minor.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

function entryXml(i: number): string {
  const { minor, cd } = amountOf(i);
  const kz = `5.${String(1000 + (i % 9000))}.${String(100000 + i).slice(-6)}.${i % 10}`;
  return `      <Ntry>
        <NtryRef>${i + 1}</NtryRef>
        <Amt Ccy="EUR">${fmt(minor)}</Amt>
        <CdtDbtInd>${cd}</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2024-03-28</Dt></BookgDt>
        <ValDt><Dt>2024-03-28</Dt></ValDt>
        <AcctSvcrRef>2024032800${String(i).padStart(8, '0')}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn><Prtry><Cd>NTRF+166+9249</Cd><Issr>DK</Issr></Prtry></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><AcctSvcrRef>2024032800${String(i).padStart(8, '0')}</AcctSvcrRef><EndToEndId>E2E-${i}</EndToEndId></Refs>
            <Amt Ccy="EUR">${fmt(minor)}</Amt>
            <CdtDbtInd>${cd}</CdtDbtInd>
            <RltdPties>
              <Dbtr><Pty><Nm>Bürgerin Nummer ${i}</Nm><PstlAdr><StrtNm>Hauptstraße</StrtNm><BldgNb>${i % 200}</BldgNb><PstCd>12345</PstCd><TwnNm>Musterstadt</TwnNm><Ctry>DE</Ctry></PstlAdr></Pty></Dbtr>
              <DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct>
              <Cdtr><Pty><Nm>Stadtkasse Musterstadt</Nm></Pty></Cdtr>
              <CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct>
            </RltdPties>
            <RltdAgts><DbtrAgt><FinInstnId><BICFI>BYLADEM1001</BICFI></FinInstnId></DbtrAgt></RltdAgts>
            <RmtInf><Ustrd>KZ ${kz} GRUNDSTEUER 2024</Ustrd><Ustrd>Rate ${(i % 4) + 1}/4</Ustrd></RmtInf>
          </TxDtls>
        </NtryDtls>
        <AddtlNtryInf>SEPA-GUTSCHRIFT</AddtlNtryInf>
      </Ntry>
`;
}

export async function generate(file: string, targetBytes: number): Promise<{ entries: number; bytes: number }> {
  const sample = Buffer.byteLength(entryXml(123456));
  const entries = Math.max(1, Math.floor(targetBytes / sample));
  let sum = 0n;
  for (let i = 0; i < entries; i++) {
    const { minor, cd } = amountOf(i);
    sum += cd === 'DBIT' ? -minor : minor;
  }
  const opening = 100_000_000n;
  const closing = opening + sum;
  const bal = (type: string, v: bigint): string =>
    `      <Bal><Tp><CdOrPrtry><Cd>${type}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${fmt(v < 0n ? -v : v)}</Amt><CdtDbtInd>${v < 0n ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>2024-03-28</Dt></Dt></Bal>\n`;
  const out = createWriteStream(file);
  const write = (s: string): Promise<void> | undefined =>
    out.write(s) ? undefined : new Promise<void>((r) => out.once('drain', () => r()));
  await write(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>BENCH-${entries}</MsgId><CreDtTm>2024-03-28T22:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>BENCH-${entries}-1</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
${bal('OPBD', opening)}${bal('CLBD', closing)}`);
  let batch = '';
  for (let i = 0; i < entries; i++) {
    batch += entryXml(i);
    if (batch.length > 1 << 20) {
      await write(batch);
      batch = '';
    }
  }
  await write(batch + '    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n');
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return { entries, bytes: statSync(file).size };
}

// ---------------------------------------------------------------------------------------------
// Children: one measurement each.

async function childWhole(file: string): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const text = readFileSync(file, 'utf8');
  // The same parser settings the streaming path uses for its pieces, so only the strategy differs.
  const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, removeNSPrefix: true, processEntities: false, jPath: false });
  const doc = parser.parse(text) as { Document: { BkToCstmrStmt: { Stmt: { Ntry: unknown[] | unknown } } } };
  const ntry = doc.Document.BkToCstmrStmt.Stmt.Ntry;
  const entries = Array.isArray(ntry) ? ntry.length : 1;
  return { ms: performance.now() - t0, entries };
}

async function childStream(file: string): Promise<Record<string, unknown>> {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const t0 = performance.now();
  let entries = 0;
  let check: unknown;
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array>;
  for await (const ev of readCamt(stream, { fileName: path.basename(file), limits: { statementFileBytes: 4 * 1024 * MB } })) {
    if (ev.type === 'entry') entries++;
    else if (ev.type === 'recordEnd') check = ev.check.status;
  }
  lag.disable();
  return { ms: performance.now() - t0, entries, check, maxEventLoopDelayMs: lag.max / 1e6 };
}

async function runChild(mode: 'whole' | 'stream', file: string): Promise<Record<string, unknown>> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', self, '--child', mode, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: path.resolve(here, '..'),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, signal) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        const reason =
          /heap out of memory/i.test(err) ? 'JavaScript heap out of memory' :
          /longer than 0x[0-9a-f]+ characters|ERR_STRING_TOO_LONG/i.test(err) ? 'file too large for one JavaScript string (ERR_STRING_TOO_LONG)' :
          (err.trim().split('\n').filter((l) => /Error|error/.test(l)).pop() ?? `exit code ${code}, signal ${signal}`);
        resolve({ ok: false, failure: reason });
      }
    });
  });
}

function toRun(mode: CamtBenchRun['mode'], raw: Record<string, unknown>, bytes: number): CamtBenchRun {
  if (raw['ok'] === false) return { mode, ok: false, failure: String(raw['failure']) };
  const ms = raw['ms'] as number;
  const entries = raw['entries'] as number;
  const run: CamtBenchRun = {
    mode,
    ok: true,
    ms: Math.round(ms),
    entries,
    mbPerSecond: Math.round((bytes / MB / (ms / 1000)) * 10) / 10,
    entriesPerSecond: Math.round(entries / (ms / 1000)),
    peakRssMB: Math.round(((raw['maxRssKB'] as number) / 1024) * 10) / 10,
  };
  if (raw['maxEventLoopDelayMs'] !== undefined) run.maxEventLoopDelayMs = Math.round((raw['maxEventLoopDelayMs'] as number) * 10) / 10;
  return run;
}

export async function runCamtBench(opts: CamtBenchOptions = {}): Promise<CamtBenchResult[]> {
  const sizes = opts.sizes ?? [20, 500];
  const outDir = opts.outDir ?? path.join(here, 'out');
  const log = opts.log ?? ((l: string) => console.log(l));
  mkdirSync(outDir, { recursive: true });
  const results: CamtBenchResult[] = [];
  for (const size of sizes) {
    const file = path.join(outDir, `camt053.v08.${size}MB.xml`);
    let entries: number;
    if (existsSync(file) && existsSync(file + '.entries')) {
      entries = Number.parseInt(readFileSync(file + '.entries', 'utf8'), 10);
    } else {
      log(`generating ${file} …`);
      const g = await generate(file, size * MB);
      entries = g.entries;
      createWriteStream(file + '.entries').end(String(entries));
    }
    const bytes = statSync(file).size;
    log(`${size} MB (${bytes} bytes, ${entries} entries): whole-document parse …`);
    const whole = toRun('whole-document', await runChild('whole', file), bytes);
    log(`${size} MB: streaming readCamt …`);
    const streaming = toRun('streaming', await runChild('stream', file), bytes);
    results.push({ sizeMB: size, fileBytes: bytes, entries, file, wholeDocument: whole, streaming });
  }
  return results;
}

function table(results: CamtBenchResult[]): string {
  const rows = [['size', 'path', 'result', 'time', 'MB/s', 'entries/s', 'peak RSS', 'max loop delay']];
  for (const r of results) {
    for (const run of [r.wholeDocument, r.streaming]) {
      rows.push([
        `${r.sizeMB} MB`,
        run.mode,
        run.ok ? `${run.entries} entries` : `FAILED: ${run.failure}`,
        run.ok ? `${(run.ms! / 1000).toFixed(2)} s` : '–',
        run.ok ? String(run.mbPerSecond) : '–',
        run.ok ? String(run.entriesPerSecond) : '–',
        run.ok ? `${run.peakRssMB} MB` : '–',
        run.maxEventLoopDelayMs !== undefined ? `${run.maxEventLoopDelayMs} ms` : '–',
      ]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n');
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const mode = args[1];
    const file = args[2]!;
    const result = mode === 'whole' ? await childWhole(file) : await childStream(file);
    process.stdout.write(JSON.stringify({ ...result, maxRssKB: process.resourceUsage().maxRSS }) + '\n');
  } else {
    const i = args.indexOf('--sizes');
    const sizes = i >= 0 ? args[i + 1]!.split(',').map((s) => Number.parseInt(s, 10)) : undefined;
    const results = await runCamtBench(sizes ? { sizes } : {});
    console.log('\n' + table(results));
  }
}
