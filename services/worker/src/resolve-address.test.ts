import type { Profile, Recipient } from '@herald/contracts';
import { resolveEmailAddress } from './resolve-address';
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
