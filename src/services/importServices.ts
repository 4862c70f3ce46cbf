/**
 * The services an import and its matching use, and nothing else: what the import thread builds
 * (src/entry/importWorker.ts). The full registry (registry.ts) adds the webhook outbox and online
 * payments, whose modules (the payment provider's client, its pages, schemas) a thread that only
 * imports would load and keep for nothing.
 */
import type { Config } from '../config.js';
import { DEFAULT_MATCH_CONFIG, parseMatchConfig } from '../matching/config.js';
import { MatchingIndex } from './booking/matchingIndex.js';
import type { Services } from './registry.js';

export function createImportServices(config: Pick<Config, 'matchConfig'>): Services {
  const matchConfig = config.matchConfig ? parseMatchConfig(config.matchConfig) : DEFAULT_MATCH_CONFIG;
  return { matching: { config: matchConfig, index: new MatchingIndex(matchConfig) } };
}
