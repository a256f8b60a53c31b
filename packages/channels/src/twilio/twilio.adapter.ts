import http from 'node:http';
import type https from 'node:https';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import type { Channel, OutboundMessage } from '@herald/contracts';
import { HeraldError, PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';
import type { ChannelAdapter, SendResult } from '../channel-adapter';
import { errorForHttpStatus, errorForSdkFailure, parseRetryAfter } from '../provider-errors';

const PROVIDER = 'twilio';
const DEFAULT_BASE_URL = 'https://api.twilio.com';
const DEFAULT_TIMEOUT_MS = 15_000;
/** Twilio's REST API allows about this many concurrent requests per account. */
const MAX_SOCKETS = 50;
/** Twilio error codes that mean "too fast", whatever HTTP status carries them. */
const THROTTLE_CODES = new Set([14107, 20429]);
/** A Messaging Service SID sends from its own number pool instead of one `From`. */
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

export interface TwilioAdapterOptions {
  accountSid: string;
  authToken: string;
  /** Defaults to https://api.twilio.com; tests point it at the stand-in. */
  baseUrl?: string;
  /** Where Twilio posts delivery status updates for each message. */
  statusCallbackUrl?: string;
  timeoutMs?: number;
}

/**
 * The SDK's HTTP client with two changes: every request goes to `baseUrl` instead of
 * api.twilio.com (plain HTTP allowed, for the stand-in), and an error answer becomes a
 * classified delivery error here, where its `Retry-After` header is still at hand.
 */
class RebasedRequestClient extends twilio.RequestClient {
  private readonly httpAgent: http.Agent;

  constructor(
    private readonly base: URL,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_SOCKETS });
    this.httpAgent = new http.Agent({
      keepAlive: true,
      maxSockets: MAX_SOCKETS,
      maxFreeSockets: MAX_SOCKETS,
    });
    this.axios.defaults.httpAgent = this.httpAgent;
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const target = new URL(opts.uri);
    const prefix = this.base.pathname.replace(/\/$/, '');
    const uri = `${this.base.origin}${prefix}${target.pathname}${target.search}`;
    const response = await super.request({ ...opts, uri });
    if (response.statusCode >= 400) {
      throw classifyTwilioAnswer(response.statusCode, response.body, response.headers?.['retry-after']);
    }
    return response;
  }

  destroy(): void {
    this.httpAgent.destroy();
    (this.axios.defaults.httpsAgent as https.Agent | undefined)?.destroy();
  }
}

/** SMS through Twilio's Programmable Messaging API with the official SDK. */
export class TwilioAdapter implements ChannelAdapter {
  readonly name = PROVIDER;
  readonly channels: readonly Channel[] = ['sms'];
  private readonly httpClient: RebasedRequestClient;
  private readonly client: twilio.Twilio;
  private readonly statusCallbackUrl: string | undefined;

  constructor(options: TwilioAdapterOptions) {
    this.httpClient = new RebasedRequestClient(
      new URL(options.baseUrl ?? DEFAULT_BASE_URL),
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    this.client = twilio(options.accountSid, options.authToken, { httpClient: this.httpClient });
    this.statusCallbackUrl = options.statusCallbackUrl;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.channel !== 'sms') {
      throw new PermanentDeliveryError('channel-not-supported', `${PROVIDER} sends SMS only`);
    }
    const sender = MESSAGING_SERVICE_SID.test(message.from)
      ? { messagingServiceSid: message.from }
      : { from: message.from };
    try {
      const created = await this.client.messages.create({
        to: message.to,
        ...sender,
        body: message.body,
        ...(this.statusCallbackUrl
          ? { statusCallback: statusCallbackFor(this.statusCallbackUrl, message) }
          : {}),
      });
      return { providerMessageId: created.sid };
    } catch (error) {
      throw classifyTwilioError(error);
    }
  }

  async close(): Promise<void> {
    this.httpClient.destroy();
  }
}

/**
 * The status callback of one message: the configured URL with the delivery's sandbox and id in
 * its query, since Twilio's callback names the message only by its SID. Twilio signs the whole
 * URL, query included, so the ids cannot be altered on the way back.
 */
export function statusCallbackFor(base: string, message: { sandbox: string; deliveryId: string }): string {
  const url = new URL(base);
  url.searchParams.set('sandbox', message.sandbox);
  url.searchParams.set('deliveryId', message.deliveryId);
  return url.toString();
}

function classifyTwilioError(error: unknown): HeraldError {
  if (error instanceof HeraldError) return error;
  if (error instanceof twilio.RestException) return classifyTwilioAnswer(error.status, { code: error.code });
  return errorForSdkFailure(PROVIDER, error);
}

/**
 * Classifies Twilio's `{code, message, more_info, status}` error answer. Only the numeric code
 * goes into the error: Twilio's message quotes the phone number.
 */
function classifyTwilioAnswer(
  status: number,
  body: unknown,
  retryAfter?: unknown,
): TransientDeliveryError | PermanentDeliveryError {
  const code = twilioErrorCode(body);
  const detail = code === undefined ? undefined : `Twilio error ${code}`;
  const retryAfterHeader = typeof retryAfter === 'string' ? retryAfter : undefined;
  if (code !== undefined && THROTTLE_CODES.has(code)) {
    return new TransientDeliveryError('provider-throttled', `${PROVIDER} throttled the request: ${detail}`, {
      retryAfterMs: parseRetryAfter(retryAfterHeader),
    });
  }
  return errorForHttpStatus(PROVIDER, status, { retryAfter: retryAfterHeader, detail });
}

function twilioErrorCode(body: unknown): number | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const code = (parsed as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}
