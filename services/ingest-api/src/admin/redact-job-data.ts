/**
 * What Bull Board may show of a job: operators need to recognise a job and its
 * error, not to read who it was for. Addresses are masked, the recipient's profile and context
 * are reduced to their size, and push subscriptions lose their keys.
 */

/** Values replaced by a note of their size: a profile or context is a dump of personal data. */
const SUMMARISED_KEYS: ReadonlySet<string> = new Set(['profile', 'context']);
const EMAIL_KEY = /e-?mail/i;
const PHONE_KEY = /phone|mobile|msisdn/i;
const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g;
/** International numbers only: bare digit runs in text are codes, counts and statuses. */
const PHONE_IN_TEXT = /\+\d[\d\s().-]{5,20}\d/g;
/** Job data is JSON from the API, nested a few levels; anything deeper is not worth showing. */
const MAX_DEPTH = 12;

type JsonRecord = Record<string, unknown>;

/** Job data as Bull Board shows it; the job itself is never changed. */
export function redactJobData(data: unknown): unknown {
  return redactValue(data, '', 0);
}

/** `alice@example.com` → `a***@example.com`. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  const local = at >= 0 ? address.slice(0, at) : address;
  const domain = at >= 0 ? address.slice(at) : '';
  return `${local.slice(0, 1)}***${domain}`;
}

/** `+33612345678` → `+33*******78`: the country is kept, the subscriber is not. */
export function maskPhone(number: string): string {
  const plus = number.trim().startsWith('+') ? '+' : '';
  const digits = number.replace(/\D/g, '');
  if (digits.length < 8) return `${plus}${'*'.repeat(Math.max(digits.length, 3))}`;
  return `${plus}${digits.slice(0, 2)}${'*'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}

/** Free text (an error message, a stack line) with every address in it masked. */
export function maskAddressesInText(text: string): string {
  return text.replace(EMAIL_IN_TEXT, maskEmail).replace(PHONE_IN_TEXT, maskPhone);
}

function redactValue(value: unknown, key: string, depth: number): unknown {
  if (typeof value === 'string') return redactString(value, key);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[redacted: nested too deep]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, key, depth + 1));
  return redactRecord(value as JsonRecord, depth + 1);
}

/** Identity namespaces whose ids are addresses, whatever their spelling (`0612…`, `名前@例え.jp`). */
const ADDRESS_NAMESPACE = /e-?mail|phone|mobile|sms|msisdn/i;

function redactRecord(record: JsonRecord, depth: number): JsonRecord {
  const redacted: JsonRecord = {};
  const idIsAddress = typeof record.namespace === 'string' && ADDRESS_NAMESPACE.test(record.namespace);
  for (const [key, value] of Object.entries(record)) {
    if (key === 'userId' && idIsAddress) redacted[key] = maskId(value);
    else if (SUMMARISED_KEYS.has(key)) redacted[key] = sizeNote(value);
    else if (key === 'pushInfo') redacted[key] = redactPushInfo(value, depth);
    else redacted[key] = redactValue(value, key, depth);
  }
  return redacted;
}

function redactString(value: string, key: string): string {
  if (PHONE_KEY.test(key)) return maskPhone(value);
  if (EMAIL_KEY.test(key)) return maskEmail(value);
  // Ids can be addresses too (a userId in the email or phone namespace).
  return maskAddressesInText(value);
}

/**
 * A Web Push subscription without its keys, and its endpoint cut to the push service's origin:
 * the rest of the endpoint identifies the subscriber's browser. A device token keeps its first
 * characters only.
 */
function redactPushInfo(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return sizeNote(value);
  const { keys: _keys, endpoint, token, ...rest } = value as JsonRecord;
  return {
    ...(endpoint !== undefined ? { endpoint: endpointOrigin(endpoint) } : {}),
    // A device token is that device's address (a web one carries the subscription's keys too).
    ...(token !== undefined
      ? { token: typeof token === 'string' ? `${token.slice(0, 4)}…` : '[redacted]' }
      : {}),
    ...redactRecord(rest, depth),
  };
}

function endpointOrigin(endpoint: unknown): string {
  if (typeof endpoint !== 'string') return '[redacted]';
  try {
    return `${new URL(endpoint).origin}/…`;
  } catch {
    return '[redacted]';
  }
}

/**
 * An address-shaped id masked as addresses are; any other spelling keeps its first character
 * only: enough to tell ids apart at a glance, not to read the address.
 */
function maskId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) return '[redacted]';
  const masked = maskAddressesInText(value);
  return masked !== value ? masked : `${value.slice(0, 1)}***`;
}

function sizeNote(value: unknown): string {
  if (value === undefined || value === null) return '[redacted]';
  if (Array.isArray(value)) return `[redacted: ${plural(value.length, 'item')}]`;
  if (typeof value === 'object') return `[redacted: ${plural(Object.keys(value).length, 'key')}]`;
  return '[redacted]';
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
