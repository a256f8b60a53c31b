/** The canonical spelling of an IANA time zone (`europe/paris` → `Europe/Paris`), or undefined. */
export function canonicalTimeZone(timeZone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
