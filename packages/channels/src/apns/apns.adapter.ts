import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import type { Channel, MobilePushMessage, OutboundMessage } from '@herald/contracts';
import { PermanentDeliveryError, type TransientDeliveryError } from '@herald/errors';
import type { ChannelAdapter, SendResult } from '../channel-adapter';
import { MOBILE_PUSH_MAX_PAYLOAD_BYTES } from '../mobile-push-payload';
import { errorForHttpStatus, errorForNetworkFailure } from '../provider-errors';
import { apnsPayload } from './apns-payload';
import { ApnsProviderToken } from './apns-token';

export interface ApnsAdapterOptions {
  /** Apple developer team id: the JWT's `iss`. */
  teamId: string;
  /** Id of the authentication key: the JWT's `kid`. */
  keyId: string;
  /** PEM text of the `.p8` key (EC P-256). */
  privateKey: string;
  /** Server for `apns` devices; `https://api.push.apple.com` unless given. */
  productionUrl?: string;
  /** Server for `apnsSandbox` devices; `https://api.sandbox.push.apple.com` unless given. */
  sandboxUrl?: string;
  /** Extra trusted CA certificates (PEM), for a test stand-in. */
  ca?: string;
  /** Whole-request budget; 10 s unless given. */
  timeoutMs?: number;
}

interface ApnsAnswer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  reason: string | undefined;
}

const PROVIDER = 'apns';
const DEFAULT_PRODUCTION_URL = 'https://api.push.apple.com';
const DEFAULT_SANDBOX_URL = 'https://api.sandbox.push.apple.com';
const DEFAULT_TIMEOUT_MS = 10_000;
/** APNs device tokens are 32 bytes in hex today; longer ones are announced as possible. */
const DEVICE_TOKEN = /^[0-9a-fA-F]{64,200}$/;
const GONE_REASONS = new Set(['Unregistered', 'ExpiredToken', 'BadDeviceToken', 'DeviceTokenNotForTopic']);
const STALE_TOKEN_REASONS = new Set(['ExpiredProviderToken', 'InvalidProviderToken']);
const MAX_BODY_CHARS = 2000;

/**
 * Apple Push Notification service over HTTP/2 with token-based authentication. One HTTP/2 session
 * per server carries every request (Apple asks senders to keep connections open); a session that
 * is closed or sent GOAWAY is replaced on the next send.
 */
export class ApnsAdapter implements ChannelAdapter {
  readonly name = PROVIDER;
  readonly channels: readonly Channel[] = ['push'];

  private readonly providerToken: ApnsProviderToken;
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();
  private readonly origins: Readonly<Record<'apns' | 'apnsSandbox', string>>;
  private readonly timeoutMs: number;

  constructor(private readonly options: ApnsAdapterOptions) {
    this.providerToken = new ApnsProviderToken(options.teamId, options.keyId, options.privateKey);
    this.origins = {
      apns: new URL(options.productionUrl ?? DEFAULT_PRODUCTION_URL).origin,
      apnsSandbox: new URL(options.sandboxUrl ?? DEFAULT_SANDBOX_URL).origin,
    };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.channel !== 'push' || !('device' in message) || message.device.platform === 'fcm') {
      throw new PermanentDeliveryError(
        'channel-not-supported',
        `${PROVIDER} sends mobile push to apns and apnsSandbox devices only`,
      );
    }
    if (!DEVICE_TOKEN.test(message.device.token)) {
      throw new PermanentDeliveryError('subscription-gone', 'not an APNs device token (hex expected)');
    }
    const body = Buffer.from(JSON.stringify(apnsPayload(message.payload)));
    if (body.length > MOBILE_PUSH_MAX_PAYLOAD_BYTES) {
      throw new PermanentDeliveryError(
        'push-payload-too-large',
        `APNs payload is ${body.length} bytes (limit ${MOBILE_PUSH_MAX_PAYLOAD_BYTES})`,
      );
    }
    const origin = this.origins[message.device.platform];
    let jwt = this.providerToken.get();
    let answer = await this.post(origin, message, body, jwt);
    if (answer.status === 403 && answer.reason !== undefined && STALE_TOKEN_REASONS.has(answer.reason)) {
      jwt = this.providerToken.refresh(jwt);
      answer = await this.post(origin, message, body, jwt);
    }
    if (answer.status === 200) {
      const apnsId = answer.headers['apns-id'];
      return { providerMessageId: typeof apnsId === 'string' ? apnsId : apnsIdFor(message.deliveryId) };
    }
    throw errorForApnsAnswer(answer);
  }

  async close(): Promise<void> {
    const closing = [...this.sessions.values()].map(
      (session) => new Promise<void>((resolve) => session.close(() => resolve())),
    );
    this.sessions.clear();
    await Promise.all(closing);
  }

  private session(origin: string): http2.ClientHttp2Session {
    const existing = this.sessions.get(origin);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = http2.connect(origin, this.options.ca === undefined ? {} : { ca: this.options.ca });
    const forget = (): void => {
      if (this.sessions.get(origin) === session) this.sessions.delete(origin);
    };
    // After GOAWAY the session finishes its streams but takes no new ones: the next send reconnects.
    session.on('goaway', forget);
    session.on('close', forget);
    // A connection failure reaches the pending request as its own error; this only keeps Node from throwing.
    session.on('error', forget);
    // An idle session must not keep the process alive at shutdown.
    session.unref();
    this.sessions.set(origin, session);
    return session;
  }

  private post(origin: string, message: MobilePushMessage, body: Buffer, jwt: string): Promise<ApnsAnswer> {
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': `/3/device/${message.device.token}`,
      authorization: `bearer ${jwt}`,
      'apns-topic': message.device.appId,
      'apns-push-type': 'alert',
      'apns-priority': message.urgency === 'high' ? '10' : '5',
      'apns-id': apnsIdFor(message.deliveryId),
      'content-type': 'application/json',
      'content-length': String(body.length),
      ...(message.ttlSeconds === undefined
        ? {}
        : { 'apns-expiration': String(Math.floor(Date.now() / 1000) + message.ttlSeconds) }),
    };
    return new Promise<ApnsAnswer>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.session(origin).request(headers);
      } catch (error) {
        reject(errorForNetworkFailure(PROVIDER, error));
        return;
      }
      let responseHeaders: http2.IncomingHttpHeaders = {};
      let text = '';
      stream.setEncoding('utf8');
      stream.setTimeout(this.timeoutMs, () => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(
          errorForNetworkFailure(
            PROVIDER,
            Object.assign(new Error(`no answer from APNs within ${this.timeoutMs} ms`), {
              code: 'ETIMEDOUT',
            }),
          ),
        );
      });
      stream.on('response', (received) => {
        responseHeaders = received;
      });
      stream.on('data', (chunk: string) => {
        if (text.length < MAX_BODY_CHARS) text += chunk.slice(0, MAX_BODY_CHARS - text.length);
      });
      stream.on('end', () => {
        resolve({
          status: Number(responseHeaders[':status'] ?? 0),
          headers: responseHeaders,
          reason: reasonOf(text),
        });
      });
      stream.on('error', (error) => reject(errorForNetworkFailure(PROVIDER, error)));
      stream.end(body);
    });
  }
}

/**
 * A UUID derived from the delivery id, so that a send repeated after a crash carries the same
 * `apns-id` and is recognisable as a repeat in Apple's and the device's records.
 */
export function apnsIdFor(deliveryId: string): string {
  const hash = createHash('sha256').update(`herald:${deliveryId}`).digest();
  // RFC 9562 layout: version 8 (custom), variant 10.
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function reasonOf(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const reason = (parsed as { reason?: unknown } | null)?.reason;
    return typeof reason === 'string' ? reason.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}

/** Classifies an APNs refusal by its status and `reason`. */
function errorForApnsAnswer(answer: ApnsAnswer): TransientDeliveryError | PermanentDeliveryError {
  const { status, reason } = answer;
  if (reason !== undefined && GONE_REASONS.has(reason)) {
    return new PermanentDeliveryError(
      'subscription-gone',
      `APNs no longer takes this device token (${reason})`,
    );
  }
  if (status === 413 || reason === 'PayloadTooLarge') {
    return new PermanentDeliveryError('push-payload-too-large', 'APNs refused the payload as too large');
  }
  const retryAfter = answer.headers['retry-after'];
  return errorForHttpStatus(PROVIDER, status, {
    retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    ...(reason === undefined ? {} : { detail: reason }),
  });
}
