import { randomBytes } from 'node:crypto';
import type { MailDataRequired } from '@sendgrid/mail';
import { PermanentDeliveryError } from '@herald/errors';
import type { EmailMessage } from './channel-adapter';
import { assertEmailHeadersSafe } from './header-safety';

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
  };
}

/**
 * Several messages sharing a batch key in one request: the content is one tag per content type
 * and each personalization substitutes its own bodies for the tags.
 */
export function toBatchMailData(messages: readonly EmailMessage[], tags: SubstitutionTags): MailDataRequired {
  const first = messages[0];
  if (!first) throw new Error('a batch needs at least one message');
  return {
    ...envelope(first),
    content: contentBlocks(first.text ? tags.text : undefined, first.html ? tags.html : undefined),
    personalizations: messages.map((message) => ({
      to: message.to,
      subject: message.subject,
      customArgs: customArgsOf(message),
      substitutions: substitutionsOf(message, tags),
    })),
    // The SDK wraps every substitution key in `{{ }}` unless told otherwise; the keys on the
    // wire must be exactly the tags in the content.
    substitutionWrappers: ['', ''],
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
  return { execution_id: message.executionId, delivery_id: message.deliveryId };
}

function substitutionsOf(message: EmailMessage, tags: SubstitutionTags): Record<string, string> {
  return {
    ...(message.text ? { [tags.text]: message.text } : {}),
    ...(message.html ? { [tags.html]: message.html } : {}),
  };
}

function substitutionBytes(substitutions: Record<string, string>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(substitutions)) {
    bytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  return bytes;
}
