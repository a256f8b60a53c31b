import type { SmsChannelConfig } from '@herald/contracts';
import { smsTextAsShortened } from '@herald/tracking';

/** GSM 03.38 basic character set: one septet each (ESC is excluded: it introduces the extension). */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

/** GSM 03.38 extension table: ESC plus the character, two septets each. */
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsLength {
  encoding: SmsEncoding;
  /** Characters as a reader counts them (Unicode code points). */
  characters: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text occupies. */
  units: number;
  /** Messages the text is sent as: concatenated parts carry a header, so they hold fewer units. */
  segments: number;
}

const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

/**
 * Encoding and segment count of an SMS text. One character outside GSM-7 switches the whole
 * message to UCS-2. A character never straddles two parts (an escape pair or a surrogate pair
 * stays together), so a part may hold one unit less than its limit.
 */
export function smsLength(text: string): SmsLength {
  const characters = [...text];
  const gsm = characters.every((c) => GSM7_BASIC.has(c) || GSM7_EXTENSION.has(c));
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  const costs = characters.map((c) => (gsm ? (GSM7_EXTENSION.has(c) ? 2 : 1) : c.length));
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  const { single, part } = LIMITS[encoding];
  return {
    encoding,
    characters: characters.length,
    units,
    segments: segmentCount(costs, units, single, part),
  };
}

function segmentCount(costs: readonly number[], units: number, single: number, part: number): number {
  if (units === 0) return 0;
  if (units <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > part) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return segments;
}

/** The length of an SMS as it will be sent, and how many of its links count as short tracker links. */
export interface SmsLengthAsSent extends SmsLength {
  shortenedLinks: number;
}

/**
 * The SMS as the worker sends it: with the campaign's click tracking on, each http(s) link is
 * measured as the short tracker link it becomes on `trackerBaseUrl` (TRACKER_PUBLIC_URL), so
 * the segment count is the one the recipient is billed for. No base URL: links as written.
 */
export function smsLengthAsSent(
  text: string,
  sms: SmsChannelConfig | undefined,
  trackerBaseUrl: string | undefined,
): SmsLengthAsSent {
  if (sms?.tracking?.clicks !== true || trackerBaseUrl === undefined)
    return { ...smsLength(text), shortenedLinks: 0 };
  const sent = smsTextAsShortened(text, trackerBaseUrl);
  return { ...smsLength(sent.text), shortenedLinks: sent.links };
}
