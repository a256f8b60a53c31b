/** The SMS short-link port, part of `ports.ts` (re-exported from there). */

/** What `/s/<code>` stands for: the signed click token of one link of one SMS delivery. */
export interface ShortLink {
  /** Base-62, unique across sandboxes (the short URL names no sandbox). */
  code: string;
  sandbox: string;
  /** The click token the tracker verifies, as for an e-mail link (it carries the URL and the ids). */
  token: string;
  /** ISO 8601; the code is gone from then on (with its token, 25 months after sending). */
  expiresAt: string;
}

export interface ShortLinkRepository {
  /**
   * Stores new links, never replacing one: returns the codes already taken (by a live or expired
   * link), whose links were not stored, so the caller can draw new codes for them.
   */
  insertMany(links: readonly ShortLink[]): Promise<string[]>;
  /** The link of a code; null when absent or expired at `now` (an expiry equal to `now` has passed). */
  get(code: string, now?: Date): Promise<ShortLink | null>;
}
