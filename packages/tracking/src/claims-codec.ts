import type { Channel } from '@herald/contracts';
import type { TrackedAction, TrackingClaims } from './claims';

/*
 * The claims of a token in a positional binary layout rather than JSON, because the token goes
 * into every link of every message: a click token with Herald's UUID ids comes to about 180
 * characters instead of about 280.
 *
 *   action code (1 byte) | channel code (1) | issuedAt (uint32 BE) | expiresAt (uint32 BE) |
 *   flags of the optional fields present (1) | sandbox | campaignId | executionId | deliveryId |
 *   then locale, linkId, label, url, profileId when flagged
 *
 * An id is a kind byte then: a canonical lowercase UUID as its 16 bytes (Herald's own ids), the
 * part after executionId (delivery ids are `<executionId>-r<n>`) as text, or the whole id as text.
 * Text is a varint byte length then UTF-8 (so a string that is not well-formed UTF-16 comes back
 * with U+FFFD in place of a lone surrogate, as any UTF-8 encoding does).
 *
 * Tokens live 25 months: the codes below are part of the format and never change meaning.
 */

const ACTION_CODES: Record<TrackedAction, number> = { open: 0, click: 1, mirror: 2, unsubscribe: 3 };
const CHANNEL_CODES: Record<Channel, number> = { email: 0, sms: 1, push: 2 };
// Appended only: a field's bit is part of the format.
const OPTIONAL_FIELDS = ['locale', 'linkId', 'label', 'url', 'profileId'] as const;

const ID_TEXT = 0;
const ID_UUID = 1;
const ID_SUFFIX = 2;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UINT32_MAX = 0xffffffff;

function byCode<K extends string>(codes: Record<K, number>): Map<number, K> {
  return new Map(Object.entries<number>(codes).map(([name, code]) => [code, name as K]));
}
const ACTIONS_BY_CODE = byCode(ACTION_CODES);
const CHANNELS_BY_CODE = byCode(CHANNEL_CODES);

function codeOf<K extends string>(codes: Record<K, number>, name: K, field: string): number {
  if (!Object.hasOwn(codes, name)) throw new TypeError(`unknown tracking ${field}: ${String(name)}`);
  return codes[name];
}

class ByteWriter {
  private readonly bytes: number[] = [];

  byte(value: number): void {
    this.bytes.push(value);
  }

  uint32(value: number, field: string): void {
    if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
      throw new RangeError(`tracking ${field} must be whole Unix seconds, got ${value}`);
    }
    this.bytes.push(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  }

  text(value: string): void {
    const utf8 = Buffer.from(value, 'utf8');
    let length = utf8.length;
    while (length >= 0x80) {
      this.bytes.push((length & 0x7f) | 0x80);
      length >>>= 7;
    }
    this.bytes.push(length);
    for (const byte of utf8) this.bytes.push(byte);
  }

  id(value: string, prefix?: string): void {
    if (prefix !== undefined && value.startsWith(prefix)) {
      this.byte(ID_SUFFIX);
      this.text(value.slice(prefix.length));
    } else if (UUID.test(value)) {
      this.byte(ID_UUID);
      for (const byte of Buffer.from(value.replaceAll('-', ''), 'hex')) this.bytes.push(byte);
    } else {
      this.byte(ID_TEXT);
      this.text(value);
    }
  }

  toBuffer(): Buffer {
    return Buffer.from(this.bytes);
  }
}

/** Thrown by the reader on bytes that are not claims; decodeClaims turns it into null. */
class MalformedClaims extends Error {}

class ByteReader {
  private offset = 0;

  constructor(private readonly bytes: Buffer) {}

  private take(count: number): number {
    const start = this.offset;
    if (start + count > this.bytes.length) throw new MalformedClaims();
    this.offset += count;
    return start;
  }

  byte(): number {
    return this.bytes[this.take(1)] ?? 0;
  }

  uint32(): number {
    return this.bytes.readUInt32BE(this.take(4));
  }

  text(): string {
    let length = 0;
    // Four varint bytes (lengths under 256 MiB) are far more than any claim needs.
    for (let shift = 0; ; shift += 7) {
      if (shift > 21) throw new MalformedClaims();
      const byte = this.byte();
      length |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    const start = this.take(length);
    return this.bytes.toString('utf8', start, start + length);
  }

  id(prefix?: string): string {
    const kind = this.byte();
    if (kind === ID_TEXT) return this.text();
    if (kind === ID_SUFFIX && prefix !== undefined) return prefix + this.text();
    if (kind === ID_UUID) {
      const start = this.take(16);
      const hex = this.bytes.toString('hex', start, start + 16);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    throw new MalformedClaims();
  }

  atEnd(): boolean {
    return this.offset === this.bytes.length;
  }
}

/** The claims in the layout above. Throws on an unknown action or channel, or times that are not uint32 seconds. */
export function encodeClaims(claims: TrackingClaims): Buffer {
  const writer = new ByteWriter();
  writer.byte(codeOf(ACTION_CODES, claims.action, 'action'));
  writer.byte(codeOf(CHANNEL_CODES, claims.channel, 'channel'));
  writer.uint32(claims.issuedAt, 'issuedAt');
  writer.uint32(claims.expiresAt, 'expiresAt');
  let flags = 0;
  OPTIONAL_FIELDS.forEach((field, bit) => {
    if (claims[field] !== undefined) flags |= 1 << bit;
  });
  writer.byte(flags);
  writer.id(claims.sandbox);
  writer.id(claims.campaignId);
  writer.id(claims.executionId);
  writer.id(claims.deliveryId, claims.executionId);
  for (const field of OPTIONAL_FIELDS) {
    const value = claims[field];
    if (value !== undefined) writer.text(value);
  }
  return writer.toBuffer();
}

/** The claims encoded in `bytes`, or null when they are not exactly one encoding of claims. */
export function decodeClaims(bytes: Buffer): TrackingClaims | null {
  try {
    const reader = new ByteReader(bytes);
    const action = ACTIONS_BY_CODE.get(reader.byte());
    const channel = CHANNELS_BY_CODE.get(reader.byte());
    const issuedAt = reader.uint32();
    const expiresAt = reader.uint32();
    const flags = reader.byte();
    if (action === undefined || channel === undefined || flags >= 1 << OPTIONAL_FIELDS.length) return null;
    const sandbox = reader.id();
    const campaignId = reader.id();
    const executionId = reader.id();
    const deliveryId = reader.id(executionId);
    const claims: TrackingClaims = {
      action,
      sandbox,
      campaignId,
      executionId,
      deliveryId,
      channel,
      issuedAt,
      expiresAt,
    };
    OPTIONAL_FIELDS.forEach((field, bit) => {
      if (flags & (1 << bit)) claims[field] = reader.text();
    });
    return reader.atEnd() ? claims : null;
  } catch (error) {
    if (error instanceof MalformedClaims) return null;
    throw error;
  }
}
