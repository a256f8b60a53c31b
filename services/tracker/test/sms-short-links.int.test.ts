import { newShortCode, shortenSmsLinks } from '@herald/tracking';
import { BROWSER, startTrackerHarness, type TrackerHarness } from './tracker-harness.fixture';

const SALE_URL = 'https://shop.example.com/sale?utm_source=sms&size=m';

describe('tracker: SMS short links', () => {
  let h: TrackerHarness;
  beforeAll(async () => (h = await startTrackerHarness('sms-short-links')));
  afterAll(() => h.stop());

  const get = (url: string) => fetch(url, { redirect: 'manual', headers: { 'user-agent': BROWSER } });

  /** An SMS body shortened as the worker does it, its links stored as the worker stores them. */
  async function sentSms(body: string, sandbox = 'prod') {
    const delivery = await h.delivery({ sandbox, channel: 'sms' });
    const shortened = shortenSmsLinks(body, h.context(delivery));
    const taken = await h.store.shortLinks.insertMany(
      shortened.links.map((link) => ({
        code: link.code,
        sandbox,
        token: link.token,
        expiresAt: new Date(link.expiresAt * 1000).toISOString(),
      })),
    );
    expect(taken).toEqual([]);
    return { delivery, shortened };
  }

  it('redirects the short link found in the sent text to the URL written, and records the click on its link', async () => {
    const { delivery, shortened } = await sentSms(
      `Sale today: ${SALE_URL} Terms: https://shop.example.com/terms`,
    );
    const urls = shortened.text.match(/https?:\/\/\S+/g) ?? [];
    expect(urls).toHaveLength(2);
    expect(urls[1]).toMatch(new RegExp(`^${h.url}/s/[0-9A-Za-z]{10}$`));

    const answer = await get(urls[1] ?? '');
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('https://shop.example.com/terms');
    expect(answer.headers.get('cache-control')).toContain('no-store');

    expect(await h.recorded(delivery.executionId, 'clicked')).toEqual([
      { group: '1', kind: 'clicked', machine: false, total: 1, unique: 1 },
    ]);
  });

  it('answers 404 and records nothing for a code never issued, malformed, or expired', async () => {
    const { delivery, shortened } = await sentSms(`Sale today: ${SALE_URL}`);
    const code = shortened.links[0]?.code ?? '';
    for (const path of [`/s/${newShortCode()}`, '/s/short', `/s/${code}x`, '/s/..%2F..%2Fetc', '/s/']) {
      expect((await get(`${h.url}${path}`)).status).toBe(404);
    }
    const saved = h.clock.nowMs;
    h.clock.nowMs = (shortened.links[0]?.expiresAt ?? 0) * 1000 + 1000;
    try {
      expect((await get(`${h.url}/s/${code}`)).status).toBe(404);
    } finally {
      h.clock.nowMs = saved;
    }
    // A click that does go through shows that the refused ones left no event behind.
    expect((await get(`${h.url}/s/${code}`)).status).toBe(302);
    expect(await h.recorded(delivery.executionId, 'clicked')).toEqual([
      { group: '0', kind: 'clicked', machine: false, total: 1, unique: 1 },
    ]);
  });

  it('refuses a stored code whose token does not verify or is not a click token', async () => {
    const delivery = await h.delivery({ channel: 'sms' });
    const forged = newShortCode();
    const notAClick = newShortCode();
    await h.store.shortLinks.insertMany([
      { code: forged, sandbox: 'prod', token: 'AQ' + 'A'.repeat(120), expiresAt: '2099-01-01T00:00:00.000Z' },
      {
        code: notAClick,
        sandbox: 'prod',
        token: h.tokens.sign(h.claims('open', delivery)),
        expiresAt: '2099-01-01T00:00:00.000Z',
      },
    ]);
    expect((await get(`${h.url}/s/${forged}`)).status).toBe(404);
    expect((await get(`${h.url}/s/${notAClick}`)).status).toBe(404);
  });

  it("refuses a code stored under another sandbox than its token's", async () => {
    const { shortened } = await sentSms(`Sale today: ${SALE_URL}`, 'prod');
    const link = shortened.links[0];
    const moved = newShortCode();
    await h.store.shortLinks.insertMany([
      { code: moved, sandbox: 'other', token: link?.token ?? '', expiresAt: '2099-01-01T00:00:00.000Z' },
    ]);
    expect((await get(`${h.url}/s/${moved}`)).status).toBe(404);
  });
});
