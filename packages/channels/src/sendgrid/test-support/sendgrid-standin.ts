import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import {
  toAccepted,
  validateMail,
  type AcceptedMail,
  type FieldError,
  type SendGridMail,
} from './sendgrid-mail';
import {
  BehaviourSwitch,
  listenOnLoopback,
  pause,
  readBody,
  respond,
  type StandinBehaviour,
} from '@herald/testing';

export type { AcceptedMail } from './sendgrid-mail';

export interface SendGridStandin {
  /** Base URL (`http://127.0.0.1:port`) to give the SendGrid client. */
  url: string;
  apiKey: string;
  /** Accepted mails, oldest first (empty when started with `keepMessages: false`). */
  accepted: AcceptedMail[];
  /** Personalizations accepted: one per recipient, however many shared a request. */
  readonly acceptedCount: number;
  /** Every request received, accepted or not. */
  readonly requestCount: number;
  behave(behaviour: StandinBehaviour): void;
  close(): Promise<void>;
}

export interface SendGridStandinOptions {
  apiKey?: string;
  port?: number;
  /** Keep every accepted mail in `accepted` (default true); benchmarks turn it off. */
  keepMessages?: boolean;
  onAccepted?: (mail: AcceptedMail) => void;
}

/** A local stand-in for SendGrid's v3 `POST /v3/mail/send`, with SendGrid's answers and error bodies. */
export async function startSendGridStandin(options: SendGridStandinOptions = {}): Promise<SendGridStandin> {
  const apiKey = options.apiKey ?? `SG.standin.${randomBytes(12).toString('hex')}`;
  const expectedAuthorization = `Bearer ${apiKey}`;
  const keepMessages = options.keepMessages ?? true;
  const accepted: AcceptedMail[] = [];
  const behaviour = new BehaviourSwitch();
  // Ids are a random per-server prefix plus a counter: unique without a random draw per request.
  const idPrefix = randomBytes(9).toString('base64url');
  let requestCount = 0;
  let acceptedCount = 0;
  let acceptedRequests = 0;

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    requestCount += 1;
    const body = await readBody(request);
    const decision = behaviour.next();
    await pause(decision.latencyMs);
    if (request.method !== 'POST' || request.url !== '/v3/mail/send') {
      return respond(response, 404, errorBody([{ message: 'not found', field: null, help: null }]));
    }
    if (decision.status !== undefined)
      return answerSwitched(response, decision.status, decision.retryAfterSeconds);
    if (request.headers.authorization !== expectedAuthorization) {
      return respond(
        response,
        401,
        errorBody([
          {
            message: 'The provided authorization grant is invalid, expired, or revoked',
            field: null,
            help: null,
          },
        ]),
      );
    }
    let mail: unknown;
    try {
      mail = JSON.parse(body);
    } catch {
      return respond(response, 400, errorBody([{ message: 'Bad Request', field: null, help: null }]));
    }
    const errors = validateMail(mail);
    if (errors.length > 0) return respond(response, 400, errorBody(errors));
    acceptedRequests += 1;
    const messageId = `${idPrefix}${acceptedRequests.toString(36)}`;
    const valid = mail as SendGridMail;
    acceptedCount += valid.personalizations.length;
    if (keepMessages || options.onAccepted) {
      for (const record of toAccepted(valid, messageId, Date.now())) {
        if (keepMessages) accepted.push(record);
        options.onAccepted?.(record);
      }
    }
    response.writeHead(202, { 'X-Message-Id': messageId, 'Content-Length': '0' });
    response.end();
  }

  const server = await listenOnLoopback((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent)
        respond(response, 500, errorBody([{ message: 'internal error', field: null, help: null }]));
    });
  }, options.port);

  return {
    url: server.url,
    apiKey,
    accepted,
    get acceptedCount() {
      return acceptedCount;
    },
    get requestCount() {
      return requestCount;
    },
    behave: (next) => behaviour.behave(next),
    close: () => server.close(),
  };
}

function errorBody(errors: FieldError[]): { errors: FieldError[] } {
  return { errors };
}

function answerSwitched(
  response: http.ServerResponse,
  status: number,
  retryAfterSeconds: number | undefined,
): void {
  const headers: Record<string, string> =
    retryAfterSeconds !== undefined && (status === 429 || status === 503)
      ? { 'Retry-After': String(retryAfterSeconds) }
      : {};
  const message =
    status === 429 ? 'too many requests' : status >= 500 ? 'internal server error' : 'Bad Request';
  respond(response, status, errorBody([{ message, field: null, help: null }]), headers);
}
