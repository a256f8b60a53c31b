import http from 'node:http';
import https from 'node:https';
import { Client } from '@sendgrid/client';
import type { ClientRequest } from '@sendgrid/client/src/request';
import { MailService, type MailDataRequired } from '@sendgrid/mail';
import type { Channel } from '@herald/contracts';
import { PermanentDeliveryError, type TransientDeliveryError } from '@herald/errors';
import type { ChannelAdapter, EmailMessage, OutboundMessage, SendResult } from './channel-adapter';
import { assertEmailHeadersSafe } from './header-safety';
import { errorForHttpStatus, errorForSdkFailure } from './provider-errors';

const PROVIDER = 'sendgrid';
const DEFAULT_BASE_URL = 'https://api.sendgrid.com';
const DEFAULT_TIMEOUT_MS = 15_000;
/** Longest provider detail copied into an error message. */
const MAX_DETAIL_CHARS = 300;

export interface SendGridAdapterOptions {
  apiKey: string;
  /** Defaults to https://api.sendgrid.com; tests point it at the stand-in. */
  baseUrl?: string;
  timeoutMs?: number;
}

/** The shape of `@sendgrid/helpers`' ResponseError (its class is not exported in a typed way). */
interface SendGridResponseError {
  code: number;
  response: { headers?: Record<string, unknown>; body?: unknown };
}

/**
 * E-mail through SendGrid's v3 mail send API with the official SDK. Each adapter has its own
 * MailService and Client (never the SDK's process-wide singletons) and keeps its connections
 * alive, which is most of the per-message cost at volume.
 */
export class SendGridAdapter implements ChannelAdapter {
  readonly name = PROVIDER;
  readonly channels: readonly Channel[] = ['email'];
  private readonly mail = new MailService();
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });

  constructor(options: SendGridAdapterOptions) {
    const client = new Client();
    // setApiKey resets the base URL to SendGrid's global host, so the base URL comes after it.
    client.setApiKey(options.apiKey);
    client.setDefaultRequest({
      url: '',
      baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      // The mail send API never redirects; without redirects axios skips its follow-redirects wrapper.
      maxRedirects: 0,
      // Provider calls go straight out: a proxy must be set on the agents, not picked up from the environment.
      proxy: false,
    } as ClientRequest);
    this.mail.setClient(client);
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.channel !== 'email') {
      throw new PermanentDeliveryError('channel-not-supported', `${PROVIDER} sends e-mail only`);
    }
    const data = toMailData(message);
    let headers: Record<string, unknown>;
    try {
      const [response] = await this.mail.send(data);
      headers = (response.headers ?? {}) as Record<string, unknown>;
    } catch (error) {
      throw classifySendGridError(error);
    }
    // SendGrid accepted the message: failing here would let a replay send it twice, so a missing
    // id (never seen from SendGrid itself) is recorded as our own reference instead.
    const messageId = headerValue(headers, 'x-message-id');
    return { providerMessageId: messageId ?? `sendgrid:${message.deliveryId}` };
  }

  async close(): Promise<void> {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function toMailData(message: EmailMessage): MailDataRequired {
  assertEmailHeadersSafe(message);
  const content = [
    ...(message.text ? [{ type: 'text/plain', value: message.text }] : []),
    ...(message.html ? [{ type: 'text/html', value: message.html }] : []),
  ];
  const [first, ...rest] = content;
  if (!first)
    throw new PermanentDeliveryError('empty-body', 'the e-mail has neither a text nor an html body');
  return {
    to: message.to,
    from: message.from.name ? { email: message.from.address, name: message.from.name } : message.from.address,
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    subject: message.subject,
    content: [first, ...rest],
    // Opaque ids only: custom args come back in every event webhook, which is how events find their delivery.
    customArgs: { execution_id: message.executionId, delivery_id: message.deliveryId },
  };
}

function classifySendGridError(error: unknown): TransientDeliveryError | PermanentDeliveryError {
  if (isResponseError(error)) {
    return errorForHttpStatus(PROVIDER, error.code, {
      retryAfter: headerValue(error.response.headers ?? {}, 'retry-after'),
      detail: describeErrors(error.response.body),
    });
  }
  return errorForSdkFailure(PROVIDER, error);
}

function isResponseError(error: unknown): error is SendGridResponseError {
  return (
    error instanceof Error &&
    typeof (error as Partial<SendGridResponseError>).code === 'number' &&
    typeof (error as Partial<SendGridResponseError>).response === 'object'
  );
}

/**
 * SendGrid's `{errors:[{message, field}]}` as one line. Its messages name fields; anything
 * shaped like an address is masked all the same, since the line ends up in logs.
 */
function describeErrors(body: unknown): string | undefined {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return undefined;
  const parts = errors.map((entry: { message?: unknown; field?: unknown }) =>
    typeof entry.field === 'string' && entry.field !== ''
      ? `${entry.field}: ${String(entry.message)}`
      : String(entry.message),
  );
  return (
    parts
      .join('; ')
      .replace(/\S+@\S+/g, '[address]')
      .slice(0, MAX_DETAIL_CHARS) || undefined
  );
}

/** Node lower-cases response header names, so a lower-case lookup works on axios' headers object too. */
function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}
