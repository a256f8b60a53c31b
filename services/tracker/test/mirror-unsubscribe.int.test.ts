import { newId } from '@herald/contracts';
import { suppressedAddresses } from '@herald/store';
import { serviceLinks } from '@herald/tracking';
import {
  BROWSER,
  startTrackerHarness,
  type TestDelivery,
  type TrackerHarness,
} from './tracker-harness.fixture';

const MIRROR_CSP = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'";
const ONE_CLICK = { 'content-type': 'application/x-www-form-urlencoded' };

describe('tracker: mirror page', () => {
  let h: TrackerHarness;
  beforeAll(async () => (h = await startTrackerHarness('mirror')));
  afterAll(() => h.stop());

  it('serves the stored page of the delivery with no script allowed, then 404 once it expired', async () => {
    const delivery = await h.delivery();
    const html =
      '<html><body><h1>Winter sale</h1><script>alert(1)</script><img src="https://cdn.example.com/a.png"></body></html>';
    await h.store.mirrorPages.put({
      sandbox: delivery.sandbox,
      deliveryId: delivery.deliveryId,
      subject: 'Winter sale',
      html,
      expiresAt: new Date(h.clock.nowMs + 60 * 60 * 1000).toISOString(),
    });
    const { mirrorUrl } = serviceLinks(h.context(delivery));

    const answer = await fetch(mirrorUrl);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await answer.text()).toBe(html);
    expect(answer.headers.get('content-security-policy')).toContain(MIRROR_CSP);
    expect(answer.headers.get('content-security-policy')).not.toMatch(/script-src/);
    expect(answer.headers.get('x-robots-tag')).toContain('noindex');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('cache-control')).toContain('no-store');

    const now = h.clock.nowMs;
    h.clock.nowMs += 2 * 60 * 60 * 1000;
    try {
      const expired = await fetch(mirrorUrl);
      expect(expired.status).toBe(404);
      expect(await expired.text()).not.toContain('Winter sale');
    } finally {
      h.clock.nowMs = now;
    }
  });

  it('answers 404 for a delivery with no page, and for a valid token of another action', async () => {
    const delivery = await h.delivery();
    expect((await fetch(h.link(h.claims('mirror', delivery)))).status).toBe(404);
    const withPage = await h.delivery();
    await h.store.mirrorPages.put({
      sandbox: withPage.sandbox,
      deliveryId: withPage.deliveryId,
      subject: 's',
      html: '<p>page</p>',
      expiresAt: new Date(h.clock.nowMs + 60_000).toISOString(),
    });
    const openToken = h.link(h.claims('open', withPage)).split('/o/')[1];
    expect((await fetch(`${h.url}/m/${openToken}`)).status).toBe(404);
    expect((await fetch(h.link(h.claims('mirror', withPage)))).status).toBe(200);
  });
});

describe('tracker: unsubscribe', () => {
  let h: TrackerHarness;
  beforeAll(async () => (h = await startTrackerHarness('unsubscribe')));
  afterAll(() => h.stop());

  /** A delivery to a profile that agreed to marketing by e-mail and SMS. */
  async function profileDelivery(): Promise<TestDelivery & { profileId: string }> {
    const profile = await h.store.profiles.create('prod', {
      identities: [{ namespace: 'email', id: `reader-${Math.random()}@example.com` }],
      consents: { marketing: { email: 'y', sms: 'y' } },
    });
    const delivery = await h.delivery({ profileId: profile.id, address: 'reader@example.com' });
    return { ...delivery, profileId: profile.id };
  }

  const consents = async (profileId: string) =>
    (await h.store.profiles.get('prod', profileId))?.consents.marketing;

  it('asks before unsubscribing: the page has a POST form and a GET changes nothing', async () => {
    const delivery = await profileDelivery();
    const { unsubscribeUrl } = serviceLinks(h.context(delivery));
    const page = await fetch(unsubscribeUrl, { headers: { 'user-agent': BROWSER } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await page.text();
    expect(body).toMatch(/<form method="post">/);
    expect(body).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");

    // A valid open after the GET: once written, an event of the GET would be too.
    await fetch(h.link(h.claims('open', delivery)), { headers: { 'user-agent': BROWSER } });
    expect((await h.recorded(delivery.executionId, 'opened')).map((row) => row.kind)).toEqual(['opened']);
    expect(await consents(delivery.profileId)).toEqual({ email: 'y', sms: 'y' });
  });

  it("withdraws the profile's marketing consent for the channel on the one-click POST, once however often posted", async () => {
    const delivery = await profileDelivery();
    const { unsubscribeUrl } = serviceLinks(h.context(delivery));
    const first = await fetch(unsubscribeUrl, {
      method: 'POST',
      headers: ONE_CLICK,
      body: 'List-Unsubscribe=One-Click',
    });
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('unsubscribed');
    expect(await consents(delivery.profileId)).toEqual({ email: 'n', sms: 'y' });

    // The confirm page's form, then a bare POST (some clients send no body).
    const again = await fetch(unsubscribeUrl, {
      method: 'POST',
      headers: ONE_CLICK,
      body: 'List-Unsubscribe=One-Click',
    });
    const bare = await fetch(unsubscribeUrl, { method: 'POST' });
    expect([again.status, bare.status]).toEqual([200, 200]);
    expect(await consents(delivery.profileId)).toEqual({ email: 'n', sms: 'y' });
    expect(await h.recorded(delivery.executionId, 'unsubscribed')).toEqual([
      { group: null, kind: 'unsubscribed', machine: false, total: 1, unique: 1 },
    ]);
    // The address of a profile's delivery is left off the suppression list: consent says it all.
    expect(await h.store.suppressions.find('prod', 'email', 'reader@example.com')).toBeNull();
  });

  it('withdraws consent by the profile its link names after the delivery record is gone (pruned before the link expires)', async () => {
    const profile = await h.store.profiles.create('prod', {
      identities: [{ namespace: 'email', id: `pruned-${Math.random()}@example.com` }],
      consents: { marketing: { email: 'y' } },
    });
    // No record is written for this delivery: as after DELIVERY_RETENTION_DAYS.
    const delivery: TestDelivery = {
      sandbox: 'prod',
      campaignId: newId(),
      executionId: newId(),
      deliveryId: newId(),
      channel: 'email',
    };
    const { unsubscribeUrl } = serviceLinks({ ...h.context(delivery), profileId: profile.id });
    const answer = await fetch(unsubscribeUrl, {
      method: 'POST',
      headers: ONE_CLICK,
      body: 'List-Unsubscribe=One-Click',
    });
    expect(answer.status).toBe(200);
    expect(await consents(profile.id)).toEqual({ email: 'n' });
    // Without a profile in its link, the same delivery is unknown: nothing to withdraw, 404.
    const { unsubscribeUrl: anonymous } = serviceLinks(h.context(delivery));
    expect((await fetch(anonymous, { method: 'POST', headers: ONE_CLICK })).status).toBe(404);
  });

  it("suppresses an external recipient's address for marketing only", async () => {
    const delivery = await h.delivery({ address: 'Outside.Reader@Example.COM' });
    const answer = await fetch(h.link(h.claims('unsubscribe', delivery)), {
      method: 'POST',
      headers: ONE_CLICK,
      body: 'List-Unsubscribe=One-Click',
    });
    expect(answer.status).toBe(200);
    expect(await h.store.suppressions.find('prod', 'email', 'outside.reader@example.com')).toMatchObject({
      address: 'outside.reader@example.com',
      reason: 'unsubscribed',
      source: 'unsubscribe-link',
    });
    const marketing = await suppressedAddresses(h.store, 'prod', { type: 'marketing', channel: 'email' }, [
      'outside.reader@example.com',
    ]);
    const transactional = await suppressedAddresses(
      h.store,
      'prod',
      { type: 'transactional', channel: 'email' },
      ['outside.reader@example.com'],
    );
    expect({ marketing: [...marketing], transactional: [...transactional] }).toEqual({
      marketing: ['outside.reader@example.com'],
      transactional: [],
    });
    expect(await h.recorded(delivery.executionId, 'unsubscribed')).toEqual([
      { group: null, kind: 'unsubscribed', machine: false, total: 1, unique: 1 },
    ]);
  });

  it('answers 404 for an unknown delivery, a tampered token and a token of another action, changing nothing', async () => {
    const delivery = await profileDelivery();
    const unknown = { ...delivery, deliveryId: `${delivery.deliveryId}x` };
    const token = h.link(h.claims('unsubscribe', delivery)).split('/u/')[1] ?? '';
    const tampered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    const openToken = h.link(h.claims('open', delivery)).split('/o/')[1] ?? '';
    for (const url of [
      h.link(h.claims('unsubscribe', unknown)),
      `${h.url}/u/${tampered}`,
      `${h.url}/u/${openToken}`,
    ]) {
      const answer = await fetch(url, {
        method: 'POST',
        headers: ONE_CLICK,
        body: 'List-Unsubscribe=One-Click',
      });
      expect({ url, status: answer.status }).toEqual({ url, status: 404 });
    }
    expect(await consents(delivery.profileId)).toEqual({ email: 'y', sms: 'y' });
    await fetch(h.link(h.claims('open', delivery)), { headers: { 'user-agent': BROWSER } });
    expect((await h.recorded(delivery.executionId, 'opened')).map((row) => row.kind)).toEqual(['opened']);
  });
});
