import { ValidationError } from '@herald/errors';
import { createAjv, toFieldErrors } from '../validation/ajv';
import { previewCampaign, type CampaignPreview } from './campaign-preview';
import {
  previewSchema,
  testSendSchema,
  type PreviewRequest,
  type TestSendRequest,
} from './campaign-tools.schema';
import { testSendCampaign, type TestSendDeps, type TestSendResult } from './test-send';
import { triggerSample, type TriggerSample } from './trigger-sample';

/**
 * Author tools on one campaign: preview, test-send and a sample trigger call. `held` is the
 * caller's campaign access labels: a campaign whose labels it lacks is not found.
 */
export class CampaignToolsService {
  private readonly ajv = createAjv();
  private readonly validatePreview = this.ajv.compile<PreviewRequest>(previewSchema);
  private readonly validateTestSend = this.ajv.compile<TestSendRequest>(testSendSchema);

  /** `adapter` is where test messages go: the channel adapter the workers deliver through. */
  constructor(private readonly deps: TestSendDeps) {}

  /** Throws ValidationError `invalid-request` for a body that is not a preview request. */
  async preview(
    sandbox: string,
    campaignId: string,
    body: unknown,
    held: readonly string[],
  ): Promise<CampaignPreview> {
    if (!this.validatePreview(body)) throw invalidBody(this.validatePreview.errors);
    return previewCampaign(this.deps, sandbox, campaignId, body, held);
  }

  /** Throws ValidationError `invalid-request` for a body that is not a test-send request. */
  async testSend(
    sandbox: string,
    campaignId: string,
    body: unknown,
    held: readonly string[],
  ): Promise<TestSendResult> {
    if (!this.validateTestSend(body)) throw invalidBody(this.validateTestSend.errors);
    return testSendCampaign(this.deps, sandbox, campaignId, body, held);
  }

  /** A ready trigger call addressed to `baseUrl`. */
  async triggerSample(
    sandbox: string,
    campaignId: string,
    baseUrl: string,
    held: readonly string[],
  ): Promise<TriggerSample> {
    return triggerSample(this.deps.store, sandbox, campaignId, baseUrl, held);
  }
}

function invalidBody(errors: Parameters<typeof toFieldErrors>[0]): ValidationError {
  return new ValidationError('invalid-request', 'The request body is invalid.', toFieldErrors(errors));
}
