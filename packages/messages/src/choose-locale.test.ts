import type { CampaignContent, Profile, Recipient } from '@herald/contracts';
import { chooseLocale } from './choose-locale';

const content: CampaignContent = {
  defaultLocale: 'en',
  locales: { en: { subject: 'Hi' }, 'fr-FR': { subject: 'Salut' }, de: { subject: 'Hallo' } },
};
const recipient = (locale?: string): Recipient => ({
  type: 'aep',
  userId: 'u',
  namespace: 'email',
  ...(locale ? { context: { locale } } : {}),
});
const profile = (preferredLanguage: string): Profile =>
  ({ preferredLanguage }) as Partial<Profile> as Profile;

describe('chooseLocale', () => {
  it('prefers the context locale, matched without regard to case or separator', () => {
    expect(chooseLocale(content, recipient('fr_fr'), profile('de'))).toBe('fr-FR');
  });
  it('falls back to the profile preferred language', () => {
    expect(chooseLocale(content, recipient(), profile('de-AT'))).toBe('de');
  });
  it('matches on language alone', () => {
    expect(chooseLocale(content, recipient('fr-CA'), null)).toBe('fr-FR');
  });
  it('uses the campaign default when nothing matches', () => {
    expect(chooseLocale(content, recipient('ja'), profile('ko'))).toBe('en');
  });
});
