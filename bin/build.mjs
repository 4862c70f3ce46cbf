#!/usr/bin/env node
// Compiles src/ (TypeScript) to JavaScript under dist/<fingerprint>/, one file per source file, so
// that `npm start` and bin/stadtkasse run plain JavaScript. Running the TypeScript through tsx's
// loader cost 35–40 MB of resident memory per process (the loader's own thread), on top of what the
// service needs; the tests still run the TypeScript (vitest).
//
// The fingerprint is taken over every source file's path, size and modification time (and this
// script's), so a change in src/ can never run stale code: a new fingerprint is a new folder.
// A build goes into a temporary folder that is renamed into place at the end, so a process that
// starts while another one builds never sees half a build, and two that build at the same moment
// both end up running the same complete one. Builds take about a second; older ones are removed.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
export const distRoot = join(root, 'dist');
/** Builds kept besides the current one: a server started from an older one may still load from it. */
const KEEP_OLDER = 2;

function sources() {
  return readdirSync(src, { recursive: true })
    .map(String)
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))
    // The Cloudflare Workers client and its schema are bundled by wrangler, never run on Node.
    .filter((f) => !f.startsWith(join('db', 'generated', 'workers')))
    .sort();
}

function fingerprint(files) {
  const h = createHash('sha256');
  for (const f of [...files.map((f) => join(src, f)), fileURLToPath(import.meta.url)]) {
    const s = statSync(f);
    h.update(`${f}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

/** The folder holding the compiled src/ as it is now; compiles it first when it is not there. */
export async function ensureBuilt() {
  const files = sources();
  const fp = fingerprint(files);
  const out = join(distRoot, fp);
  if (existsSync(join(out, '.complete'))) return out;
  const { build } = await import('esbuild');
  const tmp = join(distRoot, `.tmp-${fp}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  await build({
    entryPoints: files.map((f) => join(src, f)),
    outdir: tmp,
    outbase: src,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    logLevel: 'warning',
  });
  writeFileSync(join(tmp, '.complete'), `${new Date().toISOString()}\n`);
  try {
    renameSync(tmp, out);
  } catch (err) {
    // Another process renamed the same build into place first: it is identical.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(out, '.complete'))) throw err;
  }
  removeOlderBuilds(fp);
  return out;
}

function removeOlderBuilds(current) {
  const builds = readdirSync(distRoot)
    .filter((d) => d !== current && !d.startsWith('.tmp-'))
    .map((d) => ({ d, at: statSync(join(distRoot, d)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { d } of builds.slice(KEEP_OLDER)) rmSync(join(distRoot, d), { recursive: true, force: true });
  // Temporary folders of builds that died half-way (an hour is far longer than any build).
  for (const d of readdirSync(distRoot).filter((d) => d.startsWith('.tmp-'))) {
    const p = join(distRoot, d);
    if (Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const out = await ensureBuilt();
  process.stdout.write(`compiled src/ to ${out.slice(root.length + 1)} (${Math.round(performance.now() - started)} ms)\n`);
}
