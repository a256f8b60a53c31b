import type { CampaignDefinition, CampaignStatus } from '@herald/contracts';
import { orderShippedCampaign, waitFor } from '@herald/testing';
import { TemplateEngine } from '@herald/templating';
import { CampaignService } from '../src/campaigns/campaign.service';
import { CampaignValidator } from '../src/campaigns/campaign-validator';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();
const HOUR = 3_600_000;

/** A real engine whose first render waits until released: holds a publish inside its checks. */
class StallingTemplateEngine extends TemplateEngine {
  private signalEntered!: () => void;
  readonly entered = new Promise<void>((resolve) => (this.signalEntered = resolve));
  private releaseGate!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.releaseGate = resolve));

  release(): void {
    this.releaseGate();
  }

  override async render(...args: Parameters<TemplateEngine['render']>): Promise<string> {
    this.signalEntered();
    await this.gate;
    return super.render(...args);
  }
}

describe('campaign lifecycle', () => {
  let h: ApiHarness;
  beforeAll(async () => (h = await startApiHarness('campaign-lifecycle')));
  afterAll(async () => h.close());

  const create = async (definition: CampaignDefinition = orderShippedCampaign()): Promise<string> =>
    (await h.api.post('/campaigns').send(definition).expect(201)).body.id as string;

  /** A campaign brought to `status` through the API (completed: through time, see below). */
  const campaignIn = async (status: Exclude<CampaignStatus, 'completed'>): Promise<string> => {
    const future = status === 'scheduled' ? { schedule: { start: inMs(HOUR) } } : {};
    const id = await create(orderShippedCampaign(future));
    if (status === 'draft') return id;
    if (status === 'archived') {
      await h.api.post(`/campaigns/${id}/archive`).expect(200);
      return id;
    }
    await h.api.post(`/campaigns/${id}/activate`).expect(200);
    if (status === 'stopped') await h.api.post(`/campaigns/${id}/stop`).expect(200);
    return id;
  };

  /**
   * A campaign that went live with a window that has since closed. Activation refuses an end in
   * the past, so the store stands in for the passing of time.
   */
  const endedCampaign = async (status: 'live' | 'scheduled'): Promise<string> => {
    const campaign = await h.store.campaigns.create({
      sandbox: 'prod',
      definition: orderShippedCampaign({ schedule: { start: inMs(-2 * HOUR), end: inMs(-HOUR) } }),
    });
    await h.store.campaigns.transition('prod', campaign.id, { from: ['draft'], to: status, liveVersion: 1 });
    return campaign.id;
  };

  const trigger = (campaignId: string) =>
    h.api.post('/im/executions/unitary').send({
      requestId: `req-${campaignId}-${Date.now()}`,
      campaignId,
      recipients: [
        { type: 'aep', userId: 'ada@example.com', namespace: 'email', context: { orderId: 'A-1', total: 3 } },
      ],
    });

  describe('allowed transitions', () => {
    it('activates a draft into live, with version 1 live', async () => {
      const id = await create();
      const res = await h.api.post(`/campaigns/${id}/activate`).expect(200);
      expect(res.body).toMatchObject({ status: 'live', liveVersion: 1, warnings: [] });
    });

    it('activates a draft whose start is ahead into scheduled', async () => {
      const id = await create(orderShippedCampaign({ schedule: { start: inMs(HOUR), end: inMs(2 * HOUR) } }));
      const res = await h.api.post(`/campaigns/${id}/activate`).expect(200);
      expect(res.body).toMatchObject({ status: 'scheduled', liveVersion: 1 });
    });

    it.each(['live', 'scheduled'] as const)('stops a %s campaign by hand', async (status) => {
      const id = await campaignIn(status);
      const res = await h.api.post(`/campaigns/${id}/stop`).expect(200);
      expect(res.body.status).toBe('stopped');
    });

    it.each(['draft', 'stopped'] as const)('archives a %s campaign', async (status) => {
      const id = await campaignIn(status);
      const res = await h.api.post(`/campaigns/${id}/archive`).expect(200);
      expect(res.body.status).toBe('archived');
    });

    it.each(['live', 'scheduled'] as const)(
      'reports a %s campaign whose end has passed as completed, and stores it so',
      async (status) => {
        const id = await endedCampaign(status);
        const res = await h.api.get(`/campaigns/${id}`).expect(200);
        expect(res.body.status).toBe('completed');
        expect((await h.store.campaigns.get('prod', id))?.status).toBe('completed');
      },
    );

    it('archives a completed campaign', async () => {
      const id = await endedCampaign('live');
      const res = await h.api.post(`/campaigns/${id}/archive`).expect(200);
      expect(res.body.status).toBe('archived');
    });

    it('lists campaigns with the status their schedule has brought them to', async () => {
      const id = await endedCampaign('live');
      const listed: Array<{ id: string; status: string }> = [];
      let cursor: string | null = null;
      do {
        const res = await h.api
          .get('/campaigns')
          .query({ limit: 500, ...(cursor ? { cursor } : {}) })
          .expect(200);
        const page = res.body as { items: Array<{ id: string; status: string }>; nextCursor: string | null };
        listed.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(listed.find((campaign) => campaign.id === id)?.status).toBe('completed');
    });

    it('makes a scheduled campaign live once its start has passed, and triggers are then accepted', async () => {
      const id = await create(orderShippedCampaign({ schedule: { start: inMs(1200) } }));
      await h.api.post(`/campaigns/${id}/activate`).expect(200, /"status":"scheduled"/);
      const early = await trigger(id).expect(409);
      expect(early.body.code).toBe('campaign-outside-schedule');
      await waitFor(async () => (await h.api.get(`/campaigns/${id}`)).body.status === 'live', {
        timeoutMs: 5000,
      });
      await trigger(id).expect(202);
    });
  });

  describe('refused transitions', () => {
    const refusals: Array<[string, Exclude<CampaignStatus, 'completed'> | 'completed', string]> = [
      ['activate', 'live', 'live → live'],
      ['activate', 'scheduled', 'scheduled → scheduled'],
      ['activate', 'stopped', 'stopped → live'],
      ['activate', 'archived', 'archived → live'],
      ['activate', 'completed', 'completed → live'],
      ['stop', 'draft', 'draft → stopped'],
      ['stop', 'stopped', 'stopped → stopped'],
      ['stop', 'completed', 'completed → stopped'],
      ['stop', 'archived', 'archived → stopped'],
      ['archive', 'live', 'live → archived'],
      ['archive', 'scheduled', 'scheduled → archived'],
      ['archive', 'archived', 'archived → archived'],
      ['publish', 'draft', 'draft → live'],
      ['publish', 'stopped', 'stopped → live'],
      ['publish', 'completed', 'completed → live'],
      ['publish', 'archived', 'archived → live'],
    ];

    it.each(refusals)(
      'refuses to %s a campaign that is %s, with 409 naming %s',
      async (action, status, names) => {
        const id = status === 'completed' ? await endedCampaign('live') : await campaignIn(status);
        const res = await h.api.post(`/campaigns/${id}/${action}`).expect(409);
        expect(res.body.code).toBe('illegal-transition');
        expect(res.body.detail).toContain(names);
        expect(res.body.errors).toEqual([
          { path: '/status', code: 'illegal-transition', message: `${names} is not allowed` },
        ]);
        expect((await h.api.get(`/campaigns/${id}`)).body.status).toBe(status);
      },
    );
  });

  describe('concurrent publishes', () => {
    it('refuses a publish whose checks outlived a newer publish, keeping the newer version live', async () => {
      const id = await campaignIn('live');
      await h.api
        .put(`/campaigns/${id}`)
        .send(orderShippedCampaign({ name: 'v2' }))
        .expect(200);
      const templates = new StallingTemplateEngine();
      const slow = new CampaignService(h.store, new CampaignValidator(), templates);

      const stalled = slow.publish('prod', id, ['*']).catch((error: unknown) => error);
      await templates.entered;
      await h.api
        .put(`/campaigns/${id}`)
        .send(orderShippedCampaign({ name: 'v3' }))
        .expect(200);
      await h.api.post(`/campaigns/${id}/publish`).expect(200);
      templates.release();

      expect(await stalled).toMatchObject({ code: 'version-conflict', status: 409 });
      expect((await h.api.get(`/campaigns/${id}`)).body).toMatchObject({
        status: 'live',
        liveVersion: 3,
        latestVersion: 3,
      });
    });

    it('refuses a swap through the store whose expected live version is stale', async () => {
      const id = await campaignIn('live');
      await h.store.campaigns.addVersion('prod', id, orderShippedCampaign({ name: 'v2' }), 1);
      await h.store.campaigns.transition('prod', id, { from: ['live'], to: 'live', liveVersion: 2 });

      await expect(
        h.store.campaigns.transition('prod', id, {
          from: ['live'],
          to: 'live',
          liveVersion: 1,
          expectedLiveVersion: 1,
        }),
      ).rejects.toMatchObject({ code: 'version-conflict' });
      expect((await h.store.campaigns.get('prod', id))?.liveVersion).toBe(2);
    });
  });

  describe('triggers', () => {
    it.each(['draft', 'stopped', 'archived'] as const)(
      'refuses to trigger a campaign that is %s: campaign-not-live',
      async (status) => {
        const id = await campaignIn(status);
        const res = await trigger(id).expect(409);
        expect(res.body.code).toBe('campaign-not-live');
      },
    );

    it('refuses to trigger a campaign whose start is ahead: campaign-outside-schedule', async () => {
      const id = await campaignIn('scheduled');
      expect((await trigger(id).expect(409)).body.code).toBe('campaign-outside-schedule');
    });

    it('refuses to trigger a live campaign whose end has passed, which becomes completed', async () => {
      const id = await endedCampaign('live');
      expect((await trigger(id).expect(409)).body.code).toBe('campaign-outside-schedule');
      expect((await h.store.campaigns.get('prod', id))?.status).toBe('completed');
    });
  });
});
