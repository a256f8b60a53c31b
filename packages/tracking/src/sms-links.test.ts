import { LINK_LIFETIME_SECONDS } from './claims';
import type { TrackingContext } from './links';
import {
  isShortCode,
  newShortCode,
  SHORT_CODE_LENGTH,
  shortenSmsLinks,
  smsTextAsShortened,
} from './sms-links';
import { TrackingTokens } from './tokens';

const NOW = 1_765_140_000;
const BASE = 'https://t.example.com';
const tokens = new TrackingTokens(['k'.repeat(32)]);
const context: TrackingContext = {
  tokens,
  baseUrl: BASE,
  claims: {
    sandbox: 'prod',
    campaignId: 'c-1',
    executionId: 'e-1',
    deliveryId: 'e-1-r0',
    channel: 'sms',
    locale: 'en-US',
  },
  nowSeconds: NOW,
};

function counter(): () => string {
  let next = 0;
  return () => `code${String((next += 1)).padStart(SHORT_CODE_LENGTH - 4, '0')}`;
}

describe('shortenSmsLinks', () => {
  it('replaces each http(s) link with a short tracker link whose token signs the link as written', () => {
    const body =
      'Sale ends soon: https://shop.example.com/sale?utm_source=sms&x=1. Terms (http://shop.example.com/t)';
    const { text, links } = shortenSmsLinks(body, context, counter());
    expect(text).toBe(`Sale ends soon: ${BASE}/s/code000001. Terms (${BASE}/s/code000002)`);
    expect(links.map(({ code, linkId, url }) => ({ code, linkId, url }))).toEqual([
      { code: 'code000001', linkId: '0', url: 'https://shop.example.com/sale?utm_source=sms&x=1' },
      { code: 'code000002', linkId: '1', url: 'http://shop.example.com/t' },
    ]);
    expect(tokens.verify(links[0]!.token, NOW)).toEqual({
      ...context.claims,
      action: 'click',
      issuedAt: NOW,
      expiresAt: NOW + LINK_LIFETIME_SECONDS,
      linkId: '0',
      url: 'https://shop.example.com/sale?utm_source=sms&x=1',
    });
    expect(links[1]!.expiresAt).toBe(NOW + LINK_LIFETIME_SECONDS);
  });

  it('leaves text without a scheme-written http(s) link as it is', () => {
    const body =
      'Reply STOP to opt out. Visit www.example.com or mail help@example.com; ftp://files.example.com/x';
    expect(shortenSmsLinks(body, context, counter())).toEqual({ text: body, links: [] });
  });

  it('keeps non-ASCII text around links intact', () => {
    const { text, links } = shortenSmsLinks('Déjà vu → https://ex.com/é!', context, counter());
    expect(text).toBe(`Déjà vu → ${BASE}/s/code000001!`);
    expect(links[0]!.url).toBe('https://ex.com/é');
  });
});

describe('smsTextAsShortened', () => {
  it('is as long as the text sent, whatever the codes', () => {
    const body =
      'A https://example.com/a-very-long-path/that-would-cost-a-segment?utm_campaign=winter-2026 B https://b.example.org';
    const sent = shortenSmsLinks(body, context).text;
    const measured = smsTextAsShortened(body, BASE);
    expect(measured.links).toBe(2);
    expect(measured.text.length).toBe(sent.length);
    expect(measured.text).toBe(
      `A ${BASE}/s/${'x'.repeat(SHORT_CODE_LENGTH)} B ${BASE}/s/${'x'.repeat(SHORT_CODE_LENGTH)}`,
    );
  });
});

describe('short codes', () => {
  it('are base-62, of the fixed length, and differ', () => {
    const codes = Array.from({ length: 1000 }, newShortCode);
    for (const code of codes) expect(isShortCode(code)).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it.each(['', 'short', 'abcdefghi-', 'abcdefghijk', 'abcdéfghij', '../../etc/'])('refuses %p', (value) => {
    expect(isShortCode(value)).toBe(false);
  });
});
