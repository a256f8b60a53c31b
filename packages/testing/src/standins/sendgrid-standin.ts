import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { listenOnLoopback, readBody, respond } from './http-standin';
import { BehaviourSwitch, pause, type StandinBehaviour } from './standin-behaviour';

export interface AcceptedMail {
  /** The id the stand-in returned in `x-message-id`. */
  messageId: string;
  to: string;
  from: string;
  subject: string;
  html?: string;
  text?: string;
  customArgs: Record<string, string>;
  acceptedAt: number;
}

export interface SendGridStandin {
  /** Base URL (`http://127.0.0.1:port`) to give the SendGrid client. */
  url: string;
  apiKey: string;
  /** Accepted mails, oldest first (empty when started with `keepMessages: false`). */
  accepted: AcceptedMail[];
  readonly acceptedCount: number;
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

interface FieldError {
  message: string;
  field: string | null;
  help: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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
    acceptedCount += 1;
    const messageId = `${idPrefix}${acceptedCount.toString(36)}`;
    if (keepMessages || options.onAccepted) {
      const record = toAccepted(mail as SendGridMail, messageId);
      if (keepMessages) accepted.push(record);
      options.onAccepted?.(record);
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

interface SendGridMail {
  personalizations: Array<{
    to: Array<{ email: string }>;
    subject?: string;
    custom_args?: Record<string, string>;
  }>;
  from: { email: string };
  subject?: string;
  content: Array<{ type: string; value: string }>;
  custom_args?: Record<string, string>;
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

/** The checks SendGrid makes before accepting a send, with its messages and field paths. */
function validateMail(mail: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string): void => {
    errors.push({ message, field, help: null });
  };
  if (!isObject(mail)) {
    fail('', 'Bad Request');
    return errors;
  }
  const personalizations = mail.personalizations;
  if (!Array.isArray(personalizations) || personalizations.length === 0) {
    fail(
      'personalizations',
      'The personalizations field is required and must have at least one personalization.',
    );
  } else {
    personalizations.forEach((personalization: unknown, p) => {
      const to = isObject(personalization) ? personalization.to : undefined;
      if (!Array.isArray(to) || to.length === 0) {
        fail(
          `personalizations.${p}.to`,
          'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
        );
        return;
      }
      to.forEach((recipient: unknown, r) => {
        const email = isObject(recipient) ? recipient.email : undefined;
        if (typeof email !== 'string' || !EMAIL.test(email)) {
          fail(`personalizations.${p}.to.${r}.email`, 'Does not contain a valid address.');
        }
      });
    });
  }
  const from = mail.from;
  if (!isObject(from) || from.email === undefined) {
    fail(
      'from',
      'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.',
    );
  } else if (typeof from.email !== 'string' || !EMAIL.test(from.email)) {
    fail('from.email', 'The from email does not contain a valid address.');
  }
  const everyPersonalizationHasSubject =
    Array.isArray(personalizations) &&
    personalizations.length > 0 &&
    personalizations.every((p: unknown) => isObject(p) && typeof p.subject === 'string' && p.subject !== '');
  if (!everyPersonalizationHasSubject && (typeof mail.subject !== 'string' || mail.subject === '')) {
    fail(
      'subject',
      'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
    );
  }
  const content = mail.content;
  if (!Array.isArray(content) || content.length === 0) {
    fail(
      'content',
      'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.',
    );
  } else {
    content.forEach((block: unknown, c) => {
      if (!isObject(block) || typeof block.value !== 'string' || block.value === '') {
        fail(`content.${c}.value`, 'The content value must be a string at least one character in length.');
      }
    });
  }
  if (mail.custom_args !== undefined && !isStringRecord(mail.custom_args)) {
    fail('custom_args', 'Invalid type. Expected: object, given: something else; values must be strings.');
  }
  return errors;
}

function toAccepted(mail: SendGridMail, messageId: string): AcceptedMail {
  const personalization = mail.personalizations[0]!;
  const html = mail.content.find((block) => block.type === 'text/html')?.value;
  const text = mail.content.find((block) => block.type === 'text/plain')?.value;
  return {
    messageId,
    to: personalization.to[0]!.email,
    from: mail.from.email,
    subject: personalization.subject ?? mail.subject ?? '',
    ...(html === undefined ? {} : { html }),
    ...(text === undefined ? {} : { text }),
    customArgs: { ...mail.custom_args, ...personalization.custom_args },
    acceptedAt: Date.now(),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): boolean {
  return isObject(value) && Object.values(value).every((entry) => typeof entry === 'string');
}
