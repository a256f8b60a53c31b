import { PermanentDeliveryError } from '@herald/errors';
import type { EmailMessage } from './message';

/**
 * Refuses CR/LF in a value bound for an e-mail header: a rendered subject or name containing
 * them could otherwise inject headers (Bcc:, a second body).
 */
export function assertHeaderSafe(field: string, value: string | undefined): void {
  if (value !== undefined && /[\r\n]/.test(value)) {
    throw new PermanentDeliveryError('header-injection', `${field} contains a line break`);
  }
}

/** Every value of an e-mail that ends up in a header. */
export function assertEmailHeadersSafe(message: EmailMessage): void {
  assertHeaderSafe('subject', message.subject);
  assertHeaderSafe('from', message.from.address);
  assertHeaderSafe('from name', message.from.name);
  assertHeaderSafe('to', message.to);
  assertHeaderSafe('reply-to', message.replyTo);
}
