import type { Campaign, CampaignVersion, Channel, UnitaryExecutionRequest } from '@herald/contracts';
import { ValidationError, type FieldError } from '@herald/errors';
import type { Logger } from '@herald/logger';
import type { DeliveryQueue } from '@herald/queues';
import type { CampaignVersions, Store } from '@herald/store';
import type { TemplateEngine } from '@herald/templating';
import type { Correlation } from '../http/correlation';
import type { QueueBackpressure } from '../limits/queue-backpressure';
import type { ContextValidators } from './context-validators';
import { TriggerRequestParser } from './trigger-request';
import { dryRunRecipients, type DryRunResult } from './dry-run';
import { enqueueRecipients } from './enqueue-recipients';
import type { ExecutionAccepted } from './execution-accepted';
import type { IdempotencyGuard } from './idempotency';
import { liveTransactionalCampaign } from './live-campaign';
import { duplicateRecipientProblems, recipientProblems } from './recipient-checks';

export interface UnitaryExecutionLimits {
  maxRecipients: number;
  maxContextBytes: number;
}

export type { ExecutionAccepted } from './execution-accepted';

export interface UnitaryExecutionDeps {
  /** Refuses calls while the channel's queue is deeper than the configured bound. */
  backpressure: QueueBackpressure;
  store: Store;
  /** Live campaign versions, cached: they never change. */
  versions: CampaignVersions;
  /** One delivery queue per channel: a job goes to the queue of its campaign's channel. */
  queues: Record<Channel, DeliveryQueue>;
  /** Accept push endpoints on loopback and private networks in `channelData.pushInfo`. */
  allowPrivatePushEndpoints: boolean;
  contextValidators: ContextValidators;
  limits: UnitaryExecutionLimits;
  idempotency: IdempotencyGuard;
  /** Renders dry-run messages exactly as the worker will. */
  templates: TemplateEngine;
  logger: Logger;
}

interface ValidatedCall {
  request: UnitaryExecutionRequest;
  campaign: Campaign;
  version: CampaignVersion;
}

/**
 * `POST /im/executions/unitary`: validates the whole call, records the execution, queues one
 * job per recipient and answers only once Redis holds every job. All or nothing: one bad
 * recipient rejects the call and nothing is queued. `requestId` is an idempotency key: a repeated
 * call answers the first answer and never queues a recipient twice.
 */
export class UnitaryExecutionService {
  private readonly parser: TriggerRequestParser;

  constructor(private readonly deps: UnitaryExecutionDeps) {
    this.parser = new TriggerRequestParser(deps.limits.maxRecipients);
  }

  /** `createdBy` names the caller (its API key id) in the execution record and the answer. */
  async execute(
    sandbox: string,
    body: unknown,
    /** `bodyFingerprint` of the body as sent: what its `requestId` is bound to. */
    fingerprint: string,
    createdBy: string,
    correlation?: Correlation,
  ): Promise<ExecutionAccepted> {
    const { request, campaign, version } = await this.validated(sandbox, body);
    const { idempotency, logger } = this.deps;
    const outcome = await idempotency.begin(sandbox, request.requestId, fingerprint);
    // Answers left in the guard by earlier Herald versions for this body are trigger-call answers.
    if (outcome.kind === 'replay') return outcome.response as ExecutionAccepted;
    await this.deps.backpressure.assertQueueHasRoom(version.definition.channel);
    const { store } = this.deps;
    return enqueueRecipients({
      store,
      logger,
      queue: this.deps.queues[version.definition.channel],
      claim: outcome,
      execution: {
        sandbox,
        kind: 'unitary',
        campaignId: campaign.id,
        campaignVersion: version.version,
        requestId: request.requestId,
        recipientCount: request.recipients.length,
        createdBy,
      },
      version,
      recipients: request.recipients,
      correlation,
    });
  }

  /** What the call would send to each recipient; queues, creates and records nothing. */
  async dryRun(sandbox: string, body: unknown): Promise<DryRunResult> {
    const { request, version } = await this.validated(sandbox, body);
    return dryRunRecipients(this.deps, sandbox, version, request.recipients);
  }

  private async validated(sandbox: string, input: unknown): Promise<ValidatedCall> {
    const { request: body, recipientSchemaProblems: schemaProblems } = this.parser.parse(input);
    const { campaign, version } = await liveTransactionalCampaign(
      this.deps.store,
      this.deps.versions,
      sandbox,
      body.campaignId,
    );
    const malformed = new Set(schemaProblems.map((problem) => problem.recipientIndex));
    const duplicates = duplicateRecipientProblems(body.recipients, malformed);
    const problems = [
      ...schemaProblems,
      ...duplicates,
      ...this.recipientsProblems(body, version, malformed),
    ].sort((a, b) => (a.recipientIndex ?? 0) - (b.recipientIndex ?? 0));
    if (problems.length > 0 && problems.length === duplicates.length) {
      throw new ValidationError(
        'duplicate-recipient',
        'The same recipient appears more than once; nothing was queued.',
        problems,
      );
    }
    if (problems.length > 0) {
      throw new ValidationError(
        'invalid-recipients',
        'One or more recipients are invalid; nothing was queued.',
        problems,
      );
    }
    return { request: body, campaign, version };
  }

  /** Checks the recipients the request schema found well-formed (the others are already listed). */
  private recipientsProblems(
    body: UnitaryExecutionRequest,
    version: CampaignVersion,
    malformed: ReadonlySet<number | undefined>,
  ): FieldError[] {
    const validateContext = this.deps.contextValidators.for(version);
    return body.recipients.flatMap((recipient, index) =>
      malformed.has(index)
        ? []
        : recipientProblems(recipient, index, version.definition, validateContext, {
            maxContextBytes: this.deps.limits.maxContextBytes,
            allowPrivatePushEndpoints: this.deps.allowPrivatePushEndpoints,
          }),
    );
  }
}
