import type { ValidateFunction } from 'ajv';
import type { CampaignDefinition, Recipient } from '@herald/contracts';
import type { FieldError } from '@herald/errors';
import { pushTargetOf, resolveEmailAddress, resolveSmsNumber } from '@herald/messages';
import { pushSubscriptionProblems } from '../profiles/push-subscription-rules';
import { pushSubscriptionSchema } from '../profiles/profile.schema';
import { createAjv, toFieldErrors } from '../validation/ajv';

export interface RecipientCheckOptions {
  maxContextBytes: number;
  /** Accept push endpoints on loopback and private networks (development and tests). */
  allowPrivatePushEndpoints: boolean;
}

const validatePushInfo = createAjv().compile(pushSubscriptionSchema);

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
  if (recipient.type === 'external') {
    const missing = missingExternalAddress(recipient, campaign);
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
      return resolveSmsNumber(recipient, null)
        ? undefined
        : {
            path: '/channelData/mobilePhoneNumber',
            message:
              'an external recipient of an SMS campaign needs channelData.mobilePhoneNumber or a userId in E.164 form (+ and country code)',
          };
    case 'push':
      return pushTargetOf(recipient.channelData?.pushInfo)
        ? undefined
        : {
            path: '/channelData/pushInfo',
            message:
              'an external recipient of a push campaign needs channelData.pushInfo: {endpoint, keys: {p256dh, auth}}',
          };
  }
}

/** A `pushInfo` given in the call is a Web Push subscription, held to the rules of stored ones. */
function pushInfoProblems(recipient: Recipient, index: number, options: RecipientCheckOptions): FieldError[] {
  const pushInfo = recipient.channelData?.pushInfo;
  if (pushInfo === undefined) return [];
  const path = `/recipients/${index}/channelData/pushInfo`;
  const problems = validatePushInfo(pushInfo)
    ? pushSubscriptionProblems(pushInfo, path, {
        allowPrivatePushEndpoints: options.allowPrivatePushEndpoints,
      })
    : toFieldErrors(validatePushInfo.errors, path);
  return problems.map((problem) => ({ ...problem, recipientIndex: index }));
}

/**
 * A transactional call names each recipient once: every repeat of an earlier recipient (same
 * type, namespace and userId; e-mail-like ids compared without case) is a problem.
 */
export function duplicateRecipientProblems(
  recipients: readonly Recipient[],
  skip: ReadonlySet<number | undefined>,
): FieldError[] {
  const firstIndexOf = new Map<string, number>();
  const problems: FieldError[] = [];
  recipients.forEach((recipient, index) => {
    if (skip.has(index)) return;
    const key = JSON.stringify([recipient.type, recipient.namespace, comparableUserId(recipient.userId)]);
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
