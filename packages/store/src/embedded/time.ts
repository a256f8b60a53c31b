/** Timestamps are ISO-8601 in UTC, so TEXT comparison orders them in time. */
export function now(): string {
  return new Date().toISOString();
}

export function daysAgo(days: number): string {
  return new Date(Date.now() - days * 24 * 60 * 60 * 1000).toISOString();
}
