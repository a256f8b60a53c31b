import type { Channel } from '@herald/contracts';

/** The smallest transparent GIF (1×1): what an open pixel answers. */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * Every answer is personal (it exists for one delivery) or a hit to count: no cache may keep it,
 * or a second open would never reach the tracker.
 */
export const NO_STORE = 'no-store, private, max-age=0';

/**
 * Headers of every page the tracker serves. The token in the page's URL must not travel further
 * (no Referer to the links of a mirror page), search engines must not index a personal page, and
 * no other site may frame it (clickjacking of the unsubscribe button).
 */
const PAGE_HEADERS = {
  'Cache-Control': NO_STORE,
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Robots-Tag': 'noindex, nofollow',
} as const;

/**
 * The mirror page shows a message's stored HTML, which came from a template: no script may run
 * there, on the tracker's origin (`default-src 'none'` covers scripts, frames, fonts and
 * connections); images and inline styles are what e-mail HTML uses. A form in the content cannot
 * post anywhere either.
 */
export const MIRROR_HEADERS = {
  ...PAGE_HEADERS,
  'Content-Security-Policy':
    "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
} as const;

/** The tracker's own small pages: only their inline style, and the form posting back to the tracker. */
export const OWN_PAGE_HEADERS = {
  ...PAGE_HEADERS,
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
} as const;

const CHANNEL_NAMES: Record<Channel, string> = {
  email: 'e-mail',
  sms: 'text message',
  push: 'push notification',
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}button{font:inherit;padding:.5rem 1.25rem;cursor:pointer}</style>
</head><body>${body}</body></html>
`;
}

/**
 * Asks before unsubscribing: mail scanners and link previews follow every GET, so only the POST of
 * this form (or a mail client's RFC 8058 one-click POST, with the same body) unsubscribes.
 */
export function confirmPage(channel: Channel): string {
  return page(
    'Unsubscribe',
    `<h1>Unsubscribe</h1><p>Stop receiving marketing messages by ${CHANNEL_NAMES[channel]} from this sender?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
  );
}

export function unsubscribedPage(channel: Channel): string {
  return page(
    'Unsubscribed',
    `<h1>You are unsubscribed</h1><p>You will receive no more marketing messages by ${CHANNEL_NAMES[channel]} from this sender. Messages you asked for, such as receipts, still reach you.</p>`,
  );
}

export const NOT_FOUND_PAGE = page(
  'Link not found',
  '<h1>Link not found</h1><p>This link is not valid, or it has expired.</p>',
);

export const ERROR_PAGE = page(
  'Temporarily unavailable',
  '<h1>Temporarily unavailable</h1><p>Please try again in a few minutes.</p>',
);
