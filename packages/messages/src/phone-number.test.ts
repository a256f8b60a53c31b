import { isPossiblePhoneNumber, isValidPhoneNumber } from 'libphonenumber-js';
import type { CampaignDefinition } from '@herald/contracts';
import { isPhoneRegion, smsDefaultRegion, toE164 } from './phone-number';

describe('toE164', () => {
  it('reads every form AJO callers write', () => {
    expect(toE164('111-111-1111', 'US')).toBe('+11111111111');
    expect(toE164('(415) 555-0100', 'US')).toBe('+14155550100');
    expect(toE164('0921234567', 'TW')).toBe('+886921234567');
    expect(toE164('+33 6 12 34 56 78')).toBe('+33612345678');
    expect(toE164('+33 6.12.34.56.78', 'US')).toBe('+33612345678');
    expect(toE164('0033 6 12 34 56 78')).toBe('+33612345678');
  });

  it('accepts a possible number outside assigned ranges (AJO example), not only valid ones', () => {
    // 111 is no US area code: libphonenumber calls the number invalid, but its length is right.
    expect(isValidPhoneNumber('111-111-1111', 'US')).toBe(false);
    expect(isPossiblePhoneNumber('111-111-1111', 'US')).toBe(true);
    expect(toE164('111-111-1111', 'US')).toBe('+11111111111');
  });

  it('never completes digits without + by guessing a country', () => {
    expect(toE164('4155550101')).toBeUndefined();
    expect(toE164('612345678')).toBeUndefined();
    expect(toE164('4155550101', 'US')).toBe('+14155550101');
    expect(toE164('0612345678', 'FR')).toBe('+33612345678');
  });

  it('refuses impossible numbers', () => {
    expect(toE164('123', 'US')).toBeUndefined();
    expect(toE164('+123456')).toBeUndefined();
    expect(toE164('+1234567890123456')).toBeUndefined();
    expect(toE164('+33abc')).toBeUndefined();
    expect(toE164('call +33 6 12 34 56 78 now')).toBeUndefined();
    expect(toE164('')).toBeUndefined();
  });

  it('ignores a region it does not know, so the number must carry +', () => {
    expect(toE164('4155550101', 'ZZ')).toBeUndefined();
    expect(toE164('+14155550101', 'ZZ')).toBe('+14155550101');
  });
});

describe('isPhoneRegion', () => {
  it('knows ISO 3166 alpha-2 regions, upper case', () => {
    expect(isPhoneRegion('US')).toBe(true);
    expect(isPhoneRegion('TW')).toBe(true);
    expect(isPhoneRegion('us')).toBe(false);
    expect(isPhoneRegion('ZZ')).toBe(false);
    expect(isPhoneRegion('USA')).toBe(false);
  });
});

describe('smsDefaultRegion', () => {
  const campaign = (defaultRegion?: string) =>
    ({
      channelConfig: { sms: { sender: 'Herald', ...(defaultRegion ? { defaultRegion } : {}) } },
    }) as Partial<CampaignDefinition> as CampaignDefinition;

  it("prefers the campaign's region to the sandbox's", () => {
    expect(smsDefaultRegion(campaign('TW'), 'US')).toBe('TW');
    expect(smsDefaultRegion(campaign(), 'US')).toBe('US');
    expect(smsDefaultRegion(campaign(), undefined)).toBeUndefined();
  });
});
