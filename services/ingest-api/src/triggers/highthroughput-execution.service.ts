import type { CampaignVersion, UnitaryExecutionRequest } from '@herald/contracts';
import { UnprocessableError, ValidationError, type FieldError } from '@herald/errors';
import type { DeliveryQueue } from '@herald/queues';
import { TriggerRequestParser } from './trigger-request';
import { dryRunRecipients, type DryRunResult } from './dry-run';
import type { ExecutionAccepted } from './execution-accepted';
import { liveTransactionalCampaign } from './live-campaign';
import { duplicateRecipientProblems, recipientProblems } from './recipient-checks';
import {
  claimAndEnqueue,
  type IncomingTrigger,
  type TriggerCallDeps,
  type ValidatedTrigger,
} from './trigger-call';

export interface HighThroughputExecutionDeps extends TriggerCallDeps {
  /** The e-mail delivery queue: the only channel this endpoint serves. */
  emailQueue: DeliveryQueue;
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

  async execute(call: IncomingTrigger): Promise<ExecutionAccepted> {
    const { request, version } = await this.validated(call.sandbox, call.body, call.held);
    return claimAndEnqueue(
      this.deps,
      { ...call, request, version },
      { queue: this.deps.emailQueue, kind: 'highthroughput', mode: 'highthroughput' },
    );
  }

  /** Validates and renders every recipient as a real call would, and queues nothing. */
  async dryRun(sandbox: string, body: unknown, held: readonly string[]): Promise<DryRunResult> {
    const { request, version } = await this.validated(sandbox, body, held);
    return dryRunRecipients(this.deps, sandbox, version, request.recipients);
  }

  private async validated(
    sandbox: string,
    input: unknown,
    held: readonly string[],
  ): Promise<ValidatedTrigger> {
    const { request: body, recipientSchemaProblems: schemaProblems } = this.parser.parse(input);
    const { version } = await liveTransactionalCampaign(
      this.deps.store,
      this.deps.versions,
      sandbox,
      body.campaignId,
      held,
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
