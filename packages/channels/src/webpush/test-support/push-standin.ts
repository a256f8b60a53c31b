import {
  createECDH,
  createDecipheriv,
  createPublicKey,
  hkdfSync,
  randomBytes,
  randomUUID,
  verify,
  type ECDH,
} from 'node:crypto';
import type http from 'node:http';
import {
  BehaviourSwitch,
  listenOnLoopback,
  parseJsonOrText,
  pause,
  type StandinBehaviour,
} from '@herald/testing';

export interface PushStandinSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface ReceivedPush {
  endpoint: string;
  /** The decrypted body, parsed as JSON (the text itself when it is not JSON). */
  payload: unknown;
  ttl: number;
  urgency?: string;
  vapidSubject: string;
  /** Distinct VAPID JWTs the stand-in had seen when this message arrived. */
  jwtSignatures: number;
}

export interface PushStandin {
  /** `http://127.0.0.1:<port>`: the JWT `aud` the stand-in expects. */
  origin: string;
  port: number;
  received: ReceivedPush[];
  /** A subscription as a browser's PushManager would give it; the stand-in keeps the private key. */
  createSubscription(): PushStandinSubscription;
  /** From now on the subscription answers 410 Gone, as when the user unsubscribed. */
  expire(endpoint: string): void;
  /** Distinct VAPID JWTs seen in Authorization headers so far: proves the sender reuses one. */
  distinctJwtCount(): number;
  behave(behaviour: StandinBehaviour): void;
  close(): Promise<void>;
}

/** RFC 8030 §7.2: a push service must accept at least 4096 octets; we accept exactly that. */
const MAX_BODY_BYTES = 4096;
/** Bodies past this are not read at all: far larger than any sender could mean. */
const MAX_READ_BYTES = 64 * 1024;
const MAX_JWT_LIFETIME_SECONDS = 24 * 60 * 60;
const URGENCIES = new Set(['very-low', 'low', 'normal', 'high']);

interface StoredSubscription {
  ecdh: ECDH;
  authSecret: Buffer;
  expired: boolean;
}

class Rejection extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An RFC 8030 push service over plain http on 127.0.0.1, strict where real ones are: it verifies
 * the VAPID JWT (RFC 8292) and decrypts the aes128gcm body (RFC 8291) with the subscription's
 * private key, so a message it accepts is one a browser could read.
 */
export async function startPushStandin(options: { port?: number } = {}): Promise<PushStandin> {
  const subscriptions = new Map<string, StoredSubscription>();
  const jwtsSeen = new Set<string>();
  const received: ReceivedPush[] = [];
  const behaviour = new BehaviourSwitch();
  let origin = '';

  const accept = (request: http.IncomingMessage, body: Buffer): void => {
    const match = /^\/push\/([A-Za-z0-9_-]+)$/.exec(request.url ?? '');
    if (request.method !== 'POST' || !match?.[1]) throw new Rejection(404, 'no such resource');
    const subject = checkAuthorization(request.headers.authorization, origin, jwtsSeen);
    const subscription = subscriptions.get(match[1]);
    if (!subscription || subscription.expired) throw new Rejection(410, 'subscription is gone');
    if (request.headers['content-encoding'] !== 'aes128gcm') {
      throw new Rejection(415, 'Content-Encoding must be aes128gcm');
    }
    const ttl = Number(request.headers.ttl);
    if (request.headers.ttl === undefined || !Number.isInteger(ttl) || ttl < 0) {
      throw new Rejection(400, 'TTL header must be a non-negative integer');
    }
    // Node joins a repeated header (other than Set-Cookie) into one string.
    const urgency = request.headers.urgency as string | undefined;
    if (urgency !== undefined && !URGENCIES.has(urgency)) throw new Rejection(400, 'unknown Urgency');
    if (body.length > MAX_BODY_BYTES) throw new Rejection(413, 'payload too large');
    const text = decryptAes128gcm(body, subscription).toString('utf8');
    received.push({
      endpoint: `${origin}${request.url}`,
      payload: parseJsonOrText(text),
      ttl,
      ...(urgency === undefined ? {} : { urgency }),
      vapidSubject: subject,
      jwtSignatures: jwtsSeen.size,
    });
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const body = await readBinaryBody(request);
    const decision = behaviour.next();
    await pause(decision.latencyMs);
    if (decision.status !== undefined) {
      const headers: Record<string, string> =
        decision.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(decision.retryAfterSeconds) };
      answer(response, decision.status, 'behaving as told', headers);
      return;
    }
    try {
      accept(request, body);
      answer(response, 201, '', { Location: `${origin}/message/${randomUUID()}` });
    } catch (error) {
      answer(response, error instanceof Rejection ? error.status : 500, (error as Error).message);
    }
  };

  const server = await listenOnLoopback((request, response) => {
    handle(request, response).catch((error: Error) => {
      if (!response.headersSent)
        answer(response, error instanceof Rejection ? error.status : 500, error.message);
    });
  }, options.port);
  origin = server.url;

  return {
    origin,
    port: server.port,
    received,
    createSubscription: () => {
      const id = randomBytes(12).toString('base64url');
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const authSecret = randomBytes(16);
      subscriptions.set(id, { ecdh, authSecret, expired: false });
      return {
        endpoint: `${origin}/push/${id}`,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') },
      };
    },
    expire: (endpoint) => {
      const subscription = subscriptions.get(endpoint.slice(endpoint.lastIndexOf('/') + 1));
      if (subscription) subscription.expired = true;
    },
    distinctJwtCount: () => jwtsSeen.size,
    behave: (next) => behaviour.behave(next),
    close: () => server.close(),
  };
}

function answer(
  response: http.ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

/** The body as bytes (it is ciphertext); a body far past any push message's size is refused. */
async function readBinaryBody(request: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_READ_BYTES) throw new Rejection(413, 'request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Checks `Authorization: vapid t=<jwt>, k=<public key>` (RFC 8292 §3); returns the JWT's `sub`. */
function checkAuthorization(
  header: string | undefined,
  expectedAudience: string,
  jwtsSeen: Set<string>,
): string {
  const match = /^vapid\s+t=([^,\s]+)\s*,\s*k=([A-Za-z0-9_-]+)\s*$/i.exec(header ?? '');
  if (!match?.[1] || !match[2]) throw new Rejection(401, 'Authorization must be "vapid t=<jwt>, k=<key>"');
  const [jwt, publicKey] = [match[1], match[2]];
  jwtsSeen.add(jwt);
  const [encodedHeader, encodedClaims, signature] = jwt.split('.');
  if (!encodedHeader || !encodedClaims || !signature) throw new Rejection(401, 'malformed JWT');
  const jwtHeader = parseBase64UrlJson(encodedHeader);
  if (jwtHeader?.alg !== 'ES256') throw new Rejection(401, 'JWT alg must be ES256');
  if (!verifiesWithKey(`${encodedHeader}.${encodedClaims}`, signature, publicKey)) {
    throw new Rejection(403, 'JWT signature does not verify with k');
  }
  const claims = parseBase64UrlJson(encodedClaims);
  const now = Math.floor(Date.now() / 1000);
  if (claims?.aud !== expectedAudience) throw new Rejection(403, `JWT aud must be ${expectedAudience}`);
  if (typeof claims.exp !== 'number' || claims.exp <= now) throw new Rejection(403, 'JWT expired');
  if (claims.exp > now + MAX_JWT_LIFETIME_SECONDS)
    throw new Rejection(403, 'JWT exp is more than 24 h ahead');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new Rejection(403, 'JWT sub is missing');
  return claims.sub;
}

function verifiesWithKey(signedText: string, signature: string, publicKey: string): boolean {
  const point = Buffer.from(publicKey, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04) return false;
  try {
    const key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    });
    const raw = Buffer.from(signature, 'base64url');
    return verify('sha256', Buffer.from(signedText), { key, dsaEncoding: 'ieee-p1363' }, raw);
  } catch {
    return false;
  }
}

/**
 * RFC 8291 §3.4 key derivation, then RFC 8188 records: the header carries the salt, the record
 * size and the sender's ephemeral public key; each record ends in a delimiter (2 = last) and padding.
 */
function decryptAes128gcm(body: Buffer, subscription: StoredSubscription): Buffer {
  if (body.length < 21) throw new Rejection(400, 'body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const keyIdLength = body.readUInt8(20);
  const senderKey = body.subarray(21, 21 + keyIdLength);
  if (keyIdLength !== 65 || recordSize < 18) throw new Rejection(400, 'bad aes128gcm header');
  let sharedSecret: Buffer;
  try {
    sharedSecret = subscription.ecdh.computeSecret(senderKey);
  } catch {
    throw new Rejection(400, 'sender key is not a P-256 point');
  }
  const receiverKey = subscription.ecdh.getPublicKey();
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), receiverKey, senderKey]);
  const ikm = hkdf(sharedSecret, subscription.authSecret, keyInfo, 32);
  const contentKey = hkdf(ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const baseNonce = hkdf(ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12);

  const plain: Buffer[] = [];
  const records = body.subarray(21 + keyIdLength);
  for (let offset = 0, sequence = 0; offset < records.length; offset += recordSize, sequence += 1) {
    const record = records.subarray(offset, offset + recordSize);
    const nonce = Buffer.from(baseNonce);
    // Records are few: the sequence number fits in the nonce's last 32 bits.
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ sequence) >>> 0, 8);
    const decipher = createDecipheriv('aes-128-gcm', contentKey, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    let padded: Buffer;
    try {
      padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    } catch {
      throw new Rejection(400, 'aes128gcm record does not decrypt');
    }
    const isLast = offset + recordSize >= records.length;
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end -= 1;
    if (padded[end] !== (isLast ? 2 : 1)) throw new Rejection(400, 'bad aes128gcm record delimiter');
    plain.push(padded.subarray(0, end));
  }
  return Buffer.concat(plain);
}

function hkdf(ikm: Buffer, salt: Buffer, info: Buffer, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

function parseBase64UrlJson(encoded: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
