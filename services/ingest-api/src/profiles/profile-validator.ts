import type { ValidateFunction } from 'ajv';
import type { ProfileInput } from '@herald/contracts';
import { ValidationError, type FieldError } from '@herald/errors';
import { createAjv, toFieldErrors } from '../validation/ajv';
import { attributeProblems } from './attribute-rules';
import { bulkProfilesSchema, profileInputSchema } from './profile.schema';
import { pushSubscriptionProblems, type PushEndpointPolicy } from './push-subscription-rules';
import { canonicalTimeZone } from './time-zone';
import { canonicalDeviceToken } from './device-token';

interface BulkProfilesBody {
  profiles: ProfileInput[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates profiles: the published schema, then the rules a schema cannot express (time zone
 * known to the runtime, push endpoint and keys, attribute keys and size). Every problem is
 * reported at once; nothing is stored unless all pass.
 */
export class ProfileValidator {
  private readonly validateInput: ValidateFunction<ProfileInput>;
  private readonly validateBulk: ValidateFunction<BulkProfilesBody>;

  constructor(private readonly policy: PushEndpointPolicy) {
    const ajv = createAjv();
    this.validateInput = ajv.compile<ProfileInput>(profileInputSchema);
    this.validateBulk = ajv.compile<BulkProfilesBody>(bulkProfilesSchema);
  }

  parse(body: unknown): ProfileInput {
    const rules = this.ruleProblems(body, '');
    if (this.validateInput(body) && rules.length === 0) return canonical(body);
    throw invalid(
      'invalid-profile',
      'The profile is invalid.',
      toFieldErrors(this.validateInput.errors),
      rules,
    );
  }

  /** All or nothing: one bad profile refuses the whole call, naming every bad item. */
  parseBulk(body: unknown): ProfileInput[] {
    const rules =
      isRecord(body) && Array.isArray(body.profiles)
        ? body.profiles.flatMap((profile, index) => this.ruleProblems(profile, `/profiles/${index}`))
        : [];
    if (this.validateBulk(body) && rules.length === 0) return body.profiles.map(canonical);
    throw invalid(
      'invalid-profiles',
      'Some profiles are invalid; none was stored.',
      toFieldErrors(this.validateBulk.errors),
      rules,
    );
  }

  private ruleProblems(profile: unknown, prefix: string): FieldError[] {
    if (!isRecord(profile)) return [];
    const problems = attributeProblems(profile.attributes, `${prefix}/attributes`);
    if (typeof profile.timezone === 'string' && canonicalTimeZone(profile.timezone) === undefined) {
      problems.push({
        path: `${prefix}/timezone`,
        code: 'invalid-timezone',
        message: 'must be an IANA time zone such as Europe/Paris',
      });
    }
    if (Array.isArray(profile.pushSubscriptions)) {
      const endpoints = new Set<string>();
      profile.pushSubscriptions.forEach((subscription: unknown, index) => {
        const path = `${prefix}/pushSubscriptions/${index}`;
        problems.push(...pushSubscriptionProblems(subscription, path, this.policy));
        const endpoint = isRecord(subscription) ? subscription.endpoint : undefined;
        if (typeof endpoint !== 'string') return;
        if (endpoints.has(endpoint)) {
          problems.push({
            path: `${path}/endpoint`,
            code: 'duplicate-endpoint',
            message: 'another subscription of this profile has the same endpoint',
          });
        }
        endpoints.add(endpoint);
      });
    }
    return problems;
  }
}

function canonical(profile: ProfileInput): ProfileInput {
  const timezone = profile.timezone === undefined ? undefined : canonicalTimeZone(profile.timezone);
  const pushTokens = profile.pushTokens?.map((device) => ({
    ...device,
    token: canonicalDeviceToken(device.platform, device.token),
  }));
  return {
    ...profile,
    ...(timezone === undefined ? {} : { timezone }),
    ...(pushTokens === undefined ? {} : { pushTokens }),
  };
}

/**
 * Schema errors first; a rule problem on a field the schema already refused is left out (one
 * answer per field). A call whose only fault is attribute size gets its own code.
 */
function invalid(
  code: 'invalid-profile' | 'invalid-profiles',
  message: string,
  schemaErrors: FieldError[],
  ruleErrors: FieldError[],
): ValidationError {
  const covered = (path: string): boolean =>
    schemaErrors.some((e) => e.path === '/' || path === e.path || path.startsWith(`${e.path}/`));
  const errors = [...schemaErrors, ...ruleErrors.filter((e) => !covered(e.path))];
  if (errors.every((e) => e.code === 'attributes-too-large')) {
    return new ValidationError(
      'attributes-too-large',
      'The profile attributes are larger than 64 KB.',
      errors,
    );
  }
  return new ValidationError(code, message, errors);
}
