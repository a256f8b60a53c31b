import { orderShippedCampaign } from '@herald/testing';
import type { ApiHarness } from '../api-harness.fixture';
import { createLiveCampaign, twoRecipientCall } from '../trigger-setup.fixture';
import type { KnownValues } from './fuzz-request';
import { RawJson, type FuzzValue } from './json-text';
import type { FuzzOperation } from './openapi-operations';

/** The ids of resources created before the fuzz, so that some requests reach existing things. */
export interface SeededResources {
  campaignId: string;
  executionId: string;
  profileId: string;
  audienceId: string;
  webhookId: string;
  suppression: { channel: string; address: string };
  credential: { clientId: string; clientSecret: string };
}

type Examples = (name: string) => FuzzValue | undefined;

async function created(
  h: ApiHarness,
  path: string,
  body: FuzzValue | undefined,
): Promise<Record<string, unknown>> {
  const answer = await h.api.post(path).send(body as object);
  if (answer.status !== 201 && answer.status !== 202) {
    throw new Error(`seeding POST ${path} answered ${answer.status}: ${answer.text}`);
  }
  return answer.body as Record<string, unknown>;
}

/** Creates one of each resource through the API, from the document's own examples where it has one. */
export async function seedResources(h: ApiHarness, example: Examples): Promise<SeededResources> {
  const campaignId = await createLiveCampaign(h, orderShippedCampaign());
  const execution = await created(h, '/im/executions/unitary', twoRecipientCall(campaignId, 'fuzz-seed'));
  const suppression = example('POST /suppressions') as { channel: string; address: string };
  await created(h, '/suppressions', suppression);
  const credential = await created(h, '/api-credentials', example('POST /api-credentials'));
  return {
    campaignId,
    executionId: String(execution.executionId),
    profileId: String((await created(h, '/profiles', example('POST /profiles'))).id),
    audienceId: String((await created(h, '/audiences', example('POST /audiences'))).id),
    webhookId: String((await created(h, '/webhooks', example('POST /webhooks'))).id),
    suppression,
    credential: { clientId: String(credential.clientId), clientSecret: String(credential.clientSecret) },
  };
}

/** `value` with every `campaignId`, `executionId` and `audience.id` pointed at the seeded ones. */
function aimedAtSeeds(value: FuzzValue, seeds: SeededResources): FuzzValue {
  if (Array.isArray(value)) return value.map((item) => aimedAtSeeds(item, seeds));
  if (value === null || typeof value !== 'object' || value instanceof RawJson) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, FuzzValue>).map(([key, member]): [string, FuzzValue] => {
      if (key === 'campaignId' && typeof member === 'string') return [key, seeds.campaignId];
      if (key === 'executionId' && typeof member === 'string') return [key, seeds.executionId];
      if (key === 'audience' && member !== null && typeof member === 'object') {
        return [key, { ...(member as Record<string, FuzzValue>), id: seeds.audienceId }];
      }
      return [key, aimedAtSeeds(member, seeds)];
    }),
  );
}

/** Path parameters that name a seeded resource, by the path they appear under. */
function seededPathValues(seeds: SeededResources): Array<{ under: string; name: string; values: string[] }> {
  return [
    { under: '/campaigns/', name: 'id', values: [seeds.campaignId] },
    { under: '/campaigns/', name: 'campaignId', values: [seeds.campaignId] },
    { under: '/campaigns/', name: 'version', values: ['1'] },
    { under: '/executions/', name: 'executionId', values: [seeds.executionId] },
    { under: '/profiles/', name: 'id', values: [seeds.profileId] },
    { under: '/audiences/', name: 'id', values: [seeds.audienceId] },
    { under: '/webhooks/', name: 'id', values: [seeds.webhookId] },
    { under: '/suppressions/', name: 'channel', values: [seeds.suppression.channel] },
    { under: '/suppressions/', name: 'address', values: [seeds.suppression.address] },
  ];
}

/** What the fuzz aims at: the seeded ids in paths, and the examples pointed at the seeds. */
export function knownValues(
  seeds: SeededResources,
  example: Examples,
  sign: KnownValues['sign'],
): KnownValues {
  const paths = seededPathValues(seeds);
  return {
    sign,
    pathValues: (template, name) =>
      paths
        .filter((known) => template.startsWith(known.under) && known.name === name)
        .flatMap((known) => known.values),
    bodies: (operation: FuzzOperation) => {
      const documented = example(operation.name);
      const bodies = documented === undefined ? [] : [documented, aimedAtSeeds(documented, seeds)];
      if (operation.template.endsWith('/ims/token/v3')) {
        bodies.push({
          grant_type: 'client_credentials',
          client_id: seeds.credential.clientId,
          client_secret: seeds.credential.clientSecret,
          scope: 'openid,AdobeID',
        });
      }
      return bodies;
    },
  };
}
