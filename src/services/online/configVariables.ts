/**
 * The environment variables of paying online, for src/config.ts's list (and the README table).
 * A module of its own without imports: src/config.ts and ./config.ts import each other.
 */
export const ONLINE_CONFIG_VARIABLES = [
  ['ONLINE_PAYMENT_PROVIDER', 'test mode on localhost, else off', 'JSON: the XBezahldienste payment provider for "Online bezahlen" (see "Paying online"); off disables paying online'],
  ['ONLINE_PAYMENT_TTL_MINUTES', '60', 'an online payment not finished after this many minutes is given up (a new attempt can start)'],
  ['ONLINE_RETURN_SECRET', 'generated at start on localhost', 'at least 32 characters: signs the address the provider sends the citizen back to (and the start form); required with a provider on a public address, the same on every instance'],
  ['ONLINE_PAYMENT_POLL_SECONDS', '60', 're-check unfinished online payments with the provider this often (0: only when the citizen returns)'],
  ['XBEZAHLDIENSTE_ORIGINATORS', '', 'JSON: online services allowed to use Stadtkasse as XBezahldienste payment service, with their credentials'],
  ['XBEZAHLDIENSTE_CLIENT_CERT_HEADER', '', 'header in which a TLS proxy passes the verified client certificate subject (mTLS)'],
] as const;
