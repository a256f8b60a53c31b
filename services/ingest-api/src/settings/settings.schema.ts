import { CHANNELS, REGION_PATTERN, type Channel, type SandboxSettingsInput } from '@herald/contracts';
import { ValidationError, type FieldError } from '@herald/errors';
import { isPhoneRegion } from '@herald/messages';
import { canonicalTimeZone } from '../profiles/time-zone';
import { createAjv, toFieldErrors } from '../validation/ajv';

/** `HH:MM`, 00:00–23:59. */
const TIME_OF_DAY_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

const frequencyCapSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['max', 'periodSeconds'],
  properties: {
    max: { type: 'integer', minimum: 1, maximum: 1000, description: 'Messages allowed within the period.' },
    periodSeconds: {
      type: 'integer',
      minimum: 60,
      maximum: 2_592_000,
      description: 'Sliding window, 60 s to 30 days.',
    },
  },
} as const;

const timeOfDay = (description: string) =>
  ({ type: 'string', pattern: TIME_OF_DAY_PATTERN, description }) as const;

export const settingsInputSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    frequencyCaps: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'Per channel: at most `max` marketing messages per profile within `periodSeconds`. A channel left out has no cap.',
      properties: Object.fromEntries(CHANNELS.map((channel) => [channel, frequencyCapSchema])) as Record<
        Channel,
        typeof frequencyCapSchema
      >,
    },
    quietHours: {
      type: 'object',
      additionalProperties: false,
      required: ['start', 'end', 'timezone'],
      description: 'A daily window in which marketing messages are not sent. Left out: no quiet hours.',
      properties: {
        start: timeOfDay('Start of the window, `HH:MM`.'),
        end: timeOfDay(
          'End of the window, `HH:MM`; before `start` the window spans midnight (21:00 → 08:00).',
        ),
        weekdays: {
          type: 'array',
          minItems: 1,
          maxItems: 7,
          uniqueItems: true,
          items: { type: 'integer', minimum: 0, maximum: 6 },
          description: 'Days (0 = Sunday) on which a window starts; every day when left out.',
        },
        timezone: {
          type: 'string',
          minLength: 1,
          maxLength: 64,
          description:
            'IANA time zone used for profiles without one, such as `Europe/Paris`; stored in its canonical spelling.',
        },
        action: {
          enum: ['defer', 'discard'],
          default: 'defer',
          description:
            '`defer` holds messages until the window ends; `discard` excludes them (`quiet-hours`).',
        },
      },
    },
    idempotency: {
      type: 'object',
      additionalProperties: false,
      required: ['bodyRequestId'],
      description:
        'How trigger calls are deduplicated. Left out: `bodyRequestId: true`. The `x-request-id` header, when sent, is always an idempotency key as well.',
      properties: {
        bodyRequestId: {
          type: 'boolean',
          description:
            "`true` (default): the body's `requestId` is an idempotency key, so a retried call never sends twice, and the same requestId with another body is refused with 409 `request-id-reused`. " +
            '`false`: for callers that reuse requestIds for different sends (as AJO tolerates): every call is a new send, so a retry after a lost answer sends again unless it repeats an `x-request-id`.',
        },
      },
    },
    sms: {
      type: 'object',
      additionalProperties: false,
      description: 'SMS settings. Left out: none.',
      properties: {
        defaultRegion: {
          type: 'string',
          pattern: REGION_PATTERN,
          description:
            "Region (ISO 3166 alpha-2, e.g. `US`) that phone numbers written without `+` are read in, unless the campaign's `channelConfig.sms.defaultRegion` names another. Without either, numbers must start with `+`. Numbers are accepted when possible (right length for the region), even outside assigned ranges, like AJO's example `111-111-1111`.",
        },
      },
    },
  },
} as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What the schema cannot say: the zone is known to the runtime, and the window is not empty. */
function quietHoursProblems(body: unknown): FieldError[] {
  const quietHours = isRecord(body) ? body.quietHours : undefined;
  if (!isRecord(quietHours)) return [];
  const problems: FieldError[] = [];
  const { start, end, timezone } = quietHours;
  if (typeof timezone === 'string' && canonicalTimeZone(timezone) === undefined) {
    problems.push({
      path: '/quietHours/timezone',
      code: 'invalid-timezone',
      message: 'must be an IANA time zone such as Europe/Paris',
    });
  }
  if (typeof start === 'string' && start === end) {
    problems.push({ path: '/quietHours/end', code: 'empty-window', message: 'must differ from start' });
  }
  return problems;
}

/** A region the pattern allows but the phone-number metadata does not know (`ZZ`). */
function smsProblems(body: unknown): FieldError[] {
  const sms = isRecord(body) ? body.sms : undefined;
  const region = isRecord(sms) ? sms.defaultRegion : undefined;
  if (typeof region !== 'string' || !new RegExp(REGION_PATTERN).test(region) || isPhoneRegion(region)) {
    return [];
  }
  return [{ path: '/sms/defaultRegion', code: 'unknown-region', message: `${region} is not a known region` }];
}

/** Validates a `PUT /settings` body; every problem is reported at once. */
export class SettingsInputValidator {
  private readonly validate = createAjv().compile<SandboxSettingsInput>(settingsInputSchema);

  parse(body: unknown): SandboxSettingsInput {
    const problems = [...quietHoursProblems(body), ...smsProblems(body)];
    if (this.validate(body) && problems.length === 0) {
      const { quietHours, sms } = body;
      const optional = {
        ...(sms !== undefined ? { sms } : {}),
        ...(body.idempotency !== undefined ? { idempotency: body.idempotency } : {}),
      };
      if (quietHours === undefined) return { frequencyCaps: body.frequencyCaps, ...optional };
      const timezone = canonicalTimeZone(quietHours.timezone) ?? quietHours.timezone;
      return { frequencyCaps: body.frequencyCaps, quietHours: { ...quietHours, timezone }, ...optional };
    }
    throw new ValidationError('invalid-settings', 'The settings are invalid; nothing was changed.', [
      ...toFieldErrors(this.validate.errors),
      ...problems,
    ]);
  }
}
