/**
 * Node only: the fetch the webhook outbox sends with, refusing to connect to internal addresses.
 * The check sits in the connection's own DNS lookup (undici's connect.lookup, handed to
 * net.connect), so the address checked is the address connected to: a name that resolved to a
 * public address at subscription time and to 127.0.0.1 now (DNS rebinding) is refused here. When
 * any address of the answer is internal the connection is refused, not tried with the others.
 *
 * Injected by src/entry/node.ts; the outbox itself stays runtime-neutral (targets.ts).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { internalAddressReason, WebhookTargetRefusedError, type WebhookConfig } from './targets.js';

/** Resolves a name to all its addresses (node:dns.lookup with all: true; tests inject their own). */
export type ResolveAll = (hostname: string, options: LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function guardedLookup(resolve: ResolveAll = dnsLookup as unknown as ResolveAll) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    resolve(hostname, { ...(options as object), all: true } as LookupAllOptions, (err, addresses) => {
      if (err) return callback(err, []);
      if (addresses.length === 0 || addresses.some((a) => internalAddressReason(a.address) !== null)) {
        return callback(new WebhookTargetRefusedError() as unknown as NodeJS.ErrnoException, []);
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/**
 * The outbox's fetch on Node: plain fetch when private networks are allowed, guarded otherwise.
 * undici (about 5 MB of heap) is loaded at the first delivery, not when the server starts: the
 * server holds it only once it sends webhooks.
 */
export function createWebhookFetch(config: WebhookConfig, resolve?: ResolveAll): typeof fetch {
  if (config.allowPrivateNetworks) return fetch;
  let guarded: Promise<typeof fetch> | undefined;
  const load = async (): Promise<typeof fetch> => {
    const { Agent, fetch: undiciFetch } = await import('undici');
    const agent = new Agent({ connect: { lookup: guardedLookup(resolve) as never } });
    return ((input: unknown, init?: RequestInit) => undiciFetch(input as never, { ...(init as object), dispatcher: agent } as never)) as unknown as typeof fetch;
  };
  return (async (input: unknown, init?: RequestInit) => {
    guarded ??= load();
    return (await guarded)(input as never, init);
  }) as typeof fetch;
}
