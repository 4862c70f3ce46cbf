/**
 * Long-lived parts of one running Stadtkasse process, built once by the runtime entry and shared by
 * all requests: nothing in here holds request state.
 */
import type { Config } from '../config.js';
import type { MatchConfig } from '../matching/config.js';
import type { MatchingIndex } from './booking/matchingIndex.js';
import type { Rematcher } from './booking/rematch.js';
import type { StatementImporter } from './statements/importer.js';
import type { ReadAheadFactory } from './statements/readAhead.js';
import type { Clock } from '../context.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { createOutboxWorker, type OutboxWorker } from './webhooks/outbox.js';
import { createOnlineServices, type OnlineServices } from './online/services.js';
import { createImportServices } from './importServices.js';

export interface Services {
  /** The matcher's rules and its in-memory index of open items. */
  matching: { config: MatchConfig; index: MatchingIndex };
  /** Called after open items change, so receipts that arrived before their claim are matched. */
  onItemsChanged?: (itemIds: string[]) => void;
  /** Behind onItemsChanged (set by createApp): the coalescing re-matcher, flushed at shutdown. */
  rematcher?: Rematcher;
  /** Sends webhook deliveries; present when the entry passed `outbox` deps. Started only when config.outboxWorker. */
  outbox?: OutboxWorker;
  /** Where statement imports run (the Node server: a worker thread); absent: in the caller's thread. */
  importer?: StatementImporter;
  /** Where an import keeps the file's events while it reads the file before writing (Node: a file). */
  readAhead?: ReadAheadFactory;
  /** Paying online: the provider client, the built-in test provider, the status poller. */
  online?: OnlineServices;
}

export function createServices(
  config: Pick<Config, 'matchConfig'> & Partial<Config>,
  // webhookFetch: what the outbox sends with (on Node, one that refuses internal addresses; src/services/webhooks/nodeTargets.ts).
  outbox?: { db: Database; clock: Clock; logger: Logger; fetch?: typeof fetch; webhookFetch?: typeof fetch },
): Services {
  const webhookFetch = outbox?.webhookFetch ?? outbox?.fetch;
  return {
    ...createImportServices(config),
    ...(config.online && config.publicBaseUrl ? { online: createOnlineServices(config as Config, outbox) } : {}),
    ...(outbox
      ? {
          outbox: createOutboxWorker({
            db: outbox.db,
            clock: outbox.clock,
            log: outbox.logger.child({ component: 'webhook-outbox' }),
            allowPrivateNetworks: config.webhooks?.allowPrivateNetworks ?? false,
            ...(webhookFetch ? { fetch: webhookFetch } : {}),
          }),
        }
      : {}),
  };
}
