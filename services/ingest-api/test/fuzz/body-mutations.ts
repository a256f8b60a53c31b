import fc from 'fast-check';
import { jsonText, RawJson, type FuzzValue } from './json-text';
import { percentEncode } from './percent-encoding';

/** How a request body is sent: its media type, or none for an operation without one. */
export type BodyFormat = 'json' | 'form' | 'none';

/** One change to a well-formed body. `at` picks the member it applies to (modulo their number). */
export type BodyMutation =
  | { kind: 'none' }
  | { kind: 'wrong-type'; at: number; value: FuzzValue }
  | { kind: 'missing-field'; at: number; pick: number }
  | { kind: 'extra-field'; at: number; key: string; value: FuzzValue }
  | { kind: 'huge-string'; at: number; length: number }
  | { kind: 'huge-array'; at: number; length: number }
  | { kind: 'deep-nesting'; at: number; depth: number; shape: 'array' | 'object' }
  | { kind: 'odd-string'; at: number; text: string }
  | { kind: 'prototype-key'; at: number; key: string; value: FuzzValue }
  | { kind: 'odd-number'; at: number; token: string }
  | { kind: 'truncated'; keep: number }
  | { kind: 'not-json'; text: string }
  | { kind: 'content-type'; contentType: string | undefined; contentEncoding: string | undefined };

/** The bytes and headers of a body as sent. */
export interface SentBody {
  contentType: string | undefined;
  contentEncoding: string | undefined;
  bytes: Buffer | undefined;
}

/** The API's body limit in the fuzz harness (API_MAX_BODY_BYTES): huge values straddle it. */
export const FUZZ_MAX_BODY_BYTES = 1024 * 1024;

/** Text the API's checks must refuse or keep verbatim: NUL, lone surrogates, CR/LF injections. */
const ODD_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\udc00y',
  '\ud83d',
  '\r\n',
  'Subject\r\nBcc: victim@example.com',
  '\n\n<script>alert(1)</script>',
  '\u2028\u2029',
  '\ufeff',
  '{{ 7 * 7 }}{% raw %}',
  "'; DROP TABLE campaigns; --",
  '$where',
  '../../../etc/passwd',
];

/** Number tokens no double holds exactly, or at all (`1e309` parses as Infinity). */
const ODD_NUMBERS = [
  '1e309',
  '-1e309',
  '1e-400',
  '-0',
  '123456789012345678901234567890',
  '0.0000000000000000001',
];

/** `toString` and `valueOf` are filtered out again for now: see SHADOWED_OBJECT_METHOD (fuzz-request.ts). */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf'];

/** What a prototype-key member holds: code that merges it into an object pollutes every object. */
export const POLLUTION_MARKER: Readonly<Record<string, FuzzValue>> = { polluted: true, isAdmin: true };

/** Text that is not one JSON value, or is one that `strict` parsing refuses (a bare scalar). */
const NOT_JSON = [
  '',
  '{',
  '}',
  '[',
  'null',
  '"a string"',
  '42',
  'true',
  'NaN',
  'undefined',
  "{'single': 'quotes'}",
  '{"a":1,}',
  '{"a":1}{"b":2}',
  '{"a":1,"a":2}',
  '\ufeff{}',
  '{"a":"\\ud800"}',
  '{"a":"\\x41"}',
  '<xml/>',
  'a=1&b=2',
  '\u0000\u0000\u0000',
];

const WRONG_CONTENT_TYPES = [
  undefined,
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json',
  'multipart/form-data; boundary=fuzz',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'application/json; charset=fuzz',
  'application/vnd.api+json',
  'APPLICATION/JSON',
  'application/',
  '*/*',
];

const CONTENT_ENCODINGS = [undefined, 'gzip', 'deflate', 'br', 'identity', 'x-fuzz'];

/** The mutations, an unchanged body among them (so that valid calls also get through). */
export function bodyMutationArbitrary(): fc.Arbitrary<BodyMutation> {
  const at = fc.nat();
  const value = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<FuzzValue>;
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<BodyMutation>({ kind: 'none' }) },
    fc.record({ kind: fc.constant('wrong-type' as const), at, value }),
    fc.record({ kind: fc.constant('missing-field' as const), at, pick: fc.nat() }),
    fc.record({ kind: fc.constant('extra-field' as const), at, key: fc.string({ maxLength: 20 }), value }),
    fc.record({
      kind: fc.constant('huge-string' as const),
      at,
      length: fc.integer({ min: 10_000, max: FUZZ_MAX_BODY_BYTES + 100_000 }),
    }),
    fc.record({
      kind: fc.constant('huge-array' as const),
      at,
      length: fc.integer({ min: 1_000, max: 300_000 }),
    }),
    fc.record({
      kind: fc.constant('deep-nesting' as const),
      at,
      // Around the API's bound of 64 levels, and far past it.
      depth: fc.oneof(fc.integer({ min: 58, max: 70 }), fc.integer({ min: 71, max: 20_000 })),
      shape: fc.constantFrom('array' as const, 'object' as const),
    }),
    fc.record({ kind: fc.constant('odd-string' as const), at, text: fc.constantFrom(...ODD_STRINGS) }),
    fc.record({
      kind: fc.constant('prototype-key' as const),
      at,
      key: fc.constantFrom(...PROTOTYPE_KEYS),
      value: fc.oneof(value, fc.constant<FuzzValue>({ ...POLLUTION_MARKER })),
    }),
    fc.record({ kind: fc.constant('odd-number' as const), at, token: fc.constantFrom(...ODD_NUMBERS) }),
    fc.record({
      kind: fc.constant('truncated' as const),
      keep: fc.double({ min: 0, max: 0.99, noNaN: true }),
    }),
    fc.record({
      kind: fc.constant('not-json' as const),
      text: fc.oneof(fc.constantFrom(...NOT_JSON), fc.string()),
    }),
    fc.record({
      kind: fc.constant('content-type' as const),
      contentType: fc.constantFrom(...WRONG_CONTENT_TYPES),
      contentEncoding: fc.constantFrom(...CONTENT_ENCODINGS),
    }),
  );
}

/** A path to a member: object keys and array indexes from the root. */
type Location = ReadonlyArray<string | number>;

function locationsOf(value: FuzzValue, at: Location = []): Location[] {
  const here = [at];
  if (Array.isArray(value))
    return here.concat(...value.map((item, index) => locationsOf(item, [...at, index])));
  if (isObject(value)) {
    return here.concat(...Object.entries(value).map(([key, member]) => locationsOf(member, [...at, key])));
  }
  return here;
}

function isObject(value: FuzzValue | undefined): value is { [key: string]: FuzzValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RawJson);
}

function valueAt(value: FuzzValue, location: Location): FuzzValue | undefined {
  let current: FuzzValue | undefined = value;
  for (const step of location) {
    if (Array.isArray(current)) current = current[step as number];
    else if (isObject(current)) current = current[step as string];
    else return undefined;
  }
  return current;
}

/** `value` with the member at `location` replaced by `change(member)`, the rest shared. */
function replaceAt(
  value: FuzzValue,
  location: Location,
  change: (member: FuzzValue) => FuzzValue,
): FuzzValue {
  const [step, ...rest] = location;
  if (step === undefined) return change(value);
  if (Array.isArray(value)) {
    return value.map((item, index) => (index === step ? replaceAt(item, rest, change) : item));
  }
  if (isObject(value)) {
    // fromEntries defines keys as own properties, so a `__proto__` member stays a member.
    return Object.fromEntries(
      Object.entries(value).map(([key, member]) => [
        key,
        key === step ? replaceAt(member, rest, change) : member,
      ]),
    );
  }
  return value;
}

/** The `at`-th location (wrapping) among those `keep` selects, else among all of them. */
function pick(value: FuzzValue, at: number, keep: (member: FuzzValue | undefined) => boolean): Location {
  const all = locationsOf(value);
  const kept = all.filter((location) => keep(valueAt(value, location)));
  const from = kept.length > 0 ? kept : all;
  return from[at % from.length] ?? [];
}

function withMember(object: FuzzValue, key: string, member: FuzzValue): FuzzValue {
  if (!isObject(object)) return Object.fromEntries([[key, member]]);
  return Object.fromEntries([...Object.entries(object), [key, member]]);
}

function deepValue(depth: number, shape: 'array' | 'object'): RawJson {
  return shape === 'array'
    ? new RawJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`)
    : new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

/** A value of another JSON type than `member`'s (the generated one when it already differs). */
function otherType(member: FuzzValue, generated: FuzzValue): FuzzValue {
  const kind = (v: FuzzValue): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (kind(generated) !== kind(member)) return generated;
  const swaps: FuzzValue[] = ['1', 1, true, null, [], {}];
  return swaps.find((swap) => kind(swap) !== kind(member)) ?? null;
}

/** The body value after a mutation that works on the value (the others work on its text). */
function mutatedValue(base: FuzzValue, mutation: BodyMutation): FuzzValue {
  switch (mutation.kind) {
    case 'wrong-type': {
      const location = pick(base, mutation.at, () => true);
      return replaceAt(base, location, (member) => otherType(member, mutation.value));
    }
    case 'missing-field': {
      const location = pick(
        base,
        mutation.at,
        (member) => isObject(member) && Object.keys(member).length > 0,
      );
      return replaceAt(base, location, (member) => {
        if (!isObject(member)) return member;
        const keys = Object.keys(member);
        const dropped = keys[mutation.pick % keys.length];
        return Object.fromEntries(Object.entries(member).filter(([key]) => key !== dropped));
      });
    }
    case 'extra-field':
    case 'prototype-key': {
      const location = pick(base, mutation.at, isObject);
      return replaceAt(base, location, (member) => withMember(member, mutation.key, mutation.value));
    }
    case 'huge-string':
      return replaceAt(
        base,
        pick(base, mutation.at, (m) => typeof m === 'string'),
        () => 'x'.repeat(mutation.length),
      );
    case 'huge-array':
      return replaceAt(
        base,
        pick(base, mutation.at, Array.isArray),
        () => new RawJson(`[${new Array<string>(mutation.length).fill('0').join(',')}]`),
      );
    case 'deep-nesting':
      return replaceAt(
        base,
        pick(base, mutation.at, () => true),
        () => deepValue(mutation.depth, mutation.shape),
      );
    case 'odd-string':
      return replaceAt(
        base,
        pick(base, mutation.at, (m) => typeof m === 'string'),
        (member) =>
          typeof member === 'string'
            ? `${member.slice(0, 1)}${mutation.text}${member.slice(1)}`
            : mutation.text,
      );
    case 'odd-number':
      return replaceAt(
        base,
        pick(base, mutation.at, (m) => typeof m === 'number'),
        () => new RawJson(mutation.token),
      );
    default:
      return base;
  }
}

/** A form body: each member `key=value`, a non-string value as its JSON text. */
function formText(value: FuzzValue): string {
  if (!isObject(value)) return jsonText(value);
  return Object.entries(value)
    .map(([key, member]) => {
      const text = typeof member === 'string' ? member : jsonText(member);
      return `${percentEncode(key)}=${percentEncode(text)}`;
    })
    .join('&');
}

const MEDIA_TYPES: Record<BodyFormat, string | undefined> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
  none: undefined,
};

/** The body sent for `base` (a well-formed body; ignored for format `none`) after `mutation`. */
export function sentBody(format: BodyFormat, base: FuzzValue, mutation: BodyMutation): SentBody {
  const mediaType = MEDIA_TYPES[format];
  if (format === 'none' && mutation.kind === 'none') {
    return { contentType: undefined, contentEncoding: undefined, bytes: undefined };
  }
  const serialize = format === 'form' ? formText : jsonText;
  const text = serialize(mutatedValue(base, mutation));
  switch (mutation.kind) {
    case 'truncated':
      return {
        contentType: mediaType ?? 'application/json',
        contentEncoding: undefined,
        bytes: Buffer.from(text.slice(0, Math.floor(text.length * mutation.keep))),
      };
    case 'not-json':
      return {
        contentType: mediaType ?? 'application/json',
        contentEncoding: undefined,
        bytes: Buffer.from(mutation.text),
      };
    case 'content-type':
      return {
        contentType: mutation.contentType,
        contentEncoding: mutation.contentEncoding,
        bytes: Buffer.from(text),
      };
    default:
      return {
        contentType: mediaType ?? 'application/json',
        contentEncoding: undefined,
        bytes: Buffer.from(text),
      };
  }
}

/** A short label of the mutation for reports (no huge values). */
export function describeMutation(mutation: BodyMutation): string {
  return JSON.stringify(mutation, (key, value: unknown) =>
    key === 'value' && typeof value === 'object' && value !== null
      ? jsonText(value as FuzzValue).slice(0, 80)
      : value,
  );
}
