/**
 * The generated clients' parameterization schema is padded (bin/prisma-parameterization.mjs) so that
 * Prisma's runtime decodes it into small objects: the same graph, every name index moved up past
 * V8's flat-array range. Proven on the schema actually generated, and on what the padding refuses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ES module of the build scripts, without types
import { decodeGraph, encodeGraph, PAD, padParameterization, padParameterizationSchema } from '../../bin/prisma-parameterization.mjs';
import { Prisma } from '../../src/db/generated/sqlite/client.js';
import { freshDatabase } from '../support/backends.js';

const classTs = (backend: string) => readFileSync(new URL(`../../src/db/generated/${backend}/internal/class.ts`, import.meta.url), 'utf8');

function schemaOf(text: string): { strings: string[]; graph: string } {
  const m = /config\.parameterizationSchema = \{\n(?:  \/\/.*\n)?  strings: JSON\.parse\(("(?:[^"\\]|\\.)*")\),\n  graph: "([A-Za-z0-9_-]*)"\n\}/.exec(text);
  if (!m) throw new Error('no parameterization schema');
  return { strings: JSON.parse(JSON.parse(m[1]!)) as string[], graph: m[2]! };
}

describe('the padded parameterization schema', () => {
  for (const backend of ['sqlite', 'postgresql', 'workers']) {
    it(`${backend}: every name index of the generated graph lies past the flat-array range`, () => {
      const { strings, graph } = schemaOf(classTs(backend));
      expect(strings.slice(0, PAD).every((s: string) => s.startsWith('\u0000'))).toBe(true);
      const g = decodeGraph(Buffer.from(graph, 'base64url'));
      const keys = [...g.inputs.flat().map((e: { key: number }) => e.key), ...g.outputs.flat().map((e: { key: number }) => e.key), ...g.roots.map((r: { name: number }) => r.name)];
      expect(keys.length).toBeGreaterThan(1000);
      expect(Math.min(...keys)).toBeGreaterThanOrEqual(PAD);
      expect(Math.max(...keys)).toBeLessThan(strings.length);
      // Every root is a model operation Prisma knows by its name.
      expect(g.roots.map((r: { name: number }) => strings[r.name]!)).toContain('OpenItem.findMany');
    });
  }

  it('means what the unpadded graph meant: names resolve to the same edges', () => {
    const strings = ['where', 'id', 'amount', 'Item.findMany', 'Kind'];
    const graph = {
      inputs: [[{ key: 1, scalarMask: 1, childNodeId: undefined, enumNameIndex: undefined, flags: 1 }, { key: 2, scalarMask: 260, childNodeId: 0, enumNameIndex: 4, flags: 3 }], []],
      outputs: [[{ key: 0, argsNodeId: 0, outputNodeId: undefined }]],
      roots: [{ name: 3, argsNodeId: 0, outputNodeId: 0 }],
    };
    const bytes = encodeGraph(graph);
    expect(decodeGraph(bytes)).toEqual(graph);
    const padded = padParameterization(strings, bytes.toString('base64url'));
    expect(padded.strings).toHaveLength(PAD + strings.length);
    const back = decodeGraph(Buffer.from(padded.graph, 'base64url'));
    expect(padded.strings[back.inputs[0][1].key]).toBe('amount');
    expect(padded.strings[back.inputs[0][1].enumNameIndex]).toBe('Kind');
    expect(padded.strings[back.roots[0].name]).toBe('Item.findMany');
    expect(back.inputs[0][1].childNodeId).toBe(0);
  });

  it('refuses a graph it cannot read back exactly, and a schema padded already', () => {
    const bytes = encodeGraph({ inputs: [], outputs: [], roots: [{ name: 0, argsNodeId: undefined, outputNodeId: undefined }] });
    expect(() => padParameterization(['a'], Buffer.concat([bytes, Buffer.from([7])]).toString('base64url'))).toThrow(/left after the last root/);
    expect(() => padParameterization(['a'], bytes.subarray(0, 2).toString('base64url'))).toThrow(/ends inside/);
    expect(() => padParameterization([], bytes.toString('base64url'))).toThrow(/outside the table/);
    expect(() => padParameterizationSchema(classTs('sqlite'))).toThrow(/padded already/);
    expect(() => padParameterizationSchema('export {}')).toThrow(/not written the way/);
  });

  it('a client constructed from it answers queries (the runtime reads the padded graph)', async () => {
    const location = freshDatabase('sqlite');
    const db = await location.open();
    const clients = await db.prisma.apiClient.findMany({ where: { name: { in: ['x', 'y'] } }, orderBy: { name: 'asc' }, take: 5 });
    expect(clients).toEqual([]);
    expect(Prisma.ModelName.OpenItem).toBe('OpenItem');
    await db.close();
    await location.drop();
  });
});
