/**
 * OAuth2 client credentials for the XBezahldienste interface (RFC 6749 §4.4), as the form servers
 * of ePayBL, pmPayment and GiroCheckout authenticate: POST the client id and secret to the token
 * endpoint, then send the access token as Bearer until it expires.
 *
 * Tokens are stateless: "{originatorId}.{expiry}.{signature}", the signature an HMAC with
 * ONLINE_RETURN_SECRET over both and the originator's current secret hash. Every instance (and every
 * Worker invocation) verifies them without a database, and changing an originator's secret ends its
 * tokens at once.
 */
import type { OnlineConfig, OriginatorConfig } from './config.js';
import { constantTimeEqual, sha256Hex } from '../shared/ids.js';
import { sign, verify } from './signatures.js';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** The originator these client credentials belong to; every originator is compared, in constant time. */
export async function originatorByClientCredentials(originators: OriginatorConfig[], clientId: string, clientSecret: string): Promise<OriginatorConfig | undefined> {
  const [idHash, secretHash] = await Promise.all([sha256Hex(clientId), sha256Hex(clientSecret)]);
  let found: OriginatorConfig | undefined;
  for (const o of originators) {
    if (o.clientId === undefined || o.clientSecretSha256 === undefined) continue;
    const [i, s] = await Promise.all([sha256Hex(o.clientId), o.clientSecretSha256]);
    if (Number(constantTimeEqual(i, idHash)) & Number(constantTimeEqual(s, secretHash))) found = o;
  }
  return found;
}

export async function issueToken(online: OnlineConfig, o: OriginatorConfig, now: Date): Promise<IssuedToken> {
  const expiry = Math.floor(now.getTime() / 1000) + online.tokenTtlSeconds;
  const body = `${o.originatorId}.${expiry.toString(36)}`;
  return { access_token: `${body}.${await sign(online.returnSecret, 'xbd-token', `${body}.${await o.clientSecretSha256!}`)}`, token_type: 'Bearer', expires_in: online.tokenTtlSeconds };
}

/** The originator a still valid token was issued to. */
export async function originatorByToken(online: OnlineConfig, token: string, now: Date): Promise<OriginatorConfig | undefined> {
  const m = /^([\w-]{1,36})\.([0-9a-z]{1,10})\.([\w-]{43})$/.exec(token);
  if (!m) return undefined;
  const o = online.originators.find((x) => x.originatorId === m[1]);
  if (!o?.clientSecretSha256) return undefined;
  if (Number.parseInt(m[2]!, 36) * 1000 <= now.getTime()) return undefined;
  return (await verify(online.returnSecret, 'xbd-token', `${m[1]}.${m[2]}.${await o.clientSecretSha256}`, m[3]!)) ? o : undefined;
}
