import type { ValidateFunction } from 'ajv';
import type { UnitaryExecutionRequest } from '@herald/contracts';
import { unitaryExecutionSchema } from '@herald/contracts';
import { ValidationError, type FieldError } from '@herald/errors';
import { createAjv, toFieldErrors } from '../validation/ajv';

export interface ParsedTrigger {
  request: UnitaryExecutionRequest;
  /** Problems of individual recipients, to be reported with the others of the call. */
  recipientSchemaProblems: FieldError[];
}

/**
 * The request schema of unitary and highthroughput calls, compiled once. Problems of the call
 * itself (fields outside `recipients`) end it at once with 400 `invalid-request`; problems of
 * single recipients are handed back so every bad recipient is listed together.
 */
export class TriggerRequestParser {
  private readonly validate: ValidateFunction<UnitaryExecutionRequest>;

  constructor(maxRecipients: number) {
    this.validate = createAjv().compile<UnitaryExecutionRequest>(unitaryExecutionSchema(maxRecipients));
  }

  parse(body: unknown): ParsedTrigger {
    const problems = this.validate(body) ? [] : toFieldErrors(this.validate.errors);
    const callProblems = problems.filter((problem) => problem.recipientIndex === undefined);
    if (callProblems.length > 0 || !isRequestShaped(body)) {
      throw new ValidationError('invalid-request', 'The request body is invalid.', problems);
    }
    return { request: body, recipientSchemaProblems: problems };
  }
}

function isRequestShaped(body: unknown): body is UnitaryExecutionRequest {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as Partial<UnitaryExecutionRequest>;
  return (
    typeof candidate.campaignId === 'string' &&
    typeof candidate.requestId === 'string' &&
    Array.isArray(candidate.recipients)
  );
}
