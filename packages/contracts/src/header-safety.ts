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

/**
 * The extra headers an EmailMessage may carry, spelled as listed. An allow-list rather than a
 * deny-list: each provider refuses its own set of reserved headers (SendGrid a 400 for `To`,
 * `Subject`, `Content-Type`, `DKIM-Signature`, `X-SG-ID`, …), and a header that overrides
 * routing or tracking (`Bcc`, `X-Herald-Delivery-Id`) must never get through on any of them.
 */
export const EMAIL_EXTRA_HEADER_NAMES: readonly string[] = ['List-Unsubscribe', 'List-Unsubscribe-Post'];

/** Refuses (`header-injection`) an extra header outside the allow-list, or a value with a line break. */
export function assertEmailExtraHeadersSafe(headers: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!EMAIL_EXTRA_HEADER_NAMES.includes(name)) {
      throw new PermanentDeliveryError(
        'header-injection',
        `header ${JSON.stringify(name)} is not allowed (allowed: ${EMAIL_EXTRA_HEADER_NAMES.join(', ')})`,
      );
    }
    assertHeaderSafe(`header ${name}`, value);
  }
}
