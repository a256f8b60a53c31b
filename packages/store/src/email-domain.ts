/**
 * The domain of an e-mail address, lower-case: what follows the last `@`, when something comes
 * before it; null for anything else (a phone number, a device token, no address). The one rule of
 * the reports' domain breakdown: the worker's events and the store's look-up of a record use it
 * (the MongoDB adapter spells the same rule in its aggregation).
 */
export function emailDomainOf(address: unknown): string | null {
  if (typeof address !== 'string') return null;
  const at = address.lastIndexOf('@');
  const domain = at > 0 ? address.slice(at + 1).toLowerCase() : '';
  return domain === '' ? null : domain;
}
