import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { CampaignDefinition } from '@herald/contracts';
import { campaignDefinitionSchema } from '@herald/contracts';
import { ValidationError, type FieldError } from '@herald/errors';
import { isPhoneRegion } from '@herald/messages';
import { createAjv, createUserSchemaAjv, toFieldErrors } from '../validation/ajv';
import { schemaKeywordProblems } from './schema-keyword-limits';
import { unsafeSchemaPatterns } from './unsafe-schema-patterns';

const MAX_CONTEXT_SCHEMA_BYTES = 64 * 1024;

/**
 * Validates campaign definitions: the published schema, then the author's context schema. Each
 * context schema is checked by an Ajv of its own, dropped afterwards: one shared instance kept
 * every schema it compiled (memory grew with each create) and let one sandbox's `$id` refuse
 * another's. The validator the trigger path uses is compiled apart (ContextValidators).
 */
export class CampaignValidator {
  private readonly validateDefinition: ValidateFunction<CampaignDefinition>;

  constructor(private readonly newUserSchemaAjv: () => Ajv = createUserSchemaAjv) {
    this.validateDefinition = createAjv().compile<CampaignDefinition>(campaignDefinitionSchema);
  }

  /** Returns the definition (with defaults applied) or throws ValidationError listing every problem. */
  parse(body: unknown): CampaignDefinition {
    if (!this.validateDefinition(body)) {
      throw new ValidationError(
        'invalid-campaign',
        'The campaign definition is invalid.',
        definitionProblems(toFieldErrors(this.validateDefinition.errors), body),
      );
    }
    const problems = [...this.contextSchemaProblems(body.contextSchema), ...regionProblems(body)];
    if (problems.length > 0) {
      throw new ValidationError('invalid-campaign', 'The campaign definition is invalid.', problems);
    }
    return body;
  }

  private contextSchemaProblems(schema: Record<string, unknown>): FieldError[] {
    if (Buffer.byteLength(JSON.stringify(schema)) > MAX_CONTEXT_SCHEMA_BYTES) {
      return [
        {
          path: '/contextSchema',
          code: 'maxLength',
          message: `must be at most ${MAX_CONTEXT_SCHEMA_BYTES} bytes`,
        },
      ];
    }
    if (schema.type !== 'object') {
      return [
        { path: '/contextSchema/type', code: 'const', message: 'must be "object": context is an object' },
      ];
    }
    const ajv = this.newUserSchemaAjv();
    try {
      if (!ajv.validateSchema(schema)) {
        return toFieldErrors(ajv.errors, '/contextSchema').map((error) => ({
          ...error,
          code: 'invalid-schema',
        }));
      }
      const refused = [
        ...schemaKeywordProblems(schema, '/contextSchema'),
        ...unsafeSchemaPatterns(schema, '/contextSchema'),
      ];
      if (refused.length > 0) return refused;
      ajv.compile(schema);
    } catch (error) {
      // Ajv throws (rather than reporting) on an unknown `$schema` dialect or a bad `$ref`.
      return [{ path: '/contextSchema', code: 'invalid-schema', message: (error as Error).message }];
    }
    return [];
  }
}

/** A region the schema's pattern allows but the phone-number metadata does not know (`ZZ`). */
function regionProblems(definition: CampaignDefinition): FieldError[] {
  const region = definition.channelConfig.sms?.defaultRegion;
  if (region === undefined || isPhoneRegion(region)) return [];
  return [
    {
      path: '/channelConfig/sms/defaultRegion',
      code: 'unknown-region',
      message: `${region} is not a known region`,
    },
  ];
}

/**
 * Ajv's wording of the per-channel rules, made readable: the `if` summary repeats what the
 * detailed errors say, and a `false` schema is a field the campaign's channel does not use.
 */
function definitionProblems(errors: FieldError[], body: unknown): FieldError[] {
  const channel =
    typeof body === 'object' && body !== null && 'channel' in body ? String(body.channel) : 'this';
  return errors
    .filter((error) => error.code !== 'if')
    .map((error) =>
      error.code === 'false schema'
        ? { ...error, code: 'not-allowed', message: `is not allowed for a ${channel} campaign` }
        : error,
    );
}
