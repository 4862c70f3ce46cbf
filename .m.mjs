const mods = process.argv.slice(2);
const h = () => { gc(); gc(); return process.memoryUsage().heapUsed / 1048576; };
let last = h();
for (const m of mods) { await import(m.startsWith('.') ? new URL(m, 'file:///work/main/dist/6cbc75994b9cd7a3/').href : m); const now = h(); console.log(m, (now - last).toFixed(1)); last = now; }
console.log('total', last.toFixed(1));
