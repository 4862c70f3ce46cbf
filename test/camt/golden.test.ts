import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LimitExceededError } from '../../src/errors.js';
import { parseCamt, readCamt, type CamtEvent } from '../../src/camt/read.js';
import type { CamtMessage } from '../../src/camt/model.js';
import { chunked, fixtureDir, readBytes, toJson } from './helpers.js';

/**
 * Golden files: each fixture beside its expected output. A change of the reader that alters the
 * output shows up as a diff of <name>.expected.json to review; UPDATE_GOLDEN=1 rewrites them.
 * Hostile fixtures have <name>.expected-error.json instead: { class, messageContains, line?, limit? }.
 */

const update = process.env['UPDATE_GOLDEN'] === '1';
const fixtures = readdirSync(fixtureDir).filter((f) => /\.(xml|zip)$/.test(f)).sort();

interface ExpectedError {
  class: string;
  messageContains: string[];
  line?: number;
  column?: number;
  limit?: string;
}

async function collect(source: AsyncIterable<Uint8Array> | Uint8Array, fileName: string): Promise<CamtMessage[]> {
  // The same assembly as parseCamt, but over an arbitrary chunked source.
  const messages: CamtMessage[] = [];
  const events: CamtEvent[] = [];
  for await (const ev of readCamt(source, { fileName })) events.push(ev);
  let m: CamtMessage | undefined;
  for (const ev of events) {
    if (ev.type === 'document') messages.push((m = { ...ev.header, statements: [], warnings: [] }));
    else if (ev.type === 'record') m!.statements.push({ ...ev.header, entries: [] });
    else if (ev.type === 'entry') m!.statements.at(-1)!.entries.push(ev.entry);
    else if (ev.type === 'recordEnd') Object.assign(m!.statements.at(-1)!, ev.header, { entries: m!.statements.at(-1)!.entries, check: ev.check });
    else m!.warnings = ev.warnings;
  }
  return messages;
}

describe('camt golden fixtures', () => {
  it('has fixtures to test', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of fixtures) {
    const file = path.join(fixtureDir, name);
    const base = file.replace(/\.(xml|zip)$/, '');
    const errorFile = `${base}.expected-error.json`;

    if (existsSync(errorFile)) {
      it(`${name} is refused`, async () => {
        const expected = JSON.parse(readFileSync(errorFile, 'utf8')) as ExpectedError;
        const err = await parseCamt(readBytes(file), { fileName: name }).then(
          () => undefined,
          (e: unknown) => e as Error & { location?: { line?: number; column?: number; file?: string } },
        );
        expect(err, `${name} must be refused`).toBeDefined();
        expect(err!.constructor.name).toBe(expected.class);
        for (const part of expected.messageContains) expect(err!.message).toContain(part);
        expect(err!.location?.file).toBe(name);
        if (expected.line !== undefined) expect(err!.location?.line).toBe(expected.line);
        if (expected.column !== undefined) expect(err!.location?.column).toBe(expected.column);
        if (expected.limit !== undefined) {
          expect(err).toBeInstanceOf(LimitExceededError);
          expect((err as LimitExceededError).limit).toBe(expected.limit);
        }
      });

      it(`${name} is refused with the same message when read in 1-byte chunks`, async () => {
        const whole = await parseCamt(readBytes(file), { fileName: name }).catch((e: Error) => e.message);
        const bytewise = await collect(chunked(readBytes(file), 1), name).catch((e: Error) => e.message);
        expect(bytewise).toBe(whole);
      });
      continue;
    }

    it(`${name} matches ${path.basename(base)}.expected.json`, async () => {
      const messages = await parseCamt(readBytes(file), { fileName: name });
      const actual = toJson(messages);
      const expectedFile = `${base}.expected.json`;
      if (update || !existsSync(expectedFile)) {
        writeFileSync(expectedFile, actual);
        if (!update) throw new Error(`${expectedFile} did not exist; written now – review it and run again`);
      }
      expect(actual).toBe(readFileSync(expectedFile, 'utf8'));
    });

    it(`${name} reads the same in 1-byte and 7-byte chunks as whole`, async () => {
      const bytes = readBytes(file);
      const whole = toJson(await collect(bytes, name));
      expect(toJson(await collect(chunked(bytes, 1), name))).toBe(whole);
      expect(toJson(await collect(chunked(bytes, 7), name))).toBe(whole);
    });
  }
});
