/**
 * Where webhooks may be sent. Any client with items:write names a URL and then reads back the
 * status code and error of every attempt: without a rule, that is a way to make this server call
 * its own database port, the cloud's metadata service (169.254.169.254) or anything else on the
 * city network, and to read the answers as a port scanner. So receivers must be public addresses
 * unless the operator allows private networks (WEBHOOK_ALLOW_PRIVATE_NETWORKS, for a receiver
 * inside the city network or tests).
 *
 * Checked twice: at subscription time on the URL as written (literal addresses and names that are
 * internal by definition), and at delivery time on the addresses the name resolves to right then —
 * on Node by the fetch from nodeTargets.ts, which refuses to connect to an internal address
 * whatever DNS answered before (DNS rebinding). Runtime-neutral: no Node imports here.
 */
import { ValidationError } from '../../errors.js';

export interface WebhookConfig {
  /** Allow receivers on loopback, link-local, private and unique-local addresses. */
  allowPrivateNetworks: boolean;
}

/** The documented variables (README's configuration table lists the same), spread into CONFIG_VARIABLES. */
export const WEBHOOK_CONFIG_VARIABLES = [
  ['WEBHOOK_ALLOW_PRIVATE_NETWORKS', 'false', 'true lets webhooks go to loopback, link-local and private addresses (a receiver inside the city network; never needed for public receivers)'],
] as const;

/** What the delivery log says about a refused target: the same words whatever the address was. */
export const REFUSED_TARGET_MESSAGE = 'target refused: the URL does not lead to a public address';

/** Thrown (or passed as `cause`) when a delivery would connect to an internal address. */
export class WebhookTargetRefusedError extends Error {
  readonly code = 'ERR_WEBHOOK_TARGET_REFUSED';
  constructor() {
    super(REFUSED_TARGET_MESSAGE);
    this.name = 'WebhookTargetRefusedError';
  }
}

/** True when `err` or one of its causes is a refused target (undici wraps the lookup's error). */
export function isTargetRefused(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === 'ERR_WEBHOOK_TARGET_REFUSED') return true;
  }
  return false;
}

type V4 = [number, number, number, number];

function parseV4(text: string): V4 | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number) as V4;
  return parts.every((p) => p <= 255) ? parts : null;
}

/** Eight 16-bit groups, or null when `text` is not an IPv6 address (a trailing dotted quad is allowed). */
function parseV6(text: string): number[] | null {
  let s = text.toLowerCase();
  if (!s.includes(':')) return null;
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (dotted) {
    const v4 = parseV4(dotted[1]!);
    if (!v4) return null;
    s = `${s.slice(0, -dotted[1]!.length)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  return [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...rest].map((g) => Number.parseInt(g, 16));
}

function v4Reason([a, b]: V4): string | null {
  if (a === 0) return 'an unspecified address';
  if (a === 127) return 'a loopback address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
  if (a === 169 && b === 254) return 'a link-local address (cloud metadata lives here)';
  // Shared address space (carrier NAT); Alibaba Cloud's metadata service is 100.100.100.200.
  if (a === 100 && b >= 64 && b <= 127) return 'a shared (carrier NAT) address';
  if (a === 192 && b === 0) return 'a reserved address';
  if (a === 198 && (b === 18 || b === 19)) return 'a reserved address';
  if (a >= 224) return 'a multicast or reserved address';
  return null;
}

function v6Reason(g: number[]): string | null {
  const embedded = (hi: number, lo: number): V4 => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  if (g.every((x) => x === 0)) return 'an unspecified address';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'a loopback address';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the IPv4 address inside.
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return v4Reason(embedded(g[6]!, g[7]!));
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4Reason(embedded(g[6]!, g[7]!));
  // 6to4 (2002:a.b.c.d::/48) tunnels to the IPv4 address it carries.
  if (g[0] === 0x2002) return v4Reason(embedded(g[1]!, g[2]!));
  if ((g[0]! & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((g[0]! & 0xffc0) === 0xfec0) return 'a site-local address';
  if ((g[0]! & 0xfe00) === 0xfc00) return 'a unique-local (private) address';
  if ((g[0]! & 0xff00) === 0xff00) return 'a multicast address';
  return null;
}

/** Why `address` (an IP literal, IPv6 with or without brackets) is internal, or null for a public one. */
export function internalAddressReason(address: string): string | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const v4 = parseV4(bare);
  if (v4) return v4Reason(v4);
  const v6 = parseV6(bare);
  return v6 ? v6Reason(v6) : null;
}

export function isIpLiteral(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return parseV4(bare) !== null || parseV6(bare) !== null;
}

/** Names that mean this machine or the cloud's metadata service wherever they are resolved. */
function internalNameReason(host: string): string | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return 'this machine (localhost)';
  if (h === 'metadata.google.internal' || h === 'metadata.goog' || h === 'metadata') return "the cloud's metadata service";
  // A name without a dot is completed with the resolver's search domains: an internal host.
  if (!h.includes('.')) return 'a local name (no domain)';
  return null;
}

/**
 * Why `url` must not receive webhooks, or null when it may. `url` as parsed by the WHATWG URL parser,
 * which already turned 2130706433, 0x7f.1 and 127.1 into 127.0.0.1.
 */
export function refusedTargetReason(url: URL, config: WebhookConfig): string | null {
  if (config.allowPrivateNetworks) return null;
  return isIpLiteral(url.hostname) ? internalAddressReason(url.hostname) : internalNameReason(url.hostname);
}

/** The subscription-time check: a clear 422 on the `url` field. */
export function checkWebhookTarget(url: URL, config: WebhookConfig): void {
  const reason = refusedTargetReason(url, config);
  if (reason) {
    throw new ValidationError(`url: ${url.hostname} is ${reason}; webhooks are sent only to public addresses (the operator can allow private networks)`, { field: 'url' });
  }
}
