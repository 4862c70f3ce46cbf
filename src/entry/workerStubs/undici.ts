/**
 * Stands in for the `undici` package in the Workers bundle (wrangler.toml [alias]). undici is
 * Node's HTTP client; src/services/online/certificateFetch.ts imports it only for TLS client
 * certificates, which Workers present through an mTLS certificate binding instead. Bundling the
 * real package fails (it imports node:sqlite), so the import fails here, at run time, with a clear
 * message — the same way certificateFetch.ts expects it to fail outside Node.
 */
throw new Error('undici is not available on Cloudflare Workers; use an mTLS certificate binding');

export {};
