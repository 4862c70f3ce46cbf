// The generated Prisma clients carry a "parameterization schema": a table of names (`strings`) and a
// graph of the query arguments (`graph`, base64url), in which every edge is keyed by the index of its
// name in the table. Prisma's runtime decodes the graph when a client is constructed, into one plain
// object per node whose keys are those indices (`edges[963] = …`).
//
// V8 stores integer keys below 1,024 as a flat array as long as the highest key: a node with edges
// 800 and 1,013 holds an array of some 1,500 slots, almost all holes. With our schema's 1,125 names
// that was 8.8 MB of heap per client (2,122 such objects), in every thread that opens a database: in
// the server twice. Keys of 1,024 and above go into a dictionary of the size of the node's edges.
//
// So the table is given 1,024 names first that no field can have, and every index in the graph is
// moved up by as many: the same schema, decoded into small objects. The graph is decoded here as the
// runtime decodes it, written again and read back; when the format is not what this expects (a
// Prisma update), generation stops instead of writing a schema the runtime would misread.

/** Integer keys below this stay in a flat array (V8's JSObject::kMaxGap). */
export const PAD = 1024;

class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.at = 0;
  }
  varint() {
    let value = 0;
    let shift = 0;
    let b;
    do {
      if (this.at >= this.bytes.length) throw new Error('parameterization graph: ends inside a number');
      b = this.bytes[this.at++];
      value += (b & 127) * 2 ** shift;
      shift += 7;
    } while (b >= 128);
    return value;
  }
  /** 0 is "none", n is n - 1. */
  optional() {
    const v = this.varint();
    return v === 0 ? undefined : v - 1;
  }
  u8() {
    if (this.at >= this.bytes.length) throw new Error('parameterization graph: ends inside a node');
    return this.bytes[this.at++];
  }
  u16() {
    return this.u8() | (this.u8() << 8);
  }
}

class Writer {
  constructor() {
    this.out = [];
  }
  varint(v) {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) b |= 128;
      this.out.push(b);
    } while (v > 0);
  }
  optional(v) {
    this.varint(v === undefined ? 0 : v + 1);
  }
  u8(v) {
    this.out.push(v & 255);
  }
  u16(v) {
    this.u8(v);
    this.u8(v >> 8);
  }
  bytes() {
    return Buffer.from(this.out);
  }
}

/** The graph as the runtime reads it: input nodes, output nodes and roots, names as indices. */
export function decodeGraph(bytes) {
  const r = new Reader(bytes);
  const inputCount = r.varint();
  const outputCount = r.varint();
  const rootCount = r.varint();
  const inputs = [];
  for (let n = 0; n < inputCount; n++) {
    const edges = [];
    for (let e = r.varint(); e > 0; e--) {
      edges.push({ key: r.varint(), scalarMask: r.u16(), childNodeId: r.optional(), enumNameIndex: r.optional(), flags: r.u8() });
    }
    inputs.push(edges);
  }
  const outputs = [];
  for (let n = 0; n < outputCount; n++) {
    const edges = [];
    for (let e = r.varint(); e > 0; e--) edges.push({ key: r.varint(), argsNodeId: r.optional(), outputNodeId: r.optional() });
    outputs.push(edges);
  }
  const roots = [];
  for (let n = 0; n < rootCount; n++) roots.push({ name: r.varint(), argsNodeId: r.optional(), outputNodeId: r.optional() });
  if (r.at !== bytes.length) throw new Error(`parameterization graph: ${bytes.length - r.at} bytes left after the last root`);
  return { inputs, outputs, roots };
}

/** Writes the graph with every name index moved up by `shift`. */
export function encodeGraph(graph, shift = 0) {
  const w = new Writer();
  w.varint(graph.inputs.length);
  w.varint(graph.outputs.length);
  w.varint(graph.roots.length);
  const nodes = (list, edge) => {
    for (const edges of list) {
      w.varint(edges.length);
      edges.forEach(edge);
    }
  };
  // An output edge and a root: a name and the two optional node ids.
  const link = (name, ids) => {
    w.varint(name + shift);
    w.optional(ids.argsNodeId);
    w.optional(ids.outputNodeId);
  };
  nodes(graph.inputs, (e) => {
    w.varint(e.key + shift);
    w.u16(e.scalarMask);
    w.optional(e.childNodeId);
    w.optional(e.enumNameIndex === undefined ? undefined : e.enumNameIndex + shift);
    w.u8(e.flags);
  });
  nodes(graph.outputs, (e) => link(e.key, e));
  for (const root of graph.roots) link(root.name, root);
  return w.bytes();
}

/** Every name the graph refers to, resolved: equal for two graphs that mean the same. */
function resolved(graph, strings) {
  const name = (i) => {
    if (i === undefined) return undefined;
    if (!(i in strings)) throw new Error(`parameterization graph: name index ${i} outside the table of ${strings.length}`);
    return strings[i];
  };
  return JSON.stringify({
    inputs: graph.inputs.map((edges) => edges.map((e) => ({ ...e, key: name(e.key), enumNameIndex: name(e.enumNameIndex) }))),
    outputs: graph.outputs.map((edges) => edges.map((e) => ({ ...e, key: name(e.key) }))),
    roots: graph.roots.map((r) => ({ ...r, name: name(r.name) })),
  });
}

/** The padded table and graph for a generated schema's `strings` and `graph` (base64url). */
export function padParameterization(strings, graphText) {
  const bytes = Buffer.from(graphText, 'base64url');
  const graph = decodeGraph(bytes);
  if (!encodeGraph(graph).equals(bytes)) throw new Error('parameterization graph: written again, it differs from what Prisma generated');
  // Names no field, argument or enum can have (they begin with a NUL character).
  const padded = [...Array.from({ length: PAD }, (_, i) => `\u0000${i}`), ...strings];
  if (new Set(padded).size !== padded.length) throw new Error('parameterization strings: a name occurs twice');
  const paddedGraph = encodeGraph(graph, PAD);
  if (resolved(decodeGraph(paddedGraph), padded) !== resolved(graph, strings)) throw new Error('parameterization graph: the padded graph means something else');
  return { strings: padded, graph: paddedGraph.toString('base64url') };
}

/** The generated class.ts with its parameterization schema padded (see above). */
export function padParameterizationSchema(classTs) {
  const pattern = /config\.parameterizationSchema = \{\n(?:  \/\/.*\n)?  strings: JSON\.parse\(("(?:[^"\\]|\\.)*")\),\n  graph: "([A-Za-z0-9_-]*)"\n\}/;
  const m = pattern.exec(classTs);
  if (!m) throw new Error('generated client: the parameterization schema is not written the way bin/prisma-parameterization.mjs expects');
  const strings = JSON.parse(JSON.parse(m[1]));
  if (strings[0] === '\u00000') throw new Error('generated client: the parameterization schema is padded already');
  const padded = padParameterization(strings, m[2]);
  return classTs.replace(
    pattern,
    () =>
      `config.parameterizationSchema = {\n  // Padded by bin/prisma-parameterization.mjs: ${PAD} names first, every index moved up.\n  strings: JSON.parse(${JSON.stringify(JSON.stringify(padded.strings))}),\n  graph: "${padded.graph}"\n}`,
  );
}
