import type { CampaignVersion, UnitaryExecutionRequest } from '@herald/contracts';
import { UnprocessableError, ValidationError, type FieldError } from '@herald/errors';
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
import type { UnitaryExecutionLimits } from './unitary-execution.service';

export interface HighThroughputExecutionDeps {
  store: Store;
  /** Live campaign versions, cached: they never change. */
  versions: CampaignVersions;
  /** The e-mail delivery queue: the only channel this endpoint serves. */
  emailQueue: DeliveryQueue;
  contextValidators: ContextValidators;
  idempotency: IdempotencyGuard;
  backpressure: QueueBackpressure;
  templates: TemplateEngine;
  limits: UnitaryExecutionLimits;
  logger: Logger;
}

/**
 * `POST /im/executions/highthroughput`: the unitary call cut down for rate. Recipients are
 * `external` only and campaigns e-mail only, so neither this service nor the worker (job `mode`)
 * ever reads or writes a profile. Validation, idempotency and the 202 are those of the unitary call.
 */
export class HighThroughputExecutionService {
  private readonly parser: TriggerRequestParser;

  constructor(private readonly deps: HighThroughputExecutionDeps) {
    this.parser = new TriggerRequestParser(deps.limits.maxRecipients);
  }

  async execute(
    sandbox: string,
    body: unknown,
    /** `bodyFingerprint` of the body as sent: what its `requestId` is bound to. */
    fingerprint: string,
    createdBy: string,
    correlation?: Correlation,
  ): Promise<ExecutionAccepted> {
    const { request, version } = await this.validated(sandbox, body);
    const claim = await this.deps.idempotency.begin(sandbox, request.requestId, fingerprint);
    if (claim.kind === 'replay') return claim.response as ExecutionAccepted;
    await this.deps.backpressure.assertQueueHasRoom('email');
    const { store, logger } = this.deps;
    return enqueueRecipients({
      store,
      logger,
      queue: this.deps.emailQueue,
      claim: claim,
      execution: {
        sandbox,
        kind: 'highthroughput',
        campaignId: version.campaignId,
        campaignVersion: version.version,
        requestId: request.requestId,
        recipientCount: request.recipients.length,
        createdBy,
      },
      version,
      recipients: request.recipients,
      correlation,
      mode: 'highthroughput',
    });
  }

  /** Validates and renders every recipient as a real call would, and queues nothing. */
  async dryRun(sandbox: string, body: unknown): Promise<DryRunResult> {
    const { request, version } = await this.validated(sandbox, body);
    return dryRunRecipients(this.deps, sandbox, version, request.recipients);
  }

  private async validated(
    sandbox: string,
    input: unknown,
  ): Promise<{ request: UnitaryExecutionRequest; version: CampaignVersion }> {
    const { request: body, recipientSchemaProblems: schemaProblems } = this.parser.parse(input);
    const { version } = await liveTransactionalCampaign(
      this.deps.store,
      this.deps.versions,
      sandbox,
      body.campaignId,
    );
    if (version.definition.channel !== 'email') {
      throw new UnprocessableError(
        'channel-not-supported-by-endpoint',
        `campaign ${body.campaignId} is a ${version.definition.channel} campaign; highthroughput serves e-mail campaigns only (use unitary)`,
      );
    }
    const problems = [...schemaProblems, ...this.recipientsProblems(body, version, schemaProblems)];
    if (problems.length > 0) {
      throw new ValidationError(
        'invalid-recipients',
        'One or more recipients are invalid; nothing was queued.',
        problems,
      );
    }
    return { request: body, version };
  }

  private recipientsProblems(
    body: UnitaryExecutionRequest,
    version: CampaignVersion,
    schemaProblems: readonly FieldError[],
  ): FieldError[] {
    const malformed = new Set(schemaProblems.map((problem) => problem.recipientIndex));
    const validateContext = this.deps.contextValidators.for(version);
    const perRecipient = body.recipients.flatMap((recipient, index): FieldError[] => {
      if (malformed.has(index)) return [];
      if (recipient.type !== 'external') {
        return [
          {
            recipientIndex: index,
            path: `/recipients/${index}/type`,
            code: 'external-recipients-only',
            message:
              'highthroughput accepts external recipients only (no profile lookup); use unitary for aep',
          },
        ];
      }
      return recipientProblems(recipient, index, version.definition, validateContext, {
        maxContextBytes: this.deps.limits.maxContextBytes,
        allowPrivatePushEndpoints: false,
      });
    });
    return [...perRecipient, ...duplicateRecipientProblems(body.recipients, malformed)];
  }
}
