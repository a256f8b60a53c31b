import { PermanentDeliveryError } from '@herald/errors';

/**
 * Refuses CR/LF in a value bound for an e-mail header: a rendered subject or name containing
 * them could otherwise inject headers (Bcc:, a second body).
 */
export function assertHeaderSafe(field: string, value: string | undefined): void {
  if (value !== undefined && /[\r\n]/.test(value)) {
    throw new PermanentDeliveryError('header-injection', `${field} contains a line break`);
  }
}
