/** @jsxImportSource hono/jsx */
/**
 * A browsable API reference rendered on the server from the OpenAPI document: no script, no
 * external assets, so it works offline, on Workers and behind strict CSPs.
 */
type Json = Record<string, any>;

function schemaText(schema: Json | undefined, doc: Json, depth = 0): string {
  if (!schema) return '';
  if (schema.$ref) {
    const name = String(schema.$ref).split('/').pop()!;
    return depth > 0 ? name : schemaText(doc.components?.schemas?.[name], doc, depth + 1) || name;
  }
  if (schema.type === 'array') return `${schemaText(schema.items, doc, depth + 1)}[]`;
  if (schema.type === 'object' || schema.properties) {
    if (depth > 1) return 'object';
    const req = new Set<string>(schema.required ?? []);
    const props = Object.entries(schema.properties ?? {}).map(
      ([k, v]) => `  ${k}${req.has(k) ? '' : '?'}: ${schemaText(v as Json, doc, depth + 1).replaceAll('\n', '\n  ')}`,
    );
    return `{\n${props.join('\n')}\n}`;
  }
  if (schema.enum) return schema.enum.map((e: unknown) => JSON.stringify(e)).join(' | ');
  if (schema.anyOf || schema.oneOf) return (schema.anyOf ?? schema.oneOf).map((s: Json) => schemaText(s, doc, depth + 1)).join(' | ');
  return String(schema.type ?? 'any') + (schema.format ? ` (${schema.format})` : '');
}

export function renderApiReference(doc: Json): string {
  const ops: Array<{ method: string; path: string; op: Json }> = [];
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) if (item[method]) ops.push({ method, path, op: item[method] });
  }
  const tags = [...new Set(ops.map((o) => o.op.tags?.[0] ?? 'Other'))];
  const page = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{doc.info?.title} – reference</title>
        <style>{`body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem;color:#1a1a1a}
nav a{margin-right:1rem}details{border:1px solid #ccc;border-radius:6px;margin:.4rem 0;padding:.3rem .6rem}
summary{cursor:pointer}code.m{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#05603a}.post{color:#1d4ed8}.delete{color:#b42318}.put,.patch{color:#92400e}pre{background:#f5f5f5;padding:.5rem;overflow:auto}`}</style>
      </head>
      <body>
        <h1>{doc.info?.title}</h1>
        <p>{doc.info?.description}</p>
        <p>
          Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI {doc.openapi})
        </p>
        <nav>{tags.map((t) => <a href={`#${t}`}>{t}</a>)}</nav>
        {tags.map((tag) => (
          <section id={tag}>
            <h2>{tag}</h2>
            {ops
              .filter((o) => (o.op.tags?.[0] ?? 'Other') === tag)
              .map(({ method, path, op }) => (
                <details>
                  <summary>
                    <code class={`m ${method}`}>{method}</code> <code>{path}</code> {op.summary}
                    {op['x-scope'] ? ` · scope ${op['x-scope']}` : ''}
                  </summary>
                  {op.description && <p>{op.description}</p>}
                  {(op.parameters ?? []).length > 0 && (
                    <>
                      <h4>Parameters</h4>
                      <ul>
                        {(op.parameters as Json[]).map((p) => (
                          <li>
                            <code>{p.name}</code> ({p.in}
                            {p.required ? ', required' : ''}): {schemaText(p.schema, doc)} {p.description ?? ''}
                          </li>
                        ))}
                      </ul>
                    </>
                  )}
                  {op.requestBody && (
                    <>
                      <h4>Request body ({Object.keys(op.requestBody.content ?? {}).join(', ')})</h4>
                      <pre>{schemaText(Object.values<Json>(op.requestBody.content ?? {})[0]?.schema, doc)}</pre>
                    </>
                  )}
                  <h4>Responses</h4>
                  <ul>
                    {Object.entries<Json>(op.responses ?? {}).map(([status, r]) => (
                      <li>
                        <strong>{status}</strong> {r.description}
                        {r.content && <pre>{schemaText(Object.values<Json>(r.content)[0]?.schema, doc)}</pre>}
                      </li>
                    ))}
                  </ul>
                </details>
              ))}
          </section>
        ))}
      </body>
    </html>
  );
  return '<!doctype html>' + page.toString();
}
