import { describe, expect, it } from 'vitest';
import { entryNamesFile, entrySaysRun, type EntryEvidence } from '../../src/services/shared/batchIdentity.js';

const run = { messageId: 'STK-D-20261205-1', paymentInformationId: 'STK-D-20261205-1-1' };
const none: EntryEvidence = { batchIds: null, entryReference: null, accountServicerReference: null, additionalInfo: null, remittanceLines: '[]' };

describe('entryNamesFile', () => {
  it.each<[string, Partial<EntryEvidence>, boolean]>([
    ['nothing', {}, false],
    ['Btch/PmtInfId', { batchIds: '["STK-D-20261205-1-1"]' }, true],
    ['Btch/MsgId, other case', { batchIds: '["stk-d-20261205-1"]' }, true],
    ['another run’s PmtInfId', { batchIds: '["STK-D-20261205-12-1"]' }, false],
    ['entry reference', { entryReference: 'STK-D-20261205-1-1' }, true],
    ['additional info', { additionalInfo: 'SEPA-SAMMLER PmtInfId STK-D-20261205-1-1 2 Posten' }, true],
    ['remittance', { remittanceLines: '["Sammler","STK-D-20261205-1-1"]' }, true],
    ['remittance, run 12 (prefix is not a word)', { remittanceLines: '["STK-D-20261205-12"]' }, false],
    ['remittance, id inside a longer id', { remittanceLines: '["XSTK-D-20261205-1"]' }, false],
    ['only the amount', { remittanceLines: '["Beitrag Oktober"]' }, false],
    ['broken json', { batchIds: '[', remittanceLines: '{' }, false],
  ])('%s', (_, e, expected) => {
    expect(entryNamesFile(run, { ...none, ...e })).toBe(expected);
  });
});

describe('entrySaysRun', () => {
  it.each<[string, Partial<EntryEvidence> & { batchCount?: number | null }, boolean]>([
    ['only the amount', {}, false],
    ['a batch of one', { batchCount: 1 }, false],
    ['a batch of several', { batchCount: 2 }, true],
    ['a batch of several naming another file', { batchCount: 2, batchIds: '["STK-D-20261205-7-1"]' }, false],
    ['the run’s PmtInfId, no count', { batchIds: '["STK-D-20261205-1-1"]' }, true],
    ['the run’s MsgId in the remittance, a batch of one', { batchCount: 1, remittanceLines: '["STK-D-20261205-1"]' }, true],
  ])('%s', (_, e, expected) => {
    expect(entrySaysRun(run, { ...none, batchCount: null, ...e })).toBe(expected);
  });
});
