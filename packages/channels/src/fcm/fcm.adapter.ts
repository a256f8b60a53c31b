import { randomUUID } from 'node:crypto';
import { JWT } from 'google-auth-library';
import type { Channel, MobilePushMessage, OutboundMessage } from '@herald/contracts';
import { PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';
import type { ChannelAdapter, SendResult } from '../channel-adapter';
import { MOBILE_PUSH_MAX_PAYLOAD_BYTES, mobilePushPayloadBytes } from '../mobile-push-payload';
import { errorForHttpStatus, errorForNetworkFailure, errorForSdkFailure } from '../provider-errors';
import { errorForFcmAnswer, type FcmErrorBody } from './fcm-errors';
import { fcmMessage } from './fcm-message';

export interface FcmAdapterOptions {
  /** Firebase project the messages are sent for. */
  projectId: string;
  /** The service account key's `client_email`, `private_key` and `token_uri`. */
  clientEmail: string;
  privateKey: string;
  /** Where access tokens are fetched; Google's own endpoint unless given (a stand-in in tests). */
  tokenUrl?: string;
  /** Base URL of the HTTP v1 API; `https://fcm.googleapis.com` unless given. */
  apiUrl?: string;
  /** Whole-request budget; 10 s unless given. */
  timeoutMs?: number;
}

const PROVIDER = 'fcm';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const DEFAULT_API_URL = 'https://fcm.googleapis.com';
const DEFAULT_TIMEOUT_MS = 10_000;
const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** Tokens live an hour; one fetched this long before expiry keeps in-flight sends valid. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * Firebase Cloud Messaging HTTP v1 (`projects.messages.send`), authorised by a service account.
 * google-auth-library signs the JWT assertion, exchanges it for an access token and keeps that
 * token until shortly before it expires; the send itself is ours, so its answers are classified here.
 */
export class FcmAdapter implements ChannelAdapter {
  readonly name = PROVIDER;
  readonly channels: readonly Channel[] = ['push'];

  private auth: JWT;
  private readonly sendUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: FcmAdapterOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const apiUrl = (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
    this.sendUrl = `${apiUrl}/v1/projects/${encodeURIComponent(options.projectId)}/messages:send`;
    this.auth = this.createAuthClient();
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.channel !== 'push' || !('device' in message) || message.device.platform !== 'fcm') {
      throw new PermanentDeliveryError(
        'channel-not-supported',
        `${PROVIDER} sends mobile push to fcm devices only`,
      );
    }
    const bytes = mobilePushPayloadBytes(message.payload, 'fcm');
    if (bytes > MOBILE_PUSH_MAX_PAYLOAD_BYTES) {
      throw new PermanentDeliveryError(
        'push-payload-too-large',
        `FCM payload is ${bytes} bytes (limit ${MOBILE_PUSH_MAX_PAYLOAD_BYTES})`,
      );
    }
    const body = JSON.stringify({ message: fcmMessage(message) });
    let response = await this.post(body);
    if (response.status === 401) {
      // The token was revoked or expired early: a new client fetches a fresh one, once.
      this.auth = this.createAuthClient();
      response = await this.post(body);
    }
    return this.resultOf(response, message);
  }

  private createAuthClient(): JWT {
    const tokenUrl = this.options.tokenUrl ?? GOOGLE_TOKEN_URL;
    const client = new JWT({
      email: this.options.clientEmail,
      key: this.options.privateKey,
      scopes: [FCM_SCOPE],
      // The assertion is addressed to the endpoint that receives it (Google's own unless told otherwise).
      additionalClaims: { aud: tokenUrl },
      eagerRefreshThresholdMillis: TOKEN_REFRESH_MARGIN_MS,
      // Node's own fetch: gaxios would otherwise load node-fetch with a dynamic import.
      transporterOptions: { timeout: this.timeoutMs, fetchImplementation: fetch },
    });
    if (tokenUrl !== GOOGLE_TOKEN_URL) {
      // The library posts to Google's endpoint whatever the key's token_uri says: redirect it there.
      client.transporter.interceptors.request.add({
        resolved: async (request) => {
          if (request.url.toString() === GOOGLE_TOKEN_URL) request.url = new URL(tokenUrl);
          return request;
        },
      });
    }
    return client;
  }

  private async accessToken(): Promise<string> {
    let token: string | null | undefined;
    try {
      token = (await this.auth.getAccessToken()).token;
    } catch (error) {
      throw errorForTokenFailure(error);
    }
    if (!token)
      throw new TransientDeliveryError('provider-unavailable', 'FCM token endpoint gave no access token');
    return token;
  }

  private async post(body: string): Promise<{ status: number; headers: Headers; text: string }> {
    const token = await this.accessToken();
    try {
      const response = await fetch(this.sendUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      throw errorForNetworkFailure(PROVIDER, error);
    }
  }

  private resultOf(
    response: { status: number; headers: Headers; text: string },
    message: MobilePushMessage,
  ): SendResult {
    const parsed = parseJson(response.text);
    if (response.status >= 200 && response.status < 300) {
      const name = typeof parsed?.name === 'string' ? parsed.name : undefined;
      return { providerMessageId: name ?? `${PROVIDER}:${message.deliveryId}:${randomUUID()}` };
    }
    throw errorForFcmAnswer(
      response.status,
      (parsed ?? {}) as FcmErrorBody,
      response.headers.get('retry-after'),
    );
  }
}

/** A failed token exchange: refused credentials never heal by themselves, an unavailable endpoint does. */
function errorForTokenFailure(error: unknown): TransientDeliveryError | PermanentDeliveryError {
  const response = (error as { response?: { status?: number; headers?: unknown } }).response;
  if (response?.status === undefined) return errorForSdkFailure(`${PROVIDER} token endpoint`, error);
  const status = response.status;
  const detail = error instanceof Error ? error.message.slice(0, 200) : undefined;
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new PermanentDeliveryError(
      'provider-auth-failed',
      `FCM token endpoint refused the service account (HTTP ${status})${detail ? `: ${detail}` : ''}`,
    );
  }
  return errorForHttpStatus(`${PROVIDER} token endpoint`, status, { ...(detail ? { detail } : {}) });
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
