import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { CampaignDefinition } from '@herald/contracts';
import { orderShippedCampaign, pushSubscriptionKeys as pushKeys } from '@herald/testing';
import request from 'supertest';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

const smsCampaign = (): CampaignDefinition => ({
  name: 'Delivery code (SMS)',
  type: 'transactional',
  channel: 'sms',
  channelConfig: { sms: { sender: 'Shop' } },
  content: {
    defaultLocale: 'en',
    locales: {
      en: { body: 'Hi {{ profile.firstName | default: "there" }}, code {{ context.code }}' },
      fr: { body: 'Bonjour, code {{ context.code }}' },
    },
  },
  contextSchema: {
    type: 'object',
    required: ['code'],
    additionalProperties: false,
    properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } },
  },
  identityNamespace: 'phone',
  createProfiles: false,
});

const pushCampaign = (): CampaignDefinition => ({
  name: 'Order shipped (push)',
  type: 'transactional',
  channel: 'push',
  channelConfig: {
    push: {
      appId: 'shop-web',
      ttlSeconds: 3600,
      urgency: 'high',
      defaultIcon: 'https://shop.example.com/i.png',
    },
  },
  content: {
    defaultLocale: 'en',
    locales: {
      en: {
        title: 'Order {{ context.orderId }} shipped',
        body: 'It is on its way',
        url: 'https://shop.example.com/orders/{{ context.orderId }}',
        data: { orderId: '{{ context.orderId }}' },
      },
    },
  },
  contextSchema: { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string' } } },
  identityNamespace: 'email',
  createProfiles: false,
});

describe('campaign author tools', () => {
  let h: ApiHarness;
  let emailId: string;
  let smsId: string;
  let pushId: string;
  const executeKey = 'tools-execute-key-0123456789abcdefghijklmn';

  beforeAll(async () => {
    h = await startApiHarness('campaign-tools');
    await h.addApiKey(executeKey, { name: 'execute', roles: ['execute'], sandboxes: ['*'] });
    emailId = (await h.api.post('/campaigns').send(orderShippedCampaign()).expect(201)).body.id;
    smsId = (await h.api.post('/campaigns').send(smsCampaign()).expect(201)).body.id;
    pushId = (await h.api.post('/campaigns').send(pushCampaign()).expect(201)).body.id;
  });
  afterAll(async () => h.close());

  const outbox = (...parts: string[]) => path.join(h.config.outbox.dir, ...parts);

  describe('preview', () => {
    it('renders every locale for an inline profile and says which one a trigger would use', async () => {
      const res = await h.api
        .post(`/campaigns/${emailId}/preview`)
        .send({
          profile: {
            inline: {
              identities: [{ namespace: 'email', id: 'ada@example.com' }],
              attributes: { person: { name: { firstName: 'Ada' } } },
              preferredLanguage: 'fr-FR',
            },
          },
          context: { orderId: 'A-1', total: 42.5 },
        })
        .expect(200);
      expect(res.body).toMatchObject({
        campaignId: emailId,
        version: 1,
        channel: 'email',
        chosenLocale: 'fr',
      });
      expect(res.body.contextGenerated).toBe(false);
      expect(res.body.locales).toEqual([
        {
          locale: 'en',
          outcome: 'send',
          message: {
            channel: 'email',
            from: { address: 'shop@example.com', name: 'Shop' },
            to: 'ada@example.com',
            subject: 'Hi Ada, order A-1',
            html: '<p>Order A-1: 42.5 EUR</p>',
            text: 'Order A-1: 42.5 EUR',
          },
        },
        {
          locale: 'fr',
          outcome: 'send',
          message: expect.objectContaining({ subject: 'Bonjour Ada, commande A-1', text: 'Commande A-1' }),
        },
      ]);
    });

    it('uses a stored profile named by identity, with the call context', async () => {
      await h.store.profiles.create('prod', {
        identities: [{ namespace: 'crmId', id: 'c-7' }],
        attributes: {
          personalEmail: { address: 'grace@example.com' },
          person: { name: { firstName: 'Grace' } },
        },
      });
      const res = await h.api
        .post(`/campaigns/${emailId}/preview`)
        .send({
          profile: { identity: { namespace: 'crmId', id: 'c-7' } },
          context: { orderId: 'G-1', total: 1 },
          locale: 'en',
        })
        .expect(200);
      expect(res.body.locales).toEqual([
        expect.objectContaining({
          locale: 'en',
          outcome: 'send',
          message: expect.objectContaining({ to: 'grace@example.com', subject: 'Hi Grace, order G-1' }),
        }),
      ]);
    });

    it('reports the exclusion a trigger would meet, with the content it would have had', async () => {
      const res = await h.api.post(`/campaigns/${emailId}/preview`).send({ locale: 'en' }).expect(200);
      expect(res.body.contextGenerated).toBe(true);
      expect(res.body.context).toEqual({ orderId: 'sample-orderId', total: 1, locale: 'sample-locale' });
      expect(res.body.locales).toEqual([
        {
          locale: 'en',
          outcome: 'excluded',
          reason: 'no-address',
          content: expect.objectContaining({ channel: 'email', subject: 'Hi there, order sample-orderId' }),
        },
      ]);

      const unknown = await h.api
        .post(`/campaigns/${emailId}/preview`)
        .send({ profile: { identity: { namespace: 'email', id: 'nobody@example.com' } }, locale: 'en' })
        .expect(200);
      // orderShippedCampaign creates profiles: the unknown recipient would get a new, empty one.
      expect(unknown.body.locales[0]).toMatchObject({
        outcome: 'send',
        message: { to: 'nobody@example.com' },
      });
    });

    it('previews an SMS with its length in segments', async () => {
      const res = await h.api
        .post(`/campaigns/${smsId}/preview`)
        .send({
          channelData: { mobilePhoneNumber: '+33 6 12 34 56 78' },
          context: { code: '123456' },
          locale: 'en',
        })
        .expect(200);
      expect(res.body.locales).toEqual([
        {
          locale: 'en',
          outcome: 'send',
          message: { channel: 'sms', from: 'Shop', to: '+33612345678', body: 'Hi there, code 123456' },
          smsLength: { encoding: 'GSM-7', characters: 21, units: 21, segments: 1, shortenedLinks: 0 },
        },
      ]);
    });

    it("previews a push message for the profile's devices of the campaign's app, never showing their keys", async () => {
      const keys = pushKeys();
      const res = await h.api
        .post(`/campaigns/${pushId}/preview`)
        .send({
          profile: {
            inline: {
              pushSubscriptions: [
                { endpoint: 'https://push.example.com/shop', keys, appId: 'shop-web' },
                { endpoint: 'https://push.example.com/other', keys, appId: 'other-app' },
              ],
            },
          },
          context: { orderId: 'P-9' },
        })
        .expect(200);
      expect(res.body.locales).toEqual([
        {
          locale: 'en',
          outcome: 'send',
          message: {
            channel: 'push',
            subscriptions: [{ endpoint: 'https://push.example.com/shop' }],
            devices: [],
            payload: {
              title: 'Order P-9 shipped',
              body: 'It is on its way',
              url: 'https://shop.example.com/orders/P-9',
              icon: 'https://shop.example.com/i.png',
              data: { orderId: 'P-9' },
            },
            ttlSeconds: 3600,
            urgency: 'high',
          },
        },
      ]);
      expect(JSON.stringify(res.body)).not.toContain(keys.auth);
    });

    it('refuses a context that breaks the context schema, listing every problem', async () => {
      const res = await h.api
        .post(`/campaigns/${smsId}/preview`)
        .send({ context: { code: 'abc', extra: 1 } })
        .expect(400);
      expect(res.body.code).toBe('invalid-context');
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        '/context/code',
        '/context/extra',
      ]);
    });

    it('refuses an unknown locale, an unknown version, an unknown campaign and a malformed body', async () => {
      expect(
        (await h.api.post(`/campaigns/${smsId}/preview`).send({ locale: 'de' }).expect(400)).body.code,
      ).toBe('unknown-locale');
      expect(
        (await h.api.post(`/campaigns/${smsId}/preview`).send({ version: 9 }).expect(404)).body.code,
      ).toBe('campaign-version-not-found');
      expect((await h.api.post('/campaigns/nope/preview').send({}).expect(404)).body.code).toBe(
        'campaign-not-found',
      );
      const malformed = await h.api
        .post(`/campaigns/${smsId}/preview`)
        .send({ profile: { both: true } })
        .expect(400);
      expect(malformed.body.code).toBe('invalid-request');
    });

    it('is not visible from another sandbox', async () => {
      await h.api.post(`/campaigns/${smsId}/preview`).set('x-sandbox-name', 'staging').send({}).expect(404);
    });
  });

  describe('test-send', () => {
    it('delivers a marked e-mail through the outbox right away', async () => {
      const res = await h.api
        .post(`/campaigns/${emailId}/test-send`)
        .send({
          recipients: [
            {
              address: 'qa@example.com',
              context: { orderId: 'T-1', total: 2 },
              profile: { person: { name: { firstName: 'Q' } } },
            },
          ],
        })
        .expect(200);
      const executionId = String(res.body.executionId);
      expect(executionId).toMatch(/^test-/);
      expect(res.body.results).toEqual([
        { address: 'qa@example.com', locale: 'en', providerMessageId: `outbox:${executionId}-r0` },
      ]);
      const mail = await simpleParser(readFileSync(outbox('email', `${executionId}-r0.eml`)));
      expect(mail.subject).toBe('[TEST] Hi Q, order T-1');
    });

    it('sends nothing when a rendered subject would inject a header, and preview says so too', async () => {
      const emailFolder = path.dirname(outbox('email', 'x.eml'));
      const before = existsSync(emailFolder) ? readdirSync(emailFolder).length : 0;
      const evil = { orderId: 'T-2\r\nBcc: victim@example.com', total: 1 };
      const res = await h.api
        .post(`/campaigns/${emailId}/test-send`)
        .send({
          recipients: [
            { address: 'qa@example.com', context: { orderId: 'T-ok', total: 1 } },
            { address: 'qa2@example.com', context: evil },
          ],
        })
        .expect(422);
      expect(res.body.code).toBe('test-send-failed');
      expect(existsSync(emailFolder) ? readdirSync(emailFolder).length : 0).toBe(before);
      const preview = await h.api
        .post(`/campaigns/${emailId}/preview`)
        .send({
          profile: { inline: { attributes: { email: 'qa@example.com' } } },
          context: evil,
          locale: 'en',
        })
        .expect(200);
      expect(preview.body.locales[0]).toMatchObject({
        outcome: 'failed',
        error: { code: 'header-injection' },
      });
    });

    it('delivers a marked SMS and a marked push message as JSON files', async () => {
      const sms = await h.api
        .post(`/campaigns/${smsId}/test-send`)
        .send({ recipients: [{ address: '+44 7700 900123', context: { code: '000111' } }] })
        .expect(200);
      const smsFile = JSON.parse(readFileSync(outbox('sms', `${sms.body.executionId}-r0.json`), 'utf8'));
      expect(smsFile).toMatchObject({
        channel: 'sms',
        from: 'Shop',
        to: '+447700900123',
        body: '[TEST] Hi there, code 000111',
      });
      expect(sms.body.results[0].address).toBe('+447700900123');

      const keys = pushKeys();
      const push = await h.api
        .post(`/campaigns/${pushId}/test-send`)
        .send({
          recipients: [
            { address: { endpoint: 'https://push.example.com/qa', keys }, context: { orderId: 'Q-1' } },
          ],
        })
        .expect(200);
      const text = readFileSync(outbox('push', `${push.body.executionId}-r0.json`), 'utf8');
      expect(JSON.parse(text)).toMatchObject({
        channel: 'push',
        subscription: { endpoint: 'https://push.example.com/qa' },
        payload: { title: '[TEST] Order Q-1 shipped' },
        ttlSeconds: 3600,
        urgency: 'high',
      });
      expect(text).not.toContain(keys.auth);
    });

    it("reads a national test number in the sandbox's SMS region and sends it in E.164", async () => {
      const sandbox = 'test-send-region';
      await h.api
        .put('/settings')
        .set('x-sandbox-name', sandbox)
        .send({ sms: { defaultRegion: 'FR' } })
        .expect(200);
      const campaign = await h.api
        .post('/campaigns')
        .set('x-sandbox-name', sandbox)
        .send(smsCampaign())
        .expect(201);
      const sms = await h.api
        .post(`/campaigns/${campaign.body.id}/test-send`)
        .set('x-sandbox-name', sandbox)
        .send({ recipients: [{ address: '06 12 34 56 78', context: { code: '000222' } }] })
        .expect(200);
      expect(sms.body.results[0].address).toBe('+33612345678');
      const smsFile = JSON.parse(readFileSync(outbox('sms', `${sms.body.executionId}-r0.json`), 'utf8'));
      expect(smsFile).toMatchObject({ channel: 'sms', to: '+33612345678' });
    });

    it('sends nothing when one recipient is invalid, and lists every invalid one', async () => {
      const res = await h.api
        .post(`/campaigns/${smsId}/test-send`)
        .send({
          recipients: [
            { address: '+33612345678', context: { code: '123456' } },
            { address: '0612345678' },
            { address: '+33612345679', context: { code: 'x' } },
          ],
        })
        .expect(400);
      expect(res.body).toMatchObject({
        code: 'invalid-recipients',
        errors: [
          { recipientIndex: 1, path: '/recipients/1/address', code: 'invalid-address' },
          { recipientIndex: 2, path: '/recipients/2/context/code', code: 'pattern' },
        ],
      });
      const push = await h.api
        .post(`/campaigns/${pushId}/test-send`)
        .send({ recipients: [{ address: { endpoint: 'https://10.0.0.1/x', keys: pushKeys() } }] })
        .expect(400);
      expect(push.body.errors[0]).toMatchObject({
        path: '/recipients/0/address/endpoint',
        code: 'private-address',
      });
    });

    it('takes at most ten recipients', async () => {
      const recipients = Array.from({ length: 11 }, () => ({ address: 'qa@example.com' }));
      const res = await h.api.post(`/campaigns/${emailId}/test-send`).send({ recipients }).expect(400);
      expect(res.body.errors[0]).toMatchObject({ path: '/recipients', code: 'maxItems' });
    });
  });

  describe('curl', () => {
    it('gives a trigger call that the execution API accepts as it is', async () => {
      const res = await h.api
        .get(`/campaigns/${smsId}/curl`)
        .set('host', 'herald.example.com:8080')
        .expect(200);
      expect(res.body.json).toMatchObject({
        campaignId: smsId,
        recipients: [
          { type: 'aep', namespace: 'phone', userId: '+33612345678', context: { code: '111111' } },
        ],
      });
      expect(res.body.curl).toContain("curl -X POST 'http://herald.example.com:8080/im/executions/unitary'");
      expect(res.body.curl).toContain('-H "authorization: Bearer $HERALD_API_KEY"');
      expect(res.body.curl).toContain("-H 'x-sandbox-name: prod'");

      const live = (await h.api.get(`/campaigns/${emailId}/curl`).expect(200)).body.json;
      await h.api.post(`/campaigns/${emailId}/activate`).expect(200);
      await h.api.post('/im/executions/unitary').send(live).expect(202);
    });
  });

  it('needs the manage role', async () => {
    const asExecute = (req: request.Test) => req.set('authorization', `Bearer ${executeKey}`);
    await asExecute(request(h.runtime.app).post(`/campaigns/${smsId}/preview`).send({})).expect(403);
    await asExecute(
      request(h.runtime.app).post(`/campaigns/${smsId}/test-send`).send({ recipients: [] }),
    ).expect(403);
    await asExecute(request(h.runtime.app).get(`/campaigns/${smsId}/curl`)).expect(403);
    await request(h.runtime.app).get(`/campaigns/${smsId}/curl`).expect(401);
  });
});
