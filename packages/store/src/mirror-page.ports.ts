/** The mirror-page port ("view in browser"), part of `ports.ts` (re-exported from there). */

/** The rendered content of one e-mail delivery, kept so the tracker can show it in a browser. */
export interface MirrorPage {
  sandbox: string;
  deliveryId: string;
  subject: string;
  html: string;
  /** ISO 8601; the page is gone from then on (90 days after sending). */
  expiresAt: string;
}

export interface MirrorPageRepository {
  /** Stores or replaces the page of one delivery. */
  put(page: MirrorPage): Promise<void>;
  /** Null when absent or expired at `now` (an expiry equal to `now` has passed). */
  get(sandbox: string, deliveryId: string, now?: Date): Promise<MirrorPage | null>;
}
