import { QuoteType, Tokenizer } from 'htmlparser2';
import { LINK_LIFETIME_SECONDS } from './claims';
import type { TrackingContext } from './links';
import { clickToken, issuedAt, trackerUrl } from './links';

/** One http(s) link of a message. */
export interface TrackedLink {
  /** The link's position among the message's http(s) links: "0", "1", … */
  linkId: string;
  /** Where the link goes (entities decoded, as the browser would resolve it). */
  url: string;
  /** From `data-herald-label`. */
  label?: string;
  /** Whether its href now goes through the tracker. */
  tracked: boolean;
}

const TRACK_ATTRIBUTE = 'data-herald-track';
const LABEL_ATTRIBUTE = 'data-herald-label';

/** One attribute of a tag, by its offsets in the HTML; value is entity-decoded. */
interface Attribute {
  name: string;
  value: string;
  quote: QuoteType;
  start: number;
  end: number;
  valueStart: number;
  valueEnd: number;
}

interface ScannedHtml {
  /** The attributes of every `<a>` start tag, in document order. */
  anchors: Attribute[][];
  /** Offset of the `<` of the last `</body>`. */
  bodyEnd: number | undefined;
}

/** The HTML tokenizer's notion of whitespace inside a tag. */
function isTagWhitespace(char: string | undefined): boolean {
  return char === ' ' || char === '\n' || char === '\t' || char === '\f' || char === '\r';
}

/**
 * Finds the anchors and the end of the body with htmlparser2's tokenizer, which reports offsets
 * into the source: the caller then edits only those ranges and the rest of the HTML stays
 * byte-identical, while comments, `<script>`, `<style>`, `<title>` and `<textarea>` contents and
 * attributes quoted any way are read as a browser reads them (no regex could).
 */
function scanHtml(html: string): ScannedHtml {
  const anchors: Attribute[][] = [];
  let bodyEnd: number | undefined;
  let tagName = '';
  let attributes: Attribute[] = [];
  let attribute: { name: string; start: number; nameEnd: number; value: string } | undefined;

  const endStartTag = (): void => {
    if (tagName === 'a') anchors.push(attributes);
  };
  const ignore = (): void => {};

  const tokenizer = new Tokenizer(
    { decodeEntities: true },
    {
      onopentagname(start, end) {
        tagName = html.slice(start, end).toLowerCase();
        attributes = [];
      },
      onattribname(start, end) {
        attribute = { name: html.slice(start, end).toLowerCase(), start, nameEnd: end, value: '' };
      },
      onattribdata(start, end) {
        if (attribute) attribute.value += html.slice(start, end);
      },
      onattribentity(codePoint) {
        if (attribute) attribute.value += String.fromCodePoint(codePoint);
      },
      onattribend(quote, end) {
        if (!attribute) return;
        const { name, value, start, nameEnd } = attribute;
        let valueStart = nameEnd;
        let valueEnd = nameEnd;
        if (quote === QuoteType.Double || quote === QuoteType.Single) {
          // `end` is just past the closing quote; only whitespace and `=` precede the opening one.
          valueStart = html.indexOf(quote === QuoteType.Double ? '"' : "'", nameEnd) + 1;
          valueEnd = end - 1;
        } else if (quote === QuoteType.Unquoted) {
          valueStart = html.indexOf('=', nameEnd) + 1;
          while (isTagWhitespace(html[valueStart])) valueStart += 1;
          valueEnd = end;
        }
        attributes.push({ name, value, quote, start, end, valueStart, valueEnd });
        attribute = undefined;
      },
      onopentagend: endStartTag,
      onselfclosingtag: endStartTag,
      onclosetag(start, end) {
        if (html.slice(start, end).toLowerCase() === 'body') bodyEnd = html.lastIndexOf('<', start);
      },
      oncdata: ignore,
      oncomment: ignore,
      ondeclaration: ignore,
      onend: ignore,
      onprocessinginstruction: ignore,
      ontext: ignore,
      ontextentity: ignore,
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  return { anchors, bodyEnd };
}

/** The link's destination when it is an absolute http(s) URL; the URL parser decides, as in a browser. */
function httpUrl(href: string): URL | undefined {
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function escapeAttribute(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

/** A replacement of html[start, end). */
interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * Removes an attribute with the whitespace before it; keeps one space when the next attribute
 * follows it without any (`<a data-herald-label="x"href=…>`).
 */
function removal(html: string, attribute: Attribute): Edit {
  let start = attribute.start;
  while (isTagWhitespace(html[start - 1])) start -= 1;
  const next = html[attribute.end];
  const glued = start === attribute.start ? false : next !== '>' && next !== '/' && !isTagWhitespace(next);
  return { start, end: attribute.end, text: glued ? ' ' : '' };
}

function applyEdits(html: string, edits: Edit[]): string {
  edits.sort((a, b) => a.start - b.start);
  let output = '';
  let from = 0;
  for (const edit of edits) {
    output += html.slice(from, edit.start) + edit.text;
    from = edit.end;
  }
  return output + html.slice(from);
}

/**
 * Rewrites http(s) links to click URLs (when clicks), adds the open pixel (when opens).
 *
 * Per link: `data-herald-track="off"` leaves it as written, `data-herald-label="hero"` labels it;
 * both attributes are always removed. Links to the tracker itself (mirror, unsubscribe), `mailto:`,
 * `tel:`, `#…` and other non-http(s) links are neither rewritten nor listed. Every token is issued
 * at the context's time; links and the pixel expire after LINK_LIFETIME_SECONDS. Only these edits
 * change the HTML: everything else comes out byte for byte.
 */
export function instrumentEmailHtml(
  html: string,
  options: { opens: boolean; clicks: boolean },
  context: TrackingContext,
): { html: string; links: TrackedLink[] } {
  const now = issuedAt(context);
  const expiresAt = now + LINK_LIFETIME_SECONDS;
  const tracker = new URL(context.baseUrl);
  const trackerPath = tracker.pathname.replace(/\/+$/, '') + '/';
  const { anchors, bodyEnd } = scanHtml(html);
  const edits: Edit[] = [];
  const links: TrackedLink[] = [];

  for (const attributes of anchors) {
    // As in a browser, the first of repeated attributes counts.
    const first = (name: string): Attribute | undefined => attributes.find((a) => a.name === name);
    for (const attribute of attributes) {
      if (attribute.name === TRACK_ATTRIBUTE || attribute.name === LABEL_ATTRIBUTE) {
        edits.push(removal(html, attribute));
      }
    }
    const href = first('href');
    const url = href && httpUrl(href.value);
    if (!href || !url || (url.origin === tracker.origin && url.pathname.startsWith(trackerPath))) continue;

    const linkId = String(links.length);
    const label = first(LABEL_ATTRIBUTE)?.value.trim() || undefined;
    const tracked = options.clicks && first(TRACK_ATTRIBUTE)?.value.trim().toLowerCase() !== 'off';
    links.push({ linkId, url: url.href, ...(label === undefined ? {} : { label }), tracked });
    if (!tracked) continue;

    const token = clickToken(context, now, { linkId, label, url: url.href });
    const escaped = escapeAttribute(trackerUrl(context.baseUrl, 'click', token));
    edits.push({
      start: href.valueStart,
      end: href.valueEnd,
      text: href.quote === QuoteType.Unquoted ? `"${escaped}"` : escaped,
    });
  }

  if (options.opens) {
    const token = context.tokens.sign({ ...context.claims, action: 'open', issuedAt: now, expiresAt });
    const pixel =
      `<img src="${escapeAttribute(trackerUrl(context.baseUrl, 'open', token))}" width="1" height="1" alt=""` +
      ' style="display:block;border:0;width:1px;height:1px">';
    const at = bodyEnd ?? html.length;
    edits.push({ start: at, end: at, text: pixel });
  }

  return { html: applyEdits(html, edits), links };
}
