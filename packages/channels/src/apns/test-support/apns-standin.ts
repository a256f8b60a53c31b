import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { BehaviourSwitch, pause, selfSignedCertificate, type StandinBehaviour } from '@herald/testing';

export interface ReceivedApnsPush {
  /** `:authority` the request named: tells the production host from the sandbox one. */
  authority: string;
  deviceToken: string;
  topic: string;
  pushType: string;
  priority?: string;
  expiration?: string;
  apnsId: string;
  payload: unknown;
  jwt: string;
}

export interface ApnsStandin {
  /** `https://127.0.0.1:<port>`; `sandboxUrl` (`https://localhost:<port>`) reaches the same server. */
  url: string;
  sandboxUrl: string;
  /** PEM of the self-signed certificate authority the adapter must trust. */
  ca: string;
  teamId: string;
  keyId: string;
  /** PEM of the ES256 key, as the `.p8` file Apple gives. */
  privateKey: string;
  /** The bundle id tokens are created for. */
  topic: string;
  received: ReceivedApnsPush[];
  /** Distinct provider JWTs seen so far: proves the sender reuses one. */
  distinctJwtCount(): number;
  /** A 64-hex device token registered for `topic`. */
  createDeviceToken(topic?: string): string;
  /** The app was uninstalled: the token answers 410 Unregistered from now on. */
  unregister(deviceToken: string): void;
  /** Every JWT seen so far answers 403 ExpiredProviderToken from now on. */
  expireProviderTokens(): void;
  behave(behaviour: StandinBehaviour): void;
  close(): Promise<void>;
}

const MAX_PAYLOAD_BYTES = 4096;
const PUSH_TYPES = new Set([
  'alert',
  'background',
  'location',
  'voip',
  'complication',
  'fileprovider',
  'mdm',
  'liveactivity',
  'pushtotalk',
]);
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const REASONS: Record<number, string> = {
  429: 'TooManyRequests',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

class ApnsRejection extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly timestamp?: number,
  ) {
    super(reason);
  }
}

/**
 * An APNs provider API over HTTP/2 and TLS (self-signed certificate made at start with openssl),
 * strict where Apple is: the ES256 provider JWT (kid, iss, signature, iat under an hour old), the
 * `apns-topic` and `apns-push-type` headers, hex device tokens and the 4 KB payload limit.
 */
export async function startApnsStandin(options: { topic?: string } = {}): Promise<ApnsStandin> {
  const topic = options.topic ?? 'com.example.herald';
  const teamId = randomBytes(5).toString('hex').toUpperCase();
  const keyId = randomBytes(5).toString('hex').toUpperCase();
  const signing = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const tls = selfSignedCertificate('apns-standin');
  const devices = new Map<string, { topic: string; unregisteredAt?: number }>();
  const jwtsSeen = new Set<string>();
  const expiredJwts = new Set<string>();
  const received: ReceivedApnsPush[] = [];
  const behaviour = new BehaviourSwitch();

  const accept = (headers: http2.IncomingHttpHeaders, body: Buffer): void => {
    const deviceToken = /^\/3\/device\/([^/?]+)$/.exec(String(headers[':path']))?.[1];
    if (headers[':method'] !== 'POST') throw new ApnsRejection(405, 'MethodNotAllowed');
    if (deviceToken === undefined) throw new ApnsRejection(404, 'BadPath');
    const jwt = checkProviderToken(headers.authorization, teamId, keyId, signing.publicKey);
    jwtsSeen.add(jwt);
    if (expiredJwts.has(jwt)) throw new ApnsRejection(403, 'ExpiredProviderToken');
    const requestTopic = headers['apns-topic'];
    if (typeof requestTopic !== 'string' || requestTopic === '') throw new ApnsRejection(400, 'MissingTopic');
    const pushType = String(headers['apns-push-type'] ?? '');
    if (!PUSH_TYPES.has(pushType)) throw new ApnsRejection(400, 'InvalidPushType');
    const priority = headers['apns-priority'] as string | undefined;
    if (priority !== undefined && !['1', '5', '10'].includes(priority))
      throw new ApnsRejection(400, 'BadPriority');
    const expiration = headers['apns-expiration'] as string | undefined;
    if (expiration !== undefined && !/^\d+$/.test(expiration))
      throw new ApnsRejection(400, 'BadExpirationDate');
    const apnsId = headers['apns-id'] as string | undefined;
    if (apnsId !== undefined && !UUID.test(apnsId)) throw new ApnsRejection(400, 'BadMessageId');
    if (!/^[0-9a-fA-F]{64}$/.test(deviceToken)) throw new ApnsRejection(400, 'BadDeviceToken');
    const device = devices.get(deviceToken.toLowerCase());
    if (!device) throw new ApnsRejection(400, 'BadDeviceToken');
    if (device.topic !== requestTopic) throw new ApnsRejection(400, 'DeviceTokenNotForTopic');
    if (body.length > MAX_PAYLOAD_BYTES) throw new ApnsRejection(413, 'PayloadTooLarge');
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ApnsRejection(400, 'PayloadEmpty');
    }
    if (typeof (payload as { aps?: unknown }).aps !== 'object') throw new ApnsRejection(400, 'PayloadEmpty');
    if (device.unregisteredAt !== undefined)
      throw new ApnsRejection(410, 'Unregistered', device.unregisteredAt);
    received.push({
      authority: String(headers[':authority']),
      deviceToken,
      topic: requestTopic,
      pushType,
      ...(priority === undefined ? {} : { priority }),
      ...(expiration === undefined ? {} : { expiration }),
      apnsId: apnsId ?? '',
      payload,
      jwt,
    });
  };

  const handle = async (
    stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
  ): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    const decision = behaviour.next();
    await pause(decision.latencyMs);
    const apnsId = (headers['apns-id'] as string | undefined) ?? randomUUIDLike();
    if (decision.status !== undefined) {
      const extra: Record<string, string> =
        decision.retryAfterSeconds === undefined ? {} : { 'retry-after': String(decision.retryAfterSeconds) };
      answer(
        stream,
        decision.status,
        apnsId,
        { reason: REASONS[decision.status] ?? 'InternalServerError' },
        extra,
      );
      return;
    }
    try {
      accept(headers, Buffer.concat(chunks));
      answer(stream, 200, apnsId);
    } catch (error) {
      const rejection =
        error instanceof ApnsRejection ? error : new ApnsRejection(500, 'InternalServerError');
      answer(stream, rejection.status, apnsId, {
        reason: rejection.reason,
        ...(rejection.timestamp === undefined ? {} : { timestamp: rejection.timestamp }),
      });
    }
  };

  const server = http2.createSecureServer({ key: tls.key, cert: tls.cert });
  server.on('stream', (stream, headers) => {
    handle(stream, headers).catch(() => {
      if (!stream.headersSent && !stream.destroyed)
        answer(stream, 500, randomUUIDLike(), { reason: 'InternalServerError' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });

  return {
    url: `https://127.0.0.1:${port}`,
    sandboxUrl: `https://localhost:${port}`,
    ca: tls.cert,
    teamId,
    keyId,
    privateKey: signing.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    topic,
    received,
    distinctJwtCount: () => jwtsSeen.size,
    createDeviceToken: (forTopic = topic) => {
      const token = randomBytes(32).toString('hex');
      devices.set(token, { topic: forTopic });
      return token;
    },
    unregister: (deviceToken) => {
      const device = devices.get(deviceToken.toLowerCase());
      if (device) device.unregisteredAt = Date.now();
    },
    expireProviderTokens: () => jwtsSeen.forEach((jwt) => expiredJwts.add(jwt)),
    behave: (next) => behaviour.behave(next),
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

function answer(
  stream: http2.ServerHttp2Stream,
  status: number,
  apnsId: string,
  body?: object,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  stream.respond({
    ':status': status,
    'apns-id': apnsId,
    ...headers,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
  });
  stream.end(text);
}

function randomUUIDLike(): string {
  const hex = randomBytes(16).toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Checks `authorization: bearer <jwt>`: ES256, the key's kid, the team's iss, iat within the hour. */
function checkProviderToken(
  header: string | string[] | undefined,
  teamId: string,
  keyId: string,
  key: KeyObject,
): string {
  const jwt = /^bearer (\S+)$/i.exec(String(header ?? ''))?.[1];
  if (!jwt) throw new ApnsRejection(403, 'MissingProviderToken');
  const [encodedHeader, encodedClaims, signature] = jwt.split('.');
  if (!encodedHeader || !encodedClaims || !signature) throw new ApnsRejection(403, 'InvalidProviderToken');
  const jwtHeader = decode(encodedHeader);
  const claims = decode(encodedClaims);
  if (jwtHeader.alg !== 'ES256' || jwtHeader.kid !== keyId || claims.iss !== teamId) {
    throw new ApnsRejection(403, 'InvalidProviderToken');
  }
  const signed = Buffer.from(`${encodedHeader}.${encodedClaims}`);
  if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))) {
    throw new ApnsRejection(403, 'InvalidProviderToken');
  }
  const ageSeconds = Date.now() / 1000 - Number(claims.iat);
  if (!Number.isFinite(ageSeconds) || ageSeconds < -60) throw new ApnsRejection(403, 'InvalidProviderToken');
  if (ageSeconds >= 3600) throw new ApnsRejection(403, 'ExpiredProviderToken');
  return jwt;
}

function decode(part: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
