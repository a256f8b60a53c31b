import http from 'node:http';
import https from 'node:https';
import { Client } from '@sendgrid/client';
import type { ClientRequest } from '@sendgrid/client/src/request';
import { MailService, type MailDataRequired } from '@sendgrid/mail';
import { MicroBatcher } from '@herald/batching';
import type { Channel, EmailMessage, OutboundMessage } from '@herald/contracts';
import { PermanentDeliveryError, type TransientDeliveryError } from '@herald/errors';
import type { ChannelAdapter, SendResult } from '../channel-adapter';
import { errorForHttpStatus, errorForSdkFailure } from '../provider-errors';
import {
  MAX_PERSONALIZATIONS,
  assertSendable,
  batchKey,
  withUniqueAddresses,
  fitsInBatch,
  newSubstitutionTags,
  toBatchRequestBody,
  toSingleMailData,
  type MailSendBody,
  type SubstitutionTags,
} from './sendgrid-batch';

const PROVIDER = 'sendgrid';
const DEFAULT_BASE_URL = 'https://api.sendgrid.com';
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_BATCH_WINDOW_MS = 2;
const DEFAULT_MAX_BATCH_SIZE = 100;
/** Longest provider detail copied into an error message. */
const MAX_DETAIL_CHARS = 300;

export interface SendGridAdapterOptions {
  apiKey: string;
  /** Defaults to https://api.sendgrid.com; tests point it at the stand-in. */
  baseUrl?: string;
  timeoutMs?: number;
  /**
   * How long a send waits for others to share its request (default 2 ms); 0 sends every
   * message in its own request.
   */
  batchWindowMs?: number;
  /** Most messages in one request (default 100, at most 1,000); 1 sends every message alone. */
  maxBatchSize?: number;
}

/** The shape of `@sendgrid/helpers`' ResponseError (its class is not exported in a typed way). */
interface SendGridResponseError {
  code: number;
  response: { headers?: Record<string, unknown>; body?: unknown };
}

/**
 * E-mail through SendGrid's v3 mail send API with the official SDK. Each adapter has its own
 * MailService and Client (never the SDK's process-wide singletons) and keeps its connections
 * alive. Concurrent sends with the same sender, reply-to and content types share one request,
 * one personalization each, since the per-request work dominates the cost at volume.
 */
export class SendGridAdapter implements ChannelAdapter {
  readonly name = PROVIDER;
  readonly channels: readonly Channel[] = ['email'];
  private readonly mail = new MailService();
  private readonly client = new Client();
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  private readonly tags: SubstitutionTags = newSubstitutionTags();
  private readonly batcher: MicroBatcher<EmailMessage, SendResult> | undefined;

  constructor(options: SendGridAdapterOptions) {
    const { client } = this;
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
    const windowMs = options.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS;
    const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    if (!(windowMs >= 0)) throw new RangeError('batchWindowMs must be 0 or more');
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1 || maxBatchSize > MAX_PERSONALIZATIONS) {
      throw new RangeError(`maxBatchSize must be an integer from 1 to ${MAX_PERSONALIZATIONS}`);
    }
    this.batcher =
      windowMs > 0 && maxBatchSize > 1
        ? new MicroBatcher({ windowMs, maxBatchSize }, (messages) => this.sendBatch(messages))
        : undefined;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.channel !== 'email') {
      throw new PermanentDeliveryError('channel-not-supported', `${PROVIDER} sends e-mail only`);
    }
    assertSendable(message);
    if (!this.batcher || !fitsInBatch(message, this.tags)) return this.sendAlone(message);
    return this.batcher.add(batchKey(message), message);
  }

  async close(): Promise<void> {
    await this.batcher?.close();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async sendAlone(message: EmailMessage): Promise<SendResult> {
    let headers: Record<string, unknown>;
    try {
      headers = await this.postOne(toSingleMailData(message));
    } catch (error) {
      throw classifySendGridError(error);
    }
    return accepted(headers, message);
  }

  private async sendBatch(
    messages: readonly EmailMessage[],
  ): Promise<Array<PromiseSettledResult<SendResult>>> {
    const requests = withUniqueAddresses(messages);
    if (requests.length > 1) {
      const outcomes = new Map<EmailMessage, PromiseSettledResult<SendResult>>();
      await Promise.all(
        requests.map(async (request) => {
          const settled = await this.sendRequest(request);
          request.forEach((message, index) => outcomes.set(message, settled[index]!));
        }),
      );
      return messages.map((message) => outcomes.get(message)!);
    }
    return this.sendRequest(messages);
  }

  /** One request for messages of distinct addresses (one alone goes as a plain send). */
  private async sendRequest(
    messages: readonly EmailMessage[],
  ): Promise<Array<PromiseSettledResult<SendResult>>> {
    if (messages.length === 1) return Promise.allSettled(messages.map((message) => this.sendAlone(message)));
    let headers: Record<string, unknown>;
    try {
      headers = await this.postBatch(toBatchRequestBody(messages, this.tags));
    } catch (error) {
      const refusal = classifySendGridError(error);
      // A refusal of the request itself (one invalid address, too large) says nothing about most
      // of its messages: each goes alone, so only the faulty one fails.
      if (refusal instanceof PermanentDeliveryError && refusal.code !== 'provider-auth-failed') {
        return Promise.allSettled(messages.map((message) => this.sendAlone(message)));
      }
      // A new error per message: no two jobs share (and may mutate) one error object.
      return messages.map(() => ({ status: 'rejected', reason: classifySendGridError(error) }));
    }
    return messages.map((message) => ({ status: 'fulfilled', value: accepted(headers, message) }));
  }

  /** The response headers of an accepted request; throws what the SDK threw otherwise. */
  private async postOne(data: MailDataRequired): Promise<Record<string, unknown>> {
    const [response] = await this.mail.send(data);
    return (response.headers ?? {}) as Record<string, unknown>;
  }

  /** The same request as `mail.send` makes, with a body already in the wire format. */
  private async postBatch(body: MailSendBody): Promise<Record<string, unknown>> {
    const [response] = await this.client.request({ method: 'POST', url: '/v3/mail/send', body });
    return (response.headers ?? {}) as Record<string, unknown>;
  }
}

/**
 * SendGrid accepted the message: failing here would let a replay send it twice, so a missing id
 * (never seen from SendGrid itself) is recorded as our own reference instead. A batch shares
 * one id; its recipients' events carry it as a prefix and tell themselves apart by delivery_id.
 */
function accepted(headers: Record<string, unknown>, message: EmailMessage): SendResult {
  return { providerMessageId: headerValue(headers, 'x-message-id') ?? `sendgrid:${message.deliveryId}` };
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
