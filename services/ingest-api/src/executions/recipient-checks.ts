import type { ValidateFunction } from 'ajv';
import type { CampaignDefinition, Recipient } from '@herald/contracts';
import type { FieldError } from '@herald/errors';
import { toFieldErrors } from '../validation/ajv';

/** Problems of one well-formed recipient against the campaign it is sent with. */
export function recipientProblems(
  recipient: Recipient,
  index: number,
  campaign: CampaignDefinition,
  validateContext: ValidateFunction,
  maxContextBytes: number,
): FieldError[] {
  const base = `/recipients/${index}`;
  const context = recipient.context ?? {};
  const size = Buffer.byteLength(JSON.stringify(context));
  if (size > maxContextBytes) {
    return [
      {
        recipientIndex: index,
        path: `${base}/context`,
        code: 'context-too-large',
        message: `context is ${size} bytes; at most ${maxContextBytes} are allowed`,
      },
    ];
  }
  const problems: FieldError[] = [];
  if (!validateContext(context)) {
    problems.push(...toFieldErrors(validateContext.errors, `${base}/context`));
  }
  if (recipient.type === 'external' && campaign.channel === 'email' && !externalEmailAddress(recipient)) {
    problems.push({
      recipientIndex: index,
      path: `${base}/channelData/emailAddress`,
      code: 'missing-address',
      message:
        'an external recipient of an e-mail campaign needs channelData.emailAddress or an e-mail userId',
    });
  }
  return problems;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function externalEmailAddress(recipient: Recipient): string | undefined {
  if (recipient.channelData?.emailAddress) return recipient.channelData.emailAddress;
  return EMAIL.test(recipient.userId) ? recipient.userId : undefined;
}
