-- Learned payer IBANs are taught only by a person's confirmation from now on. The rows so far
-- were mostly learned from automatic bookings, including bookings that only the learned IBAN
-- itself supported, and under the old name folding (AE/OE/UE/SS collapsed, so different people
-- shared a key). They are dropped; confirmations in review teach them again.
DELETE FROM "KnownPayer";
