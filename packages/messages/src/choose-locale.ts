import type { CampaignContent, Profile, Recipient } from '@herald/contracts';

/**
 * Locale of a message: the recipient's `context.locale`, then the profile's
 * `preferredLanguage`, each matched exactly (case- and `-`/`_`-insensitive) and then by
 * language only; else the campaign's default locale.
 */
export function chooseLocale(
  content: CampaignContent,
  recipient: Recipient,
  profile: Profile | null,
): string {
  const available = Object.keys(content.locales);
  const wanted = [recipient.context?.locale, profile?.preferredLanguage].filter(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  for (const candidate of wanted) {
    const exact = available.find((locale) => normalise(locale) === normalise(candidate));
    if (exact) return exact;
    const language = normalise(candidate).split('-')[0];
    const sameLanguage = available.find((locale) => normalise(locale).split('-')[0] === language);
    if (sameLanguage) return sameLanguage;
  }
  return content.defaultLocale;
}

function normalise(locale: string): string {
  return locale.toLowerCase().replace(/_/g, '-');
}
