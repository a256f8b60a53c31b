import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { generateRequestDetails, getVapidHeaders, type RequestDetails } from 'web-push';
import type { Channel, OutboundMessage, PushMessage } from '@herald/contracts';
import { ConfigError, PermanentDeliveryError } from '@herald/errors';
import type { ChannelAdapter, SendResult } from '../channel-adapter';
import { errorForHttpStatus, errorForNetworkFailure } from '../provider-errors';
import { isPrivateHost, PRIVATE_ADDRESS_ERROR_CODE, safeLookup } from '../safe-lookup';

export interface VapidSettings {
  publicKey: string;
  privateKey: string;
  /** `mailto:` or `https:` contact the push services may use to reach the sender. */
  subject: string;
}

export interface WebPushAdapterOptions {
  vapid: VapidSettings;
  /** Whole-request budget; 10 s unless given. */
  timeoutMs?: number;
  /** Allow `http:` and loopback/private endpoints: development and tests only. */
  allowPrivateUrls: boolean;
}

const PROVIDER = 'webpush';
const DEFAULT_TIMEOUT_MS = 10_000;
/** web-push's own default lifetime for a VAPID JWT; push services refuse more than 24 h. */
const JWT_LIFETIME_SECONDS = 12 * 60 * 60;
/** A cached header is replaced this long before its JWT expires, so clock skew never bites. */
const JWT_REFRESH_MARGIN_SECONDS = 60 * 60;
/** Endpoints are user-supplied: bound the cache so many distinct origins cannot grow it forever. */
const MAX_CACHED_ORIGINS = 1000;
/** RFC 8030 §7.2: the largest encrypted body every push service must accept. */
const MAX_BODY_BYTES = 4096;
const MAX_DETAIL_CHARS = 500;

/**
 * The VAPID `Authorization` header per push-service origin (the JWT's `aud`). Signing costs an
 * ECDSA operation; one header serves every message to that origin for hours.
 */
class VapidHeaderCache {
  private readonly entries = new Map<string, { authorization: string; refreshAtSeconds: number }>();

  constructor(private readonly vapid: VapidSettings) {}

  get(origin: string): string {
    const now = Math.floor(Date.now() / 1000);
    const cached = this.entries.get(origin);
    if (cached && cached.refreshAtSeconds > now) return cached.authorization;
    const expiresAt = now + JWT_LIFETIME_SECONDS;
    const { Authorization } = getVapidHeaders(
      origin,
      this.vapid.subject,
      this.vapid.publicKey,
      this.vapid.privateKey,
      'aes128gcm',
      expiresAt,
    );
    this.entries.delete(origin);
    if (this.entries.size >= MAX_CACHED_ORIGINS) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(origin, {
      authorization: Authorization,
      refreshAtSeconds: expiresAt - JWT_REFRESH_MARGIN_SECONDS,
    });
    return Authorization;
  }

  /** The push service refused the header (e.g. a clock far off): sign afresh next time. */
  forget(origin: string): void {
    this.entries.delete(origin);
  }
}

interface PushResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  detail: string;
}

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291). web-push encrypts
 * the payload; the request is ours, because web-push signs a new JWT per message and speaks
 * https only.
 */
export class WebPushAdapter implements ChannelAdapter {
  readonly name = PROVIDER;
  readonly channels: readonly Channel[] = ['push'];

  private readonly vapidHeaders: VapidHeaderCache;
  private readonly timeoutMs: number;
  private readonly allowPrivateUrls: boolean;
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent: http.Agent;

  constructor(options: WebPushAdapterOptions) {
    try {
      // web-push validates the key pair and subject only when signing: sign once to fail at start.
      getVapidHeaders(
        'https://push.invalid',
        options.vapid.subject,
        options.vapid.publicKey,
        options.vapid.privateKey,
        'aes128gcm',
      );
    } catch (error) {
      throw new ConfigError(`invalid VAPID settings: ${(error as Error).message}`);
    }
    this.vapidHeaders = new VapidHeaderCache(options.vapid);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.allowPrivateUrls = options.allowPrivateUrls;
    // Host names are checked after resolution, when connecting, so DNS rebinding cannot slip past.
    const lookup = options.allowPrivateUrls ? undefined : safeLookup;
    this.httpsAgent = new https.Agent({ keepAlive: true, lookup });
    this.httpAgent = new http.Agent({ keepAlive: true, lookup });
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.channel !== 'push' || !('subscription' in message)) {
      throw new PermanentDeliveryError('channel-not-supported', `${PROVIDER} sends web push only`);
    }
    const url = this.endpointUrl(message.subscription.endpoint);
    const request = this.buildRequest(message, url.origin);
    const response = await this.post(url, request.headers, request.body);
    if (response.status >= 200 && response.status < 300) {
      const location = response.headers.location;
      return { providerMessageId: location ?? `${PROVIDER}:${randomUUID()}` };
    }
    if (response.status === 404 || response.status === 410) {
      throw new PermanentDeliveryError('subscription-gone', `push service answered ${response.status}`);
    }
    if (response.status === 401 || response.status === 403) this.vapidHeaders.forget(url.origin);
    throw errorForHttpStatus(PROVIDER, response.status, {
      retryAfter: response.headers['retry-after'],
      detail: response.detail,
    });
  }

  /** Closes the kept-alive connections. */
  async close(): Promise<void> {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  private endpointUrl(endpoint: string): URL {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new PermanentDeliveryError('invalid-endpoint', 'push endpoint is not a URL');
    }
    const allowedProtocol = url.protocol === 'https:' || (this.allowPrivateUrls && url.protocol === 'http:');
    if (!allowedProtocol) {
      throw new PermanentDeliveryError(
        'endpoint-not-allowed',
        `push endpoint protocol ${url.protocol} is not allowed`,
      );
    }
    // Node connects to a literal IP without a lookup: the agents' safeLookup never sees it.
    if (!this.allowPrivateUrls && isPrivateHost(url.hostname)) {
      throw new PermanentDeliveryError('endpoint-not-allowed', 'push endpoint is a private address');
    }
    return url;
  }

  private buildRequest(
    message: PushMessage,
    origin: string,
  ): { headers: Record<string, string>; body: Buffer } {
    let details: RequestDetails;
    try {
      details = generateRequestDetails(message.subscription, JSON.stringify(message.payload), {
        contentEncoding: 'aes128gcm',
        // null (which the typings do not admit) tells web-push not to sign: the header comes from the cache.
        vapidDetails: null as unknown as undefined,
        headers: { Authorization: this.vapidHeaders.get(origin) },
        ...(message.ttlSeconds === undefined ? {} : { TTL: message.ttlSeconds }),
        ...(message.urgency === undefined ? {} : { urgency: message.urgency }),
      });
    } catch (error) {
      throw new PermanentDeliveryError(
        'invalid-subscription',
        `cannot encrypt for this subscription: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!details.body) throw new PermanentDeliveryError('invalid-subscription', 'web-push produced no body');
    if (details.body.length > MAX_BODY_BYTES) {
      throw new PermanentDeliveryError(
        'push-payload-too-large',
        `encrypted payload is ${details.body.length} bytes (limit ${MAX_BODY_BYTES})`,
      );
    }
    return { headers: details.headers, body: details.body };
  }

  private post(url: URL, headers: Record<string, string>, body: Buffer): Promise<PushResponse> {
    const client =
      url.protocol === 'https:'
        ? { request: https.request, agent: this.httpsAgent }
        : { request: http.request, agent: this.httpAgent };
    return new Promise<PushResponse>((resolve, reject) => {
      const request = client.request(url, { method: 'POST', headers, agent: client.agent }, (response) => {
        let detail = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (detail.length < MAX_DETAIL_CHARS) detail += chunk.slice(0, MAX_DETAIL_CHARS - detail.length);
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, detail });
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(this.networkError(error));
        });
      });
      const timer = setTimeout(() => {
        request.destroy(
          Object.assign(new Error(`no answer from the push service within ${this.timeoutMs} ms`), {
            code: 'ETIMEDOUT',
          }),
        );
      }, this.timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(this.networkError(error));
      });
      request.end(body);
    });
  }

  private networkError(error: Error): Error {
    if ((error as NodeJS.ErrnoException).code === PRIVATE_ADDRESS_ERROR_CODE) {
      return new PermanentDeliveryError('endpoint-not-allowed', error.message, { cause: error });
    }
    return errorForNetworkFailure(PROVIDER, error);
  }
}
