import type { Profile, Recipient } from '@herald/contracts';
import { resolveEmailAddress, resolvePushTargets, resolveSmsNumber, toE164 } from './resolve-address';
import { overlay } from './render-message';

const base: Recipient = { type: 'aep', userId: 'ECID-123', namespace: 'ECID' };
const profile = (fields: Partial<Profile>): Profile =>
  ({ identities: [], attributes: {}, ...fields }) as Partial<Profile> as Profile;

describe('resolveEmailAddress', () => {
  it('takes the channelData override first', () => {
    const recipient = { ...base, channelData: { emailAddress: 'override@example.com' } };
    expect(resolveEmailAddress(recipient, profile({ attributes: { email: 'p@example.com' } }))).toBe(
      'override@example.com',
    );
  });
  it('uses an e-mail userId', () => {
    expect(resolveEmailAddress({ ...base, userId: 'ada@example.com', namespace: 'email' }, null)).toBe(
      'ada@example.com',
    );
  });
  it('finds the address in the profile: identity, then XDM personalEmail', () => {
    expect(
      resolveEmailAddress(base, profile({ identities: [{ namespace: 'Email', id: 'id@example.com' }] })),
    ).toBe('id@example.com');
    expect(
      resolveEmailAddress(base, profile({ attributes: { personalEmail: { address: 'x@example.com' } } })),
    ).toBe('x@example.com');
  });
  it('returns nothing when there is no address', () => {
    expect(resolveEmailAddress(base, profile({}))).toBeUndefined();
  });
});

describe('resolveSmsNumber', () => {
  it('takes channelData.mobilePhoneNumber first, normalised to E.164', () => {
    const recipient = { ...base, channelData: { mobilePhoneNumber: '0033 6 12 34 56 78' } };
    expect(resolveSmsNumber(recipient, profile({ attributes: { phone: '+441234567890' } }))).toBe(
      '+33612345678',
    );
  });
  it('uses a phone userId', () => {
    expect(resolveSmsNumber({ ...base, userId: '33612345678', namespace: 'phone' }, null)).toBe(
      '+33612345678',
    );
    expect(resolveSmsNumber({ ...base, userId: '+1 (415) 555-0100' }, null)).toBe('+14155550100');
  });
  it('finds the number in the profile: phone identity, then XDM mobilePhone.number, then phone', () => {
    expect(
      resolveSmsNumber(base, profile({ identities: [{ namespace: 'Phone', id: '+33700000001' }] })),
    ).toBe('+33700000001');
    expect(resolveSmsNumber(base, profile({ attributes: { mobilePhone: { number: '+33700000002' } } }))).toBe(
      '+33700000002',
    );
    expect(resolveSmsNumber(base, profile({ attributes: { phone: '+33700000003' } }))).toBe('+33700000003');
  });
  it('ignores an id that is not a phone number and numbers in national form', () => {
    expect(resolveSmsNumber({ ...base, userId: '1234567890' }, null)).toBeUndefined();
    expect(
      resolveSmsNumber({ ...base, channelData: { mobilePhoneNumber: '0612345678' } }, null),
    ).toBeUndefined();
  });
});

describe('toE164', () => {
  it('accepts 7 to 15 digits with a country code and refuses the rest', () => {
    expect(toE164('+33 6.12.34.56.78')).toBe('+33612345678');
    expect(toE164('+123456')).toBeUndefined();
    expect(toE164('+1234567890123456')).toBeUndefined();
    expect(toE164('+33abc')).toBeUndefined();
  });
});

describe('resolvePushTargets', () => {
  const keys = { p256dh: 'p', auth: 'a' };
  it('takes the subscription given in channelData.pushInfo first', () => {
    const recipient = {
      ...base,
      channelData: { pushInfo: { endpoint: 'https://push.example/given', keys } },
    };
    const stored = profile({ pushSubscriptions: [{ endpoint: 'https://push.example/stored', keys }] });
    expect(resolvePushTargets(recipient, stored, undefined)).toEqual([
      { endpoint: 'https://push.example/given', keys },
    ]);
  });
  it("uses the profile's subscriptions, only those of the campaign's app when it names one", () => {
    const stored = profile({
      pushSubscriptions: [
        { endpoint: 'https://push.example/web', keys, appId: 'web' },
        { endpoint: 'https://push.example/other', keys, appId: 'other' },
      ],
    });
    expect(resolvePushTargets(base, stored, 'web').map((target) => target.endpoint)).toEqual([
      'https://push.example/web',
    ]);
    expect(resolvePushTargets(base, stored, undefined)).toHaveLength(2);
  });
  it('finds nothing without a subscription', () => {
    expect(
      resolvePushTargets({ ...base, channelData: { pushInfo: { token: 'x' } } }, null, undefined),
    ).toEqual([]);
  });
});

describe('overlay', () => {
  it('lets call attributes override stored ones, deeply, without changing the stored object', () => {
    const stored = { name: { first: 'Ada', last: 'Lovelace' }, tier: 'gold' };
    expect(overlay(stored, { name: { first: 'Augusta' } })).toEqual({
      name: { first: 'Augusta', last: 'Lovelace' },
      tier: 'gold',
    });
    expect(stored.name.first).toBe('Ada');
  });
});
