import type { Profile, Recipient } from '@herald/contracts';
import { resolveEmailAddress, resolveSmsNumber } from './resolve-address';
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
  it('uses a phone userId, read in the default region when it has no +', () => {
    expect(resolveSmsNumber({ ...base, userId: '0612345678', namespace: 'phone' }, null, 'FR')).toBe(
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
  it('reads profile numbers without + in the default region', () => {
    expect(resolveSmsNumber(base, profile({ attributes: { phone: '(415) 555-0100' } }), 'US')).toBe(
      '+14155550100',
    );
  });
  it('ignores an id that is not a phone number, and national numbers without a default region', () => {
    expect(resolveSmsNumber({ ...base, userId: '1234567890' }, null)).toBeUndefined();
    expect(
      resolveSmsNumber({ ...base, channelData: { mobilePhoneNumber: '0612345678' } }, null),
    ).toBeUndefined();
    expect(resolveSmsNumber({ ...base, userId: '4155550101', namespace: 'phone' }, null)).toBeUndefined();
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
