import { randomBytes } from 'node:crypto';
import type { MailDataRequired } from '@sendgrid/mail';
import { PermanentDeliveryError } from '@herald/errors';
import { assertEmailExtraHeadersSafe, assertEmailHeadersSafe, type EmailMessage } from '@herald/contracts';
import { CUSTOM_ARG } from './custom-args';

/** SendGrid refuses a personalization whose substitutions (keys and values, UTF-8) are larger. */
export const MAX_SUBSTITUTION_BYTES = 10_000;
/** SendGrid refuses a request with more personalizations. */
export const MAX_PERSONALIZATIONS = 1_000;

interface ContentBlock {
  type: string;
  value: string;
}

/** The placeholders a batched request puts in its content, one per content type. */
export interface SubstitutionTags {
  text: string;
  html: string;
}

/** Tags with a random token, so no body can contain one by accident and have it replaced. */
export function newSubstitutionTags(): SubstitutionTags {
  const token = randomBytes(12).toString('hex');
  return { text: `%herald-${token}-text%`, html: `%herald-${token}-html%` };
}

/** The checks that fail one message on its own, before it joins any request. */
export function assertSendable(message: EmailMessage): void {
  assertEmailHeadersSafe(message);
  // The allow-list also keeps out the headers SendGrid reserves, which it would answer with a 400.
  assertEmailExtraHeadersSafe(message.headers);
  if (!message.text && !message.html) {
    throw new PermanentDeliveryError('empty-body', 'the e-mail has neither a text nor an html body');
  }
}

/**
 * Messages with the same key differ only in what a personalization carries (recipient,
 * subject, custom args, substituted bodies), so they can share one request.
 */
export function batchKey(message: EmailMessage): string {
  return JSON.stringify([
    message.from.address,
    message.from.name || null,
    message.replyTo || null,
    Boolean(message.text),
    Boolean(message.html),
  ]);
}

/** False when the message's bodies are too large for SendGrid's substitution limit. */
export function fitsInBatch(message: EmailMessage, tags: SubstitutionTags): boolean {
  return substitutionBytes(substitutionsOf(message, tags)) <= MAX_SUBSTITUTION_BYTES;
}

/** One message in one request, its bodies as they are. */
export function toSingleMailData(message: EmailMessage): MailDataRequired {
  return {
    ...envelope(message),
    to: message.to,
    subject: message.subject,
    content: contentBlocks(message.text, message.html),
    customArgs: customArgsOf(message),
    ...extraHeadersOf(message),
  };
}

/** An address on the wire of SendGrid's v3 mail send API. */
interface WireAddress {
  email: string;
  name?: string;
}

/** The body of `POST /v3/mail/send` for a batch, in SendGrid's wire format (snake_case keys). */
export interface MailSendBody {
  from: WireAddress;
  reply_to?: WireAddress;
  content: ContentBlock[];
  personalizations: Array<{
    to: [WireAddress];
    subject: string;
    custom_args: Record<string, string>;
    substitutions: Record<string, string>;
    headers?: Record<string, string>;
  }>;
}

/**
 * Several messages sharing a batch key in one request: the content is one tag per content type
 * and each personalization substitutes its own bodies for the tags. Built in the wire format and
 * posted with the SDK's client: `@sendgrid/mail` deep-copies (JSON round trip) the whole request
 * and then each personalization again, which for 100 rendered e-mails cost about 30 µs per
 * e-mail, several times the rest of the request's own work.
 */
export function toBatchRequestBody(messages: readonly EmailMessage[], tags: SubstitutionTags): MailSendBody {
  const first = messages[0];
  if (!first) throw new Error('a batch needs at least one message');
  return {
    from: first.from.name
      ? { email: first.from.address, name: first.from.name }
      : { email: first.from.address },
    ...(first.replyTo ? { reply_to: { email: first.replyTo } } : {}),
    content: contentBlocks(first.text ? tags.text : undefined, first.html ? tags.html : undefined),
    personalizations: messages.map((message) => ({
      to: [{ email: message.to }],
      subject: message.subject,
      custom_args: customArgsOf(message),
      substitutions: substitutionsOf(message, tags),
      // Per personalization: a List-Unsubscribe URL is the recipient's own.
      ...extraHeadersOf(message),
    })),
  };
}

function envelope(message: EmailMessage): Pick<MailDataRequired, 'from' | 'replyTo'> {
  return {
    from: message.from.name ? { email: message.from.address, name: message.from.name } : message.from.address,
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
  };
}

/** text/plain first: SendGrid refuses content whose first block is another type. */
function contentBlocks(
  text: string | undefined,
  html: string | undefined,
): [ContentBlock, ...ContentBlock[]] {
  const blocks = [
    ...(text ? [{ type: 'text/plain', value: text }] : []),
    ...(html ? [{ type: 'text/html', value: html }] : []),
  ];
  const [first, ...rest] = blocks;
  if (!first) {
    throw new PermanentDeliveryError('empty-body', 'the e-mail has neither a text nor an html body');
  }
  return [first, ...rest];
}

/** Opaque ids only: custom args come back in every event webhook, which is how events find their delivery. */
function customArgsOf(message: EmailMessage): Record<string, string> {
  return {
    [CUSTOM_ARG.sandbox]: message.sandbox,
    [CUSTOM_ARG.executionId]: message.executionId,
    [CUSTOM_ARG.deliveryId]: message.deliveryId,
  };
}

/** `headers` only when there are some: SendGrid's field is optional, and an empty one is noise. */
function extraHeadersOf(message: EmailMessage): { headers?: Record<string, string> } {
  return message.headers && Object.keys(message.headers).length > 0 ? { headers: message.headers } : {};
}

function substitutionsOf(message: EmailMessage, tags: SubstitutionTags): Record<string, string> {
  return {
    ...(message.text ? { [tags.text]: message.text } : {}),
    ...(message.html ? { [tags.html]: message.html } : {}),
  };
}

/**
 * As SendGrid counts them: the substitutions object as it travels, JSON-encoded (quotes, newlines
 * and backslashes escaped), in UTF-8 bytes. Raw text underestimates HTML by a third or more.
 */
function substitutionBytes(substitutions: Record<string, string>): number {
  return Buffer.byteLength(JSON.stringify(substitutions), 'utf8');
}

/**
 * The messages of a batch in requests that each hold an address once, compared without case:
 * SendGrid refuses a request that names one address in two personalizations, which two live
 * campaigns sending to the same people at the same moment would otherwise produce. Order is kept
 * within each request; most batches come back whole, as one request.
 */
export function withUniqueAddresses<T extends Pick<EmailMessage, 'to'>>(messages: readonly T[]): T[][] {
  const requests: Array<{ messages: T[]; addresses: Set<string> }> = [];
  for (const message of messages) {
    const address = message.to.toLowerCase();
    let request = requests.find((candidate) => !candidate.addresses.has(address));
    if (!request) {
      request = { messages: [], addresses: new Set() };
      requests.push(request);
    }
    request.messages.push(message);
    request.addresses.add(address);
  }
  return requests.map((request) => request.messages);
}
