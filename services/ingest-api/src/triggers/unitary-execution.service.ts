import type { CampaignVersion, Channel, UnitaryExecutionRequest } from '@herald/contracts';
import { ValidationError, type FieldError } from '@herald/errors';
import type { DeliveryQueue } from '@herald/queues';
import { TriggerRequestParser } from './trigger-request';
import { dryRunRecipients, type DryRunResult } from './dry-run';
import type { ExecutionAccepted } from './execution-accepted';
import { liveTransactionalCampaign } from './live-campaign';
import {
  callSmsRegion,
  duplicateRecipientProblems,
  normalisedRecipient,
  recipientProblems,
  unknownProfileProblems,
} from './recipient-checks';
import {
  claimAndEnqueue,
  type IncomingTrigger,
  type TriggerCallDeps,
  type ValidatedTrigger,
} from './trigger-call';

export type { ExecutionAccepted } from './execution-accepted';

export interface UnitaryExecutionDeps extends TriggerCallDeps {
  /** One delivery queue per channel: a job goes to the queue of its campaign's channel. */
  queues: Record<Channel, DeliveryQueue>;
  /** Accept push endpoints on loopback and private networks in `channelData.pushInfo`. */
  allowPrivatePushEndpoints: boolean;
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

  async execute(call: IncomingTrigger): Promise<ExecutionAccepted> {
    const { request, version } = await this.validated(call.sandbox, call.body, call.held);
    return claimAndEnqueue(
      this.deps,
      { ...call, request, version },
      { queue: this.deps.queues[version.definition.channel], kind: 'unitary' },
    );
  }

  /** What the call would send to each recipient; queues, creates and records nothing. */
  async dryRun(sandbox: string, body: unknown, held: readonly string[]): Promise<DryRunResult> {
    const { request, version, smsRegion } = await this.validated(sandbox, body, held);
    return dryRunRecipients(this.deps, sandbox, version, request.recipients, smsRegion);
  }

  /**
   * The call checked whole (recipients, then their profiles in one lookup), with its recipients
   * as they are queued (`normalisedRecipient`).
   */
  private async validated(
    sandbox: string,
    input: unknown,
    held: readonly string[],
  ): Promise<ValidatedTrigger & { smsRegion: string | undefined }> {
    const { request: body, recipientSchemaProblems: schemaProblems } = this.parser.parse(input);
    const { version } = await liveTransactionalCampaign(
      this.deps.store,
      this.deps.versions,
      sandbox,
      body.campaignId,
      held,
    );
    const definition = version.definition;
    const smsRegion = await callSmsRegion(this.deps.store, sandbox, definition);
    const malformed = new Set(schemaProblems.map((problem) => problem.recipientIndex));
    const duplicates = duplicateRecipientProblems(body.recipients, malformed);
    const problems = [
      ...schemaProblems,
      ...duplicates,
      ...this.recipientsProblems(body, version, malformed, smsRegion),
    ].sort((a, b) => (a.recipientIndex ?? 0) - (b.recipientIndex ?? 0));
    if (problems.length > 0 && problems.length === duplicates.length) {
      throw new ValidationError(
        'duplicate-recipient',
        'The same recipient appears more than once; nothing was queued.',
        problems,
      );
    }
    if (problems.length > 0 && problems.every((problem) => problem.code === 'invalid-phone-number')) {
      throw new ValidationError(
        'invalid-phone-number',
        'One or more phone numbers cannot be read; nothing was queued.',
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
    const recipients = body.recipients.map((recipient) =>
      normalisedRecipient(recipient, definition, smsRegion),
    );
    const unknown = await unknownProfileProblems(this.deps.store, sandbox, recipients, definition);
    if (unknown.length > 0) {
      throw new ValidationError(
        'unknown-profiles',
        'No profile holds some aep recipients and the campaign does not create profiles; nothing was queued.',
        unknown,
      );
    }
    return { request: { ...body, recipients }, version, smsRegion };
  }

  /** Checks the recipients the request schema found well-formed (the others are already listed). */
  private recipientsProblems(
    body: UnitaryExecutionRequest,
    version: CampaignVersion,
    malformed: ReadonlySet<number | undefined>,
    smsRegion: string | undefined,
  ): FieldError[] {
    const validateContext = this.deps.contextValidators.for(version);
    return body.recipients.flatMap((recipient, index) =>
      malformed.has(index)
        ? []
        : recipientProblems(recipient, index, version.definition, validateContext, {
            maxContextBytes: this.deps.limits.maxContextBytes,
            allowPrivatePushEndpoints: this.deps.allowPrivatePushEndpoints,
            smsRegion,
          }),
    );
  }
}
