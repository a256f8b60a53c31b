import type { ChannelAdapter } from '@herald/channels';
import type { CampaignVersions, Store } from '@herald/store';
import type { Logger } from '@herald/logger';
import type { DeliveryCounters } from '@herald/queues';
import type { TemplateEngine } from '@herald/templating';
import type { DeliveryRecorder } from './delivery-recorder';
import type { EmailTracking } from './email-tracking';
import type { ExecutionContexts } from './execution-contexts';
import type { ProfileCreator } from './profile-creator';
import type { SmsTracking } from './sms-tracking';
import type { DeliveryPolicy } from './policy/delivery-policy';
import type { CampaignThrottle } from './policy/campaign-throttle';

/** Everything one channel's delivery processor needs, wired by the composition root. */
export interface DeliveryDeps {
  store: Store;
  campaigns: CampaignVersions;
  templates: TemplateEngine;
  adapter: ChannelAdapter;
  recorder: DeliveryRecorder;
  emailTracking: EmailTracking;
  executionContexts: ExecutionContexts;
  smsTracking: SmsTracking;
  profileCreator: ProfileCreator;
  counters: DeliveryCounters;
  policy: DeliveryPolicy;
  throttle: CampaignThrottle;
  logger: Logger;
}
