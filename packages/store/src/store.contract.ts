import type { Store } from './ports';
import { describeAccessLabelsContract } from './contract/access-labels.contract';
import { describeApiCredentialContract } from './contract/api-credential.contract';
import { describeCampaignContract } from './contract/campaign.contract';
import { describeCampaignLifecycleContract } from './contract/campaign-lifecycle.contract';
import { describeDeliveryFeedbackContract } from './contract/delivery-feedback.contract';
import { describeDeliveryTrackingContract } from './contract/delivery-tracking.contract';
import { describeEngagementContract } from './contract/engagement.contract';
import { describeExecutionContract } from './contract/execution.contract';
import { describeProfileContract } from './contract/profile.contract';
import { describeProfileUpsertContract } from './contract/profile-upsert.contract';
import { describePushTokenContract } from './contract/push-token.contract';
import { describeRegistryContract } from './contract/registry.contract';
import { describeSettingsContract } from './contract/settings.contract';
import { describeTrackerPagesContract } from './contract/tracker-pages.contract';
import { describeWebhookContract } from './contract/webhook.contract';

/**
 * The behaviours every store adapter must show. Each test works in a sandbox of its own, so the
 * suite can run against a shared database that already holds data.
 */
export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;

    beforeAll(async () => {
      store = await open();
    });

    afterAll(async () => {
      await store?.close();
    });

    test('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describeCampaignContract(() => store);
    describeCampaignLifecycleContract(() => store);
    describeProfileContract(() => store);
    describeProfileUpsertContract(() => store);
    describePushTokenContract(() => store);
    describeExecutionContract(() => store);
    describeRegistryContract(() => store);
    describeDeliveryTrackingContract(() => store);
    describeDeliveryFeedbackContract(() => store);
    describeSettingsContract(() => store);
    describeApiCredentialContract(() => store);
    describeAccessLabelsContract(() => store);
    describeWebhookContract(() => store);
    describeEngagementContract(() => store);
    describeTrackerPagesContract(() => store);
  });
}
