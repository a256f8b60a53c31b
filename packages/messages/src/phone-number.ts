import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { CampaignDefinition } from '@herald/contracts';

/**
 * Phone numbers as Herald reads them (libphonenumber): a number written with `+` (or the `00`
 * international prefix) carries its country; one written without is a national number, read in
 * the default region (ISO 3166 alpha-2) of the campaign, else of the sandbox. With neither, a
 * number without `+` is refused: digits are never completed by guessing a country.
 *
 * A number is accepted when it is *possible* (its length fits the numbering plan of its country),
 * not only when it is *valid* (assigned ranges): AJO's own example `111-111-1111` is possible in
 * the US but not valid, and metadata of assigned ranges lags behind the operators'.
 */
export function toE164(value: string, defaultRegion?: string): string | undefined {
  const trimmed = value.trim();
  // `00` is the international prefix most of the world dials; read it as `+` whatever the region.
  const international = trimmed.startsWith('00') ? `+${trimmed.slice(2)}` : trimmed;
  const region = defaultRegion !== undefined && isPhoneRegion(defaultRegion) ? defaultRegion : undefined;
  if (!international.startsWith('+') && region === undefined) return undefined;
  // `extract: false`: the whole value must be the number, not merely contain one.
  const parsed = parsePhoneNumberFromString(international, { defaultCountry: region, extract: false });
  return parsed?.isPossible() ? parsed.number : undefined;
}

/** A region libphonenumber knows (ISO 3166 alpha-2, upper case), usable as a default region. */
export function isPhoneRegion(value: string): value is CountryCode {
  return /^[A-Z]{2}$/.test(value) && isSupportedCountry(value);
}

/** The region national numbers are read in: the campaign's `sms.defaultRegion`, else the sandbox's. */
export function smsDefaultRegion(
  definition: CampaignDefinition,
  sandboxRegion: string | undefined,
): string | undefined {
  return definition.channelConfig.sms?.defaultRegion ?? sandboxRegion;
}
