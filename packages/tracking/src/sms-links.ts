import { randomInt } from 'node:crypto';
import LinkifyIt from 'linkify-it';
import { LINK_LIFETIME_SECONDS } from './claims';
import type { TrackingContext } from './links';
import { clickToken, issuedAt } from './links';

/**
 * Characters in a short link's code: 62^10 ≈ 2^59.5 codes, so guessing one that exists takes
 * about 10^8 requests to the tracker even with a billion links alive, and the link stays short.
 */
export const SHORT_CODE_LENGTH = 10;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SHORT_CODE = new RegExp(`^[0-9A-Za-z]{${SHORT_CODE_LENGTH}}$`);

/** The tracker's path segment of SMS short links: `/s/<code>`. */
export const SHORT_LINK_PATH = 's';

/**
 * Finds links the way a reader's phone does: only links written with `http://` or `https://`
 * (a bare `example.com` is left as written, since the phone may not make it a link either), with
 * trailing punctuation and unbalanced brackets left out of the link. linkify-it (markdown-it's
 * linkifier) knows these edge cases; a regular expression of our own would not.
 */
const linkify = new LinkifyIt({}, { fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
const HTTP_SCHEMAS = new Set(['http:', 'https:']);

/** One link of an SMS body, as the tracker will redirect it. */
export interface SmsShortLink {
  /** The code in the short URL. */
  code: string;
  /** The link's position among the body's http(s) links: "0", "1", … */
  linkId: string;
  /** Where it goes: the link as written. */
  url: string;
  /** The signed click token the code stands for (what the store keeps). */
  token: string;
  /** Unix seconds; the token and the code expire then (25 months after sending). */
  expiresAt: number;
}

/** A random code of SHORT_CODE_LENGTH base-62 characters, from the CSPRNG. */
export function newShortCode(): string {
  let code = '';
  for (let index = 0; index < SHORT_CODE_LENGTH; index += 1) code += BASE62[randomInt(BASE62.length)];
  return code;
}

/** Whether `value` can be a short link's code (checked before any store read). */
export function isShortCode(value: string): boolean {
  return SHORT_CODE.test(value);
}

/** `${baseUrl}/s/${code}`; baseUrl without trailing slash. */
export function shortLinkUrl(baseUrl: string, code: string): string {
  return `${baseUrl}/${SHORT_LINK_PATH}/${code}`;
}

/** The http(s) links of a text, in order, with their offsets. */
function httpLinks(text: string): Array<{ index: number; lastIndex: number; url: string }> {
  return (linkify.match(text) ?? []).filter((match) => HTTP_SCHEMAS.has(match.schema.toLowerCase()));
}

/**
 * The SMS body as sent with click tracking: each http(s) link replaced by a short tracker link
 * whose code stands for a signed click token (the link's id and URL, the delivery's ids). The
 * caller stores the links (code → token) before sending; the tracker redirects from them.
 */
export function shortenSmsLinks(
  text: string,
  context: TrackingContext,
  newCode: () => string = newShortCode,
): { text: string; links: SmsShortLink[] } {
  const links: SmsShortLink[] = [];
  const now = issuedAt(context);
  const expiresAt = now + LINK_LIFETIME_SECONDS;
  const shortened = replaceLinks(text, (url) => {
    const code = newCode();
    const linkId = String(links.length);
    const token = clickToken(context, now, { linkId, url });
    links.push({ code, linkId, url, token, expiresAt });
    return shortLinkUrl(context.baseUrl, code);
  });
  return { text: shortened, links };
}

/**
 * The body with each http(s) link replaced by a short link of the length it will have (codes are
 * all SHORT_CODE_LENGTH long), and how many: what activation and preview measure the segments of.
 */
export function smsTextAsShortened(text: string, baseUrl: string): { text: string; links: number } {
  const placeholder = shortLinkUrl(baseUrl, 'x'.repeat(SHORT_CODE_LENGTH));
  let links = 0;
  const shortened = replaceLinks(text, () => {
    links += 1;
    return placeholder;
  });
  return { text: shortened, links };
}

function replaceLinks(text: string, replacement: (url: string) => string): string {
  let result = '';
  let from = 0;
  for (const link of httpLinks(text)) {
    result += text.slice(from, link.index) + replacement(link.url);
    from = link.lastIndex;
  }
  return result + text.slice(from);
}
