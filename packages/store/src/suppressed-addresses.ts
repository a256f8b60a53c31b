import type { CampaignDefinition, Channel } from '@herald/contracts';
import type { Store, Suppression, SuppressionReason } from './ports';

/**
 * The addresses of a message that are on the sandbox's suppression list for the campaign.
 * Transactional messages (receipts, password resets) still reach people who reported marketing
 * as spam; every other reason (bounces, manual) applies to every campaign. The worker and the
 * dry run both decide here, so a dry run shows what a send would do.
 */
export async function suppressedAddresses(
  store: Pick<Store, 'suppressions'>,
  sandbox: string,
  definition: Pick<CampaignDefinition, 'type' | 'channel'>,
  addresses: readonly string[],
): Promise<Set<string>> {
  const suppressed = new Set<string>();
  for (const address of addresses) {
    const entry = await store.suppressions.find(
      sandbox,
      definition.channel,
      normaliseAddress(definition.channel, address),
    );
    if (entry && applies(entry, definition.type)) suppressed.add(address);
  }
  return suppressed;
}

/** The reasons that stop marketing only: they give way to any other, which stops transactional too. */
export const SPARES_TRANSACTIONAL: readonly SuppressionReason[] = ['spam-complaint', 'unsubscribed'];

export function sparesTransactional(reason: SuppressionReason): boolean {
  return SPARES_TRANSACTIONAL.includes(reason);
}

function applies(entry: Suppression, type: CampaignDefinition['type']): boolean {
  return type === 'marketing' || !sparesTransactional(entry.reason);
}

/**
 * An address as the suppression list stores and compares it: e-mail addresses lower-cased (they
 * compare case-insensitively in practice), phone numbers and push endpoints as given.
 */
export function normaliseAddress(channel: Channel, address: string): string {
  return channel === 'email' ? address.toLowerCase() : address;
}
