import type { ValidateFunction } from 'ajv';
import { canonicalNamespace, type CampaignDefinition, type Recipient } from '@herald/contracts';
import type { FieldError } from '@herald/errors';
import {
  givenPushTarget,
  PUSH_PLATFORMS,
  resolveEmailAddress,
  resolveSmsNumber,
  smsDefaultRegion,
  toE164,
  userIdIsPhone,
} from '@herald/messages';
import type { Store } from '@herald/store';
import { canonicalDeviceToken } from '../profiles/device-token';
import { pushSubscriptionProblems } from '../profiles/push-subscription-rules';
import { deviceTokenRules, pushAppIdSchema, pushSubscriptionSchema } from '../profiles/profile.schema';
import { createAjv, toFieldErrors } from '../validation/ajv';

export interface RecipientCheckOptions {
  maxContextBytes: number;
  /** Accept push endpoints on loopback and private networks (development and tests). */
  allowPrivatePushEndpoints: boolean;
  /** Region phone numbers without `+` are read in (`callSmsRegion`); none: they need `+`. */
  smsRegion?: string;
}

/** AJO's `pushInfo`: one device of one app; a `web` token is the browser subscription as JSON. */
const ajoPushInfoSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['appID', 'platform', 'token'],
  properties: {
    appID: pushAppIdSchema,
    platform: { enum: PUSH_PLATFORMS },
    token: { type: 'string', minLength: 1, maxLength: 4096 },
  },
  allOf: deviceTokenRules,
} as const;

const ajv = createAjv();
const validateSubscription = ajv.compile(pushSubscriptionSchema);
const validateAjoPushInfo = ajv.compile<{ appID: string; platform: string; token: string }>(
  ajoPushInfoSchema,
);

/** Problems of one well-formed recipient against the campaign it is sent with. */
export function recipientProblems(
  recipient: Recipient,
  index: number,
  campaign: CampaignDefinition,
  validateContext: ValidateFunction,
  options: RecipientCheckOptions,
): FieldError[] {
  const base = `/recipients/${index}`;
  const context = recipient.context ?? {};
  const size = Buffer.byteLength(JSON.stringify(context));
  if (size > options.maxContextBytes) {
    return [
      {
        recipientIndex: index,
        path: `${base}/context`,
        code: 'context-too-large',
        message: `context is ${size} bytes; at most ${options.maxContextBytes} are allowed`,
      },
    ];
  }
  const problems: FieldError[] = [];
  if (!validateContext(context)) {
    problems.push(...toFieldErrors(validateContext.errors, `${base}/context`));
  }
  problems.push(...pushInfoProblems(recipient, index, options));
  const phone = campaign.channel === 'sms' ? phoneProblem(recipient, index, options.smsRegion) : undefined;
  if (phone) return [...problems, phone];
  if (recipient.type === 'external') {
    const missing = missingExternalAddress(recipient, campaign, options.smsRegion);
    if (missing)
      problems.push({
        recipientIndex: index,
        path: `${base}${missing.path}`,
        code: 'missing-address',
        message: missing.message,
      });
  }
  return problems;
}

/**
 * An `external` recipient has no stored profile: the call itself must carry an address for the
 * campaign's channel, checked with the same rules the worker resolves addresses with.
 */
function missingExternalAddress(
  recipient: Recipient,
  campaign: CampaignDefinition,
  smsRegion: string | undefined,
): { path: string; message: string } | undefined {
  switch (campaign.channel) {
    case 'email':
      return resolveEmailAddress(recipient, null)
        ? undefined
        : {
            path: '/channelData/emailAddress',
            message:
              'an external recipient of an e-mail campaign needs channelData.emailAddress or an e-mail userId',
          };
    case 'sms':
      return resolveSmsNumber(recipient, null, smsRegion)
        ? undefined
        : {
            path: '/channelData/mobilePhoneNumber',
            message:
              'an external recipient of an SMS campaign needs channelData.mobilePhoneNumber or a phone userId (namespace phone, or + and country code)',
          };
    case 'push':
      return givenPushTarget(recipient.channelData?.pushInfo)
        ? undefined
        : {
            path: '/channelData/pushInfo',
            message:
              'an external recipient of a push campaign needs channelData.pushInfo: {appID, platform, token} or a browser subscription {endpoint, keys: {p256dh, auth}}',
          };
  }
}

/**
 * The region phone numbers of a call are read in: the campaign's, else the sandbox's settings
 * (read only for SMS campaigns without their own).
 */
export async function callSmsRegion(
  store: Store,
  sandbox: string,
  campaign: CampaignDefinition,
): Promise<string | undefined> {
  if (campaign.channel !== 'sms') return undefined;
  const own = smsDefaultRegion(campaign, undefined);
  return own ?? (await store.settings.get(sandbox))?.sms?.defaultRegion;
}

/**
 * A phone number the call gives that cannot be read: `channelData.mobilePhoneNumber`, or the
 * userId of an `external` recipient addressed by it (an `aep` recipient's id names a profile,
 * whose own numbers the worker reads).
 */
function phoneProblem(
  recipient: Recipient,
  index: number,
  smsRegion: string | undefined,
): FieldError | undefined {
  const given = recipient.channelData?.mobilePhoneNumber;
  const [field, value] =
    given !== undefined
      ? ['channelData/mobilePhoneNumber', given]
      : recipient.type === 'external' && userIdIsPhone(recipient)
        ? ['userId', recipient.userId]
        : [undefined, undefined];
  if (field === undefined || (typeof value === 'string' && toE164(value, smsRegion))) return undefined;
  const without =
    smsRegion === undefined ? '; without + the campaign or sandbox must name sms.defaultRegion' : '';
  return {
    recipientIndex: index,
    path: `/recipients/${index}/${field}`,
    code: 'invalid-phone-number',
    message: `${JSON.stringify(value)} is not a possible phone number${smsRegion ? ` in region ${smsRegion}` : ''}${without}`,
  };
}

/**
 * The recipient as queued: namespace lower-cased (namespaces are case-insensitive), for an SMS
 * campaign the number the call gives written in E.164, and an APNs token in `pushInfo`
 * lower-cased, so the worker sends, and later removes, what was checked.
 */
export function normalisedRecipient(
  recipient: Recipient,
  campaign: CampaignDefinition,
  smsRegion: string | undefined,
): Recipient {
  const namespace = canonicalNamespace(recipient.namespace);
  const number = campaign.channel === 'sms' ? resolveSmsNumber(recipient, null, smsRegion) : undefined;
  const pushInfo = canonicalPushInfo(recipient.channelData?.pushInfo);
  if (number === undefined && pushInfo === recipient.channelData?.pushInfo)
    return namespace === recipient.namespace ? recipient : { ...recipient, namespace };
  return {
    ...recipient,
    namespace,
    channelData: {
      ...recipient.channelData,
      ...(number === undefined ? {} : { mobilePhoneNumber: number }),
      ...(pushInfo === undefined ? {} : { pushInfo }),
    },
  };
}

function canonicalPushInfo(
  pushInfo: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (typeof pushInfo?.token !== 'string') return pushInfo;
  const token = canonicalDeviceToken(pushInfo.platform, pushInfo.token);
  return token === pushInfo.token ? pushInfo : { ...pushInfo, token };
}

/**
 * A `pushInfo` given in the call is AJO's `{appID, platform, token}` (the token's format checked
 * per platform) or, as Herald has always taken it, a browser subscription `{endpoint, keys}`. A
 * browser subscription, in either form, is held to the rules of stored ones.
 */
function pushInfoProblems(recipient: Recipient, index: number, options: RecipientCheckOptions): FieldError[] {
  const pushInfo = recipient.channelData?.pushInfo;
  if (pushInfo === undefined) return [];
  const path = `/recipients/${index}/channelData/pushInfo`;
  return givenPushInfoProblems(pushInfo, path, options).map((problem) => ({
    ...problem,
    recipientIndex: index,
  }));
}

function givenPushInfoProblems(pushInfo: object, path: string, options: RecipientCheckOptions): FieldError[] {
  const policy = { allowPrivatePushEndpoints: options.allowPrivatePushEndpoints };
  if (!('platform' in pushInfo) && !('token' in pushInfo) && !('appID' in pushInfo)) {
    return validateSubscription(pushInfo)
      ? pushSubscriptionProblems(pushInfo, path, policy)
      : toFieldErrors(validateSubscription.errors, path);
  }
  if (!validateAjoPushInfo(pushInfo)) return toFieldErrors(validateAjoPushInfo.errors, path);
  if (pushInfo.platform !== 'web') return [];
  const subscription = parseJson(pushInfo.token);
  const tokenPath = `${path}/token`;
  if (!validateSubscription(subscription)) {
    return [
      {
        path: tokenPath,
        code: 'invalid-web-push-token',
        message: 'a web token is the browser subscription as JSON: {endpoint, keys: {p256dh, auth}}',
      },
    ];
  }
  return pushSubscriptionProblems(subscription, tokenPath, policy);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * `aep` recipients no profile holds, when the campaign neither creates profiles nor excludes
 * unknown ones (`unknownProfiles: "exclude"`): one store query for the whole call.
 */
export async function unknownProfileProblems(
  store: Store,
  sandbox: string,
  recipients: readonly Recipient[],
  campaign: CampaignDefinition,
): Promise<FieldError[]> {
  if (campaign.createProfiles || campaign.unknownProfiles === 'exclude') return [];
  const looked = recipients.flatMap((recipient, index) =>
    recipient.type === 'aep'
      ? [{ index, identity: { namespace: recipient.namespace, id: recipient.userId } }]
      : [],
  );
  if (looked.length === 0) return [];
  const profiles = await store.profiles.findByIdentities(
    sandbox,
    looked.map(({ identity }) => identity),
  );
  return looked.flatMap(({ index, identity }, position) =>
    profiles[position]
      ? []
      : [
          {
            recipientIndex: index,
            path: `/recipients/${index}/userId`,
            code: 'profile-not-found',
            message: `no profile holds ${identity.namespace} ${identity.id}, and the campaign does not create profiles`,
          },
        ],
  );
}

/**
 * A transactional call names each recipient once: every repeat of an earlier recipient (same
 * type, namespace and userId; namespaces and e-mail-like ids compared without case) is a problem.
 */
export function duplicateRecipientProblems(
  recipients: readonly Recipient[],
  skip: ReadonlySet<number | undefined>,
): FieldError[] {
  const firstIndexOf = new Map<string, number>();
  const problems: FieldError[] = [];
  recipients.forEach((recipient, index) => {
    if (skip.has(index)) return;
    const key = JSON.stringify([
      recipient.type,
      canonicalNamespace(recipient.namespace),
      comparableUserId(recipient.userId),
    ]);
    const first = firstIndexOf.get(key);
    if (first === undefined) {
      firstIndexOf.set(key, index);
      return;
    }
    problems.push({
      recipientIndex: index,
      path: `/recipients/${index}/userId`,
      code: 'duplicate-recipient',
      message: `recipient ${index} repeats recipient ${first} (${recipient.namespace} ${recipient.userId})`,
    });
  });
  return problems;
}

function comparableUserId(userId: string): string {
  return userId.includes('@') ? userId.toLowerCase() : userId;
}
