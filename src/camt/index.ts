/** camt.052 / camt.053 / camt.054: read bank statements, check them, recognise them again. */
export { readCamt, parseCamt, type CamtReadOptions, type CamtEvent } from './read.js';
export { assertBalanced, checkBatch, checkBalance, balanceCheckOf, detailsDisagreement, disagreementSentence } from './checks.js';
export { statementFingerprint, entryDedupeKey } from './identity.js';
export { SUPPORTED_VERSIONS, versionForNamespace, type CamtVersion } from './versions.js';
export type * from './model.js';
