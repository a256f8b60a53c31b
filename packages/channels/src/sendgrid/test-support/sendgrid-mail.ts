/** What the SendGrid stand-in keeps of one accepted personalization: one recipient's mail. */
export interface AcceptedMail {
  /** The id the stand-in returned in `x-message-id`: shared by every personalization of a request. */
  messageId: string;
  to: string;
  from: string;
  subject: string;
  html?: string;
  text?: string;
  customArgs: Record<string, string>;
  /** The message's and the personalization's `headers` (the latter win); absent when neither has any. */
  headers?: Record<string, string>;
  acceptedAt: number;
}

export interface FieldError {
  message: string;
  field: string | null;
  help: string | null;
}

/** A `POST /v3/mail/send` body that passed `validateMail`. */
export interface SendGridMail {
  personalizations: Array<{
    to: Array<{ email: string }>;
    subject?: string;
    custom_args?: Record<string, string>;
    substitutions?: Record<string, string>;
    headers?: Record<string, string>;
  }>;
  from: { email: string };
  subject?: string;
  content: Array<{ type: string; value: string }>;
  custom_args?: Record<string, string>;
  headers?: Record<string, string>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_PERSONALIZATIONS = 1000;
const MAX_SUBSTITUTION_BYTES = 10_000;
/**
 * The headers that, per SendGrid's v3 mail send reference, `headers` may not override (message
 * and personalization level alike). Header names are case-insensitive, so the check is too. The
 * refusal is SendGrid's 400 with its `errors` body; the message wording is the stand-in's own.
 */
const RESERVED_HEADERS = new Set(
  [
    'x-sg-id',
    'x-sg-eid',
    'received',
    'dkim-signature',
    'Content-Type',
    'Content-Transfer-Encoding',
    'To',
    'From',
    'Subject',
    'Reply-To',
    'CC',
    'BCC',
  ].map((name) => name.toLowerCase()),
);

/** The checks SendGrid makes before accepting a send, with its messages and field paths. */
export function validateMail(mail: unknown): FieldError[] {
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
  } else if (personalizations.length > MAX_PERSONALIZATIONS) {
    fail(
      'personalizations',
      `You may not have more than ${MAX_PERSONALIZATIONS} personalizations per email.`,
    );
  } else {
    personalizations.forEach((personalization: unknown, p) => {
      validatePersonalization(personalization, `personalizations.${p}`, fail);
    });
    refuseRepeatedAddresses(personalizations, fail);
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
  // Each personalization needs a subject, its own or the message's.
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
  validateHeaders(mail.headers, 'headers', fail);
  return errors;
}

/** An address (compared without case) may appear once in a request, across all personalizations. */
function refuseRepeatedAddresses(
  personalizations: readonly unknown[],
  fail: (field: string, message: string) => void,
): void {
  const seen = new Set<string>();
  personalizations.forEach((personalization, p) => {
    if (!isObject(personalization)) return;
    for (const kind of ['to', 'cc', 'bcc'] as const) {
      const list = personalization[kind];
      if (!Array.isArray(list)) continue;
      list.forEach((recipient: unknown, r) => {
        const email =
          isObject(recipient) && typeof recipient.email === 'string' ? recipient.email : undefined;
        if (email === undefined) return;
        const address = email.toLowerCase();
        if (seen.has(address)) {
          fail(
            `personalizations.${p}.${kind}.${r}.email`,
            'Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [' +
              email +
              `] in the personalizations.${p}.${kind} field.`,
          );
        }
        seen.add(address);
      });
    }
  });
}

function validatePersonalization(
  personalization: unknown,
  path: string,
  fail: (field: string, message: string) => void,
): void {
  if (!isObject(personalization)) {
    fail(path, 'Invalid type. Expected: object.');
    return;
  }
  const to = personalization.to;
  if (!Array.isArray(to) || to.length === 0) {
    fail(
      `${path}.to`,
      'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
    );
  } else {
    to.forEach((recipient: unknown, r) => {
      const email = isObject(recipient) ? recipient.email : undefined;
      if (typeof email !== 'string' || !EMAIL.test(email)) {
        fail(`${path}.to.${r}.email`, 'Does not contain a valid address.');
      }
    });
  }
  validateHeaders(personalization.headers, `${path}.headers`, fail);
  const substitutions = personalization.substitutions;
  if (substitutions === undefined) return;
  if (!isStringRecord(substitutions)) {
    fail(`${path}.substitutions`, 'Invalid type. Expected: object, values must be strings.');
  } else if (substitutionBytes(substitutions as Record<string, string>) > MAX_SUBSTITUTION_BYTES) {
    fail(
      `${path}.substitutions`,
      `The total size of your substitutions may not exceed ${MAX_SUBSTITUTION_BYTES} bytes per personalization object.`,
    );
  }
}

/** `headers`, where given: an object of string values (as SendGrid documents), none of them reserved. */
function validateHeaders(
  headers: unknown,
  path: string,
  fail: (field: string, message: string) => void,
): void {
  if (headers === undefined) return;
  if (!isObject(headers)) {
    fail(path, 'Invalid type. Expected: object.');
    return;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      fail(path, `The header ${name} is reserved and may not be overridden.`);
    } else if (typeof value !== 'string') {
      fail(`${path}.${name}`, 'Invalid type. Expected: string.');
    }
  }
}

/** One AcceptedMail per personalization, with its substitutions applied to the content and subject. */
export function toAccepted(mail: SendGridMail, messageId: string, acceptedAt: number): AcceptedMail[] {
  return mail.personalizations.map((personalization) => {
    const substitute = (value: string): string => {
      let result = value;
      for (const [key, replacement] of Object.entries(personalization.substitutions ?? {})) {
        result = result.split(key).join(replacement);
      }
      return result;
    };
    const html = mail.content.find((block) => block.type === 'text/html')?.value;
    const text = mail.content.find((block) => block.type === 'text/plain')?.value;
    const headers = { ...mail.headers, ...personalization.headers };
    return {
      messageId,
      to: personalization.to[0]!.email,
      from: mail.from.email,
      subject: substitute(personalization.subject ?? mail.subject ?? ''),
      ...(html === undefined ? {} : { html: substitute(html) }),
      ...(text === undefined ? {} : { text: substitute(text) }),
      customArgs: { ...mail.custom_args, ...personalization.custom_args },
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      acceptedAt,
    };
  });
}

/** SendGrid measures the substitutions as sent: JSON-encoded, in UTF-8 bytes. */
function substitutionBytes(substitutions: Record<string, string>): number {
  return Buffer.byteLength(JSON.stringify(substitutions), 'utf8');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): boolean {
  return isObject(value) && Object.values(value).every((entry) => typeof entry === 'string');
}
