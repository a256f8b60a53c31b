import { readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { CampaignDefinition, Delivery } from '@herald/contracts';
import { pushCampaignFixture, pushSubscriptionKeys, waitFor } from '@herald/testing';
import { postJson, startHeraldSystem, type HeraldSystem } from '../support/herald-processes';
import { AjoClient, heraldBaseUrl, loadAjoDocument, type AjoAnswer } from './ajo-openapi-client';

/**
 * Herald tried as an AJO integrator would: a client built at run time from AJO's published API
 * definition (fixtures/messaging.yaml) sends AJO's published sample payloads
 * (fixtures/messaging-samples.json) and AJO-shaped calls; every answer is checked against AJO's
 * response schema for its status, and every message against what the outbox wrote.
 *
 * The samples' `campaignId` names a campaign of the test and their `requestId` is made unique:
 * AJO's page reuses one value for different bodies, which Herald's idempotency answers with 409.
 */

interface Sample {
  id: string;
  operationId: string;
  payload: Record<string, unknown>;
}

const SAMPLES = (
  JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'messaging-samples.json'), 'utf8')) as {
    examples: Sample[];
  }
).examples;

function sample(id: string, campaignId: string, requestId: string): Record<string, unknown> {
  const found = SAMPLES.find((s) => s.id === id);
  if (!found) throw new Error(`no AJO sample ${id}`);
  return { ...structuredClone(found.payload), campaignId, requestId };
}

/** The context every sample sends: `product.name`, `product.category`, `offerCode`. */
const sampleContextSchema = {
  type: 'object',
  required: ['product', 'offerCode'],
  properties: {
    product: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' }, category: { type: 'string' } },
    },
    offerCode: { type: 'string' },
  },
};

function emailCampaign(overrides: Partial<CampaignDefinition> = {}): CampaignDefinition {
  return {
    name: 'AJO sample e-mail',
    type: 'transactional',
    channel: 'email',
    channelConfig: { email: { fromAddress: 'shop@example.com', fromName: 'Shop' } },
    content: {
      defaultLocale: 'en',
      locales: {
        en: {
          subject: '{{ profile.person.name.firstName | default: "Hello" }}: {{ context.product.name }}',
          text: 'Use {{ context.offerCode }} on {{ context.product.category }}',
        },
      },
    },
    contextSchema: sampleContextSchema,
    identityNamespace: 'email',
    createProfiles: true,
    ...overrides,
  };
}

function smsCampaign(defaultRegion: string): CampaignDefinition {
  return {
    name: `AJO sample SMS (${defaultRegion})`,
    type: 'transactional',
    channel: 'sms',
    channelConfig: { sms: { sender: 'Shop', defaultRegion } },
    content: {
      defaultLocale: 'en',
      locales: { en: { body: 'Hi, {{ context.offerCode | default: "welcome" }}' } },
    },
    contextSchema: { type: 'object' },
    identityNamespace: 'phone',
    createProfiles: true,
  };
}

const PUSH_APP = 'com.example.shop';

const pushCampaign: CampaignDefinition = {
  name: 'AJO sample push',
  type: 'transactional',
  channel: 'push',
  channelConfig: { push: { appId: PUSH_APP, urgency: 'high' } },
  content: { defaultLocale: 'en', locales: { en: { title: 'Shop', body: 'Your parcel is on its way' } } },
  contextSchema: { type: 'object' },
  identityNamespace: 'ecid',
  createProfiles: true,
};

/** How a path authenticates: the headers AJO's document asks for, with Herald's values. */
type Credentials = () => Record<string, string>;

interface Path {
  name: string;
  /** Requests go to `/ajo/im/...` (AJO's server path kept) or `/im/...`. */
  keepServerPath: boolean;
  credentials(apiUrl: string): Promise<Credentials>;
}

const SANDBOX = 'prod';

async function adminPost(url: string, body: unknown): Promise<Record<string, unknown>> {
  const answer = await postJson(url, body);
  if (answer.status !== 201) throw new Error(`${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** AJO's flow: a credential from an admin, an IMS access token for it, then the three headers. */
async function imsCredentials(apiUrl: string): Promise<Credentials> {
  const credential = await adminPost(`${apiUrl}/api-credentials`, {
    name: 'AJO client',
    roles: ['execute'],
    sandboxes: [SANDBOX],
  });
  const tokenAnswer = await fetch(`${apiUrl}/ims/token/v3`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: String(credential.clientId),
      client_secret: String(credential.clientSecret),
      scope: 'openid,AdobeID,read_organizations',
    }),
  });
  const token = (await tokenAnswer.json()) as Record<string, unknown>;
  expect({ status: tokenAnswer.status, tokenType: token.token_type }).toEqual({
    status: 200,
    tokenType: 'bearer',
  });
  return () => ({
    authorization: `Bearer ${String(token.access_token)}`,
    'x-api-key': String(credential.clientId),
    'x-gw-ims-org-id': String(credential.orgId),
    'x-sandbox-name': SANDBOX,
  });
}

/** A Herald API key where an AJO client puts its token and its client id. */
async function heraldKeyCredentials(apiUrl: string): Promise<Credentials> {
  const key = await adminPost(`${apiUrl}/api-keys`, {
    name: 'AJO client',
    roles: ['execute'],
    sandboxes: [SANDBOX],
  });
  return () => ({
    authorization: `Bearer ${String(key.key)}`,
    'x-api-key': String(key.key),
    'x-gw-ims-org-id': 'HERALD@AdobeOrg',
    'x-sandbox-name': SANDBOX,
  });
}

const PATHS: readonly Path[] = [
  {
    name: "AJO's paths (/ajo/im/...) with an IMS-style access token",
    keepServerPath: true,
    credentials: imsCredentials,
  },
  {
    name: "Herald's paths (/im/...) with a Herald API key",
    keepServerPath: false,
    credentials: heraldKeyCredentials,
  },
];

const document = loadAjoDocument();
let system: HeraldSystem;

beforeAll(async () => {
  // A signing key turns on `POST /ims/token/v3`.
  system = await startHeraldSystem('ajo-compat', {
    TOKEN_SIGNING_KEYS: 'ajo-compat-signing-key-0123456789abcdef',
  });
});
afterAll(async () => system?.stop());

/** The answer, after checking its status and body against AJO's schema for that status. */
function expectAjoAnswer(operationId: string, answer: AjoAnswer, status: number): Record<string, unknown> {
  if (answer.status !== status) {
    throw new Error(
      `${operationId}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`,
    );
  }
  expect(document.validateResponse(operationId, answer.status, answer.body)).toBeUndefined();
  return answer.body as Record<string, unknown>;
}

/** The execution's deliveries once each is sent (none still queued, none excluded or failed). */
async function sentDeliveries(executionId: string, count: number): Promise<Delivery[]> {
  return waitFor(
    async () => {
      const page = await system.store.deliveries.listByExecution(SANDBOX, executionId);
      const failed = page.items.find((d) => d.status === 'failed' || d.status === 'excluded');
      if (failed)
        throw new Error(`delivery ${failed.id} ${failed.status}: ${failed.reason ?? failed.lastError}`);
      return page.items.length === count && page.items.every((d) => d.status === 'sent')
        ? page.items
        : undefined;
    },
    { timeoutMs: 20_000, description: `${count} sent deliveries of ${executionId}` },
  );
}

const outboxFile = (channel: string, deliveryId: string, extension: string) =>
  path.join(system.dir.path, 'outbox', channel, `${deliveryId}.${extension}`);

async function outboxEmails(executionId: string, count: number) {
  const deliveries = await sentDeliveries(executionId, count);
  return Promise.all(
    deliveries.map(async (d) => {
      const mail = await simpleParser(readFileSync(outboxFile('email', d.id, 'eml')));
      return {
        to: mail.to && !Array.isArray(mail.to) ? mail.to.text : '',
        subject: mail.subject,
        text: mail.text?.trim(),
      };
    }),
  );
}

async function outboxJson(
  channel: string,
  executionId: string,
  count: number,
): Promise<Record<string, unknown>[]> {
  const deliveries = await sentDeliveries(executionId, count);
  return deliveries.map(
    (d) => JSON.parse(readFileSync(outboxFile(channel, d.id, 'json'), 'utf8')) as Record<string, unknown>,
  );
}

describe.each(PATHS)('AJO compatibility through $name', (route) => {
  let client: AjoClient;
  const campaigns: Record<string, string> = {};
  let requestCount = 0;
  const requestId = () => `ajo-compat-${route.keepServerPath ? 'ajo' : 'im'}-${++requestCount}`;
  /** The audience members of this path's marketing campaign. */
  const members = [1, 2].map((n) => `member-${n}-${route.keepServerPath ? 'ajo' : 'im'}@example.com`);
  let scheduleId = '';

  const createCampaign = async (definition: CampaignDefinition): Promise<string> => {
    const created = await adminPost(`${system.apiUrl}/campaigns`, definition);
    const activated = await postJson(`${system.apiUrl}/campaigns/${String(created.id)}/activate`);
    if (activated.status !== 200) throw new Error(`activate: ${JSON.stringify(activated.body)}`);
    return String(created.id);
  };

  beforeAll(async () => {
    client = new AjoClient(
      document,
      heraldBaseUrl(document, system.apiUrl, route.keepServerPath),
      await route.credentials(system.apiUrl),
    );
    for (const email of members) {
      // Marketing is opt-in: audience members need consent for the channel.
      await adminPost(`${system.apiUrl}/profiles`, {
        identities: [{ namespace: 'email', id: email }],
        consents: { marketing: { email: 'y' } },
      });
    }
    const audience = await adminPost(`${system.apiUrl}/audiences`, {
      name: `AJO members ${route.name}`,
      kind: 'static',
      identities: members.map((id) => ({ namespace: 'email', id })),
    });
    campaigns.email = await createCampaign(emailCampaign());
    campaigns.audience = await createCampaign(
      emailCampaign({ type: 'marketing', audience: { id: String(audience.id) } }),
    );
    campaigns.smsUs = await createCampaign(smsCampaign('US'));
    campaigns.smsTw = await createCampaign(smsCampaign('TW'));
    campaigns.push = await createCampaign(pushCampaign);
    campaigns.webPush = await createCampaign({ ...pushCampaignFixture, createProfiles: true });
  });

  const unitary = async (body: Record<string, unknown>): Promise<string> => {
    const answer = await client.call('postIMUnitaryMessageExecution', { body });
    const accepted = expectAjoAnswer('postIMUnitaryMessageExecution', answer, 202);
    expect(accepted).toMatchObject({ requestId: body.requestId });
    return String(accepted.executionId);
  };

  it('sends an SMS to a profile found by its national phone number (AJO sample 1)', async () => {
    const executionId = await unitary(sample('sms-existing-profile', campaigns.smsUs!, requestId()));
    const [sms] = await outboxJson('sms', executionId, 1);
    expect(sms).toMatchObject({ channel: 'sms', to: '+11234567890', from: 'Shop' });
  });

  it('sends SMS with context to numbers given in channelData, read in the campaign region (AJO sample 2)', async () => {
    const executionId = await unitary(sample('sms-context-phone-override', campaigns.smsTw!, requestId()));
    const messages = await outboxJson('sms', executionId, 2);
    expect(messages.map((m) => m.to)).toEqual(['+8861234567890', '+886921234567']);
    expect(messages.map((m) => m.body)).toEqual(['Hi, THANKSGIVING', 'Hi, THANKSGIVING']);
  });

  it('sends an e-mail with context and inline profile attributes (AJO sample 4)', async () => {
    const executionId = await unitary(sample('email-context-profile', campaigns.email!, requestId()));
    expect(await outboxEmails(executionId, 1)).toEqual([
      { to: 'test@gmail.com', subject: 'John: Jackets', text: 'Use THANKSGIVING on Clothes' },
    ]);
  });

  it('sends an e-mail to the address given in channelData (AJO sample 5)', async () => {
    const executionId = await unitary(
      sample('email-context-profile-address-override', campaigns.email!, requestId()),
    );
    expect(await outboxEmails(executionId, 1)).toEqual([
      { to: 'test123@gmail.com', subject: 'John: Jackets', text: 'Use THANKSGIVING on Clothes' },
    ]);
  });

  it('accepts a merge policy and sends to the channelData address (AJO sample 6)', async () => {
    const payload = sample('email-merge-policy', campaigns.email!, requestId());
    // The sample sends no context; the campaign's context schema asks for the samples' context.
    const [recipient] = payload.recipients as Record<string, unknown>[];
    recipient!.context = { product: { name: 'Jackets' }, offerCode: 'MERGE' };
    const executionId = await unitary(payload);
    const [mail] = await outboxEmails(executionId, 1);
    expect(mail).toMatchObject({ to: 'test123@gmail.com', text: 'Use MERGE on' });
  });

  it('sends a mobile push to the FCM and APNs devices given in pushInfo (AJO sample 3)', async () => {
    const payload = sample('push-existing-profile', campaigns.push!, requestId());
    const [shape] = payload.recipients as Record<string, unknown>[];
    const devices = [
      { appID: PUSH_APP, platform: 'fcm', token: 'fcm-registration-token-1' },
      { appID: PUSH_APP, platform: 'apns', token: 'a'.repeat(64) },
    ];
    payload.recipients = devices.map((pushInfo, index) => ({
      ...shape,
      userId: `${String(shape!.userId)}${index}`,
      channelData: { pushInfo },
    }));
    const executionId = await unitary(payload);
    const messages = await outboxJson('push', executionId, 2);
    expect(messages.map((m) => m.device)).toEqual(
      devices.map((d) => ({ platform: d.platform, appId: d.appID, token: d.token })),
    );
  });

  it("sends a web push to the browser subscription given in pushInfo (Herald's extension)", async () => {
    const endpoint = `https://push.example.com/send/${requestCount}`;
    const executionId = await unitary({
      requestId: requestId(),
      campaignId: campaigns.webPush,
      recipients: [
        {
          type: 'external',
          namespace: 'email',
          userId: 'browser@example.com',
          channelData: { pushInfo: { endpoint, keys: pushSubscriptionKeys() } },
          context: { orderId: 'P-7' },
        },
      ],
    });
    const [push] = await outboxJson('push', executionId, 1);
    expect(push).toMatchObject({ subscription: { endpoint }, payload: { title: 'Order P-7 shipped' } });
  });

  it('sends high-throughput e-mails to external recipients', async () => {
    const context = { product: { name: 'Jackets', category: 'Clothes' }, offerCode: 'FAST' };
    const body = {
      requestId: requestId(),
      campaignId: campaigns.email,
      recipients: ['fast-1@example.com', 'fast-2@example.com'].map((userId) => ({
        type: 'external',
        namespace: 'email',
        userId,
        context,
      })),
    };
    const answer = await client.call('postIMUnitaryHAMessageExecution', { body });
    const accepted = expectAjoAnswer('postIMUnitaryHAMessageExecution', answer, 202);
    const mails = await outboxEmails(String(accepted.executionId), 2);
    expect(mails.map((m) => m.to)).toEqual(['fast-1@example.com', 'fast-2@example.com']);
  });

  it('sends to an audience now and reports the execution as AJO does (AJO sample 7)', async () => {
    const body = { ...sample('audience-context', campaigns.audience!, requestId()) };
    const answer = await client.call('postIMAudienceMessageExecution', { body });
    const executionId = String(expectAjoAnswer('postIMAudienceMessageExecution', answer, 202).executionId);
    const mails = await outboxEmails(executionId, 2);
    expect(mails.map((m) => m.to).sort()).toEqual(members);
    const status = await client.call('getBatchExecutionStatusByExecutionId', {
      pathParameters: { executionId },
    });
    expect(expectAjoAnswer('getBatchExecutionStatusByExecutionId', status, 200)).toMatchObject({
      executionId,
      campaignId: campaigns.audience,
      status: 'Succeeded',
      targetedProfileCount: 2,
    });
  });

  it('schedules an audience execution and reports its schedule', async () => {
    const executeAt = new Date(Date.now() + 3_600_000).toISOString();
    const body = {
      ...sample('audience-context', campaigns.audience!, requestId()),
      schedule: { executeAt },
    };
    const answer = await client.call('postIMAudienceMessageExecution', { body });
    const scheduled = expectAjoAnswer('postIMAudienceMessageExecution', answer, 202);
    expect(scheduled).toMatchObject({ campaignId: campaigns.audience, scheduleStatus: 'Scheduled' });
    scheduleId = String(scheduled.scheduleId);
    const status = await client.call('getBatchExecutionStatusByScheduleId', {
      pathParameters: { scheduleId },
    });
    expect(expectAjoAnswer('getBatchExecutionStatusByScheduleId', status, 200)).toMatchObject({
      scheduleId,
      scheduleStatus: 'Scheduled',
      executeAt,
    });
  });

  it('deletes the schedule with 200 {}', async () => {
    const answer = await client.call('deleteScheduledExecution', { pathParameters: { scheduleId } });
    expect(expectAjoAnswer('deleteScheduledExecution', answer, 200)).toEqual({});
    const after = await client.call('getBatchExecutionStatusByScheduleId', {
      pathParameters: { scheduleId },
    });
    expectAjoAnswer('getBatchExecutionStatusByScheduleId', after, 404);
  });

  it("answers an unknown execution with 404 and AJO's error report", async () => {
    const answer = await client.call('getBatchExecutionStatusByExecutionId', {
      pathParameters: { executionId: 'no-such-execution' },
    });
    const error = expectAjoAnswer('getBatchExecutionStatusByExecutionId', answer, 404);
    expect(error).toMatchObject({ status: 404, report: { additionalContext: expect.any(Object) } });
  });
});
