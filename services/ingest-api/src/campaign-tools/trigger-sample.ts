import type { Campaign, Recipient, UnitaryExecutionRequest } from '@herald/contracts';
import { newId } from '@herald/contracts';
import { NotFoundError } from '@herald/errors';
import type { Store } from '@herald/store';
import { visibleCampaign } from '../auth/campaign-access';
import { sampleContext } from './tool-inputs';

export interface TriggerSample {
  /** Body of `POST /im/executions/unitary`, with a fresh `requestId`. */
  json: UnitaryExecutionRequest;
  /** The same call as a shell command; the key is read from `$HERALD_API_KEY`. */
  curl: string;
}

/** Sample ids that resolve to an address in the namespaces the worker reads addresses from. */
const SAMPLE_USER_IDS: Record<string, string> = {
  email: 'jane.doe@example.com',
  phone: '+33612345678',
};

/**
 * `GET /campaigns/{id}/curl`: a ready trigger call for the live version (the newest one while
 * the campaign was never activated), its context filled with sample values from the schema.
 */
export async function triggerSample(
  store: Store,
  sandbox: string,
  campaignId: string,
  baseUrl: string,
  held: readonly string[],
): Promise<TriggerSample> {
  const campaign = visibleCampaign(held, await store.campaigns.get(sandbox, campaignId));
  if (!campaign) {
    throw new NotFoundError(
      'campaign-not-found',
      `campaign ${campaignId} does not exist in sandbox ${sandbox}`,
    );
  }
  const version = await store.campaigns.getVersion(sandbox, campaignId, sampledVersion(campaign));
  if (!version)
    throw new NotFoundError(
      'campaign-version-not-found',
      `campaign ${campaignId} has no version ${sampledVersion(campaign)}`,
    );
  const namespace = version.definition.identityNamespace;
  const recipient: Recipient = {
    type: 'aep',
    namespace,
    userId: SAMPLE_USER_IDS[namespace.toLowerCase()] ?? 'sample-user-id',
    context: sampleContext(version),
  };
  const json: UnitaryExecutionRequest = {
    requestId: newId(),
    campaignId,
    recipients: [recipient],
  };
  const curl = [
    `curl -X POST ${shellQuote(`${baseUrl}/im/executions/unitary`)}`,
    `  -H "authorization: Bearer $HERALD_API_KEY"`,
    `  -H 'content-type: application/json'`,
    `  -H ${shellQuote(`x-sandbox-name: ${sandbox}`)}`,
    `  --data-raw ${shellQuote(JSON.stringify(json, null, 2))}`,
  ].join(' \\\n');
  return { json, curl };
}

function sampledVersion(campaign: Campaign): number {
  return campaign.liveVersion ?? campaign.latestVersion;
}

/** Single-quoted for POSIX shells: nothing inside is expanded. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
