/** The SEPA message versions Stadtkasse writes (no library import: configuration reads this). */
export const CREDIT_TRANSFER_FORMATS = ['pain.001.001.09', 'pain.001.001.03'] as const;
export type CreditTransferFormat = (typeof CREDIT_TRANSFER_FORMATS)[number];
