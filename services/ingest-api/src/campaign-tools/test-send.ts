import type { ChannelAdapter } from '@herald/channels';
import type { CampaignVersion, OutboundMessage, Recipient } from '@herald/contracts';
import { newId } from '@herald/contracts';
import { PermanentDeliveryError, UnprocessableError, ValidationError, type FieldError } from '@herald/errors';
import {
  buildMessage,
  messageAddresses,
  resolveEmailAddress,
  toE164,
  type MessageToSend,
} from '@herald/messages';
import { pushSubscriptionProblems } from '../profiles/push-subscription-rules';
import { callSmsRegion } from '../triggers/recipient-checks';
import type { PreviewDeps } from './campaign-preview';
import type { TestAddress, TestSendRequest } from './campaign-tools.schema';
import { campaignVersion, contextFor } from './tool-inputs';

/** Put before the subject (e-mail), the body (SMS) or the title (push) of every test message. */
export const TEST_MARK = '[TEST] ';

export interface TestSendDeps extends PreviewDeps {
  adapter: ChannelAdapter;
  allowPrivatePushEndpoints: boolean;
}

export interface TestSendResult {
  /** Shared by the messages of this call; their delivery ids are `<executionId>-r<index>`. */
  executionId: string;
  results: Array<{ address: string; locale: string; providerMessageId: string }>;
}

/**
 * `POST /campaigns/{id}/test-send`: renders each test recipient with the worker's code, marks the
 * message as a test and hands it to the channel adapter at once (no queue, no delivery record).
 * Every recipient is checked and rendered before anything is sent: one bad recipient sends nothing.
 */
export async function testSendCampaign(
  deps: TestSendDeps,
  sandbox: string,
  campaignId: string,
  request: TestSendRequest,
  held: readonly string[],
): Promise<TestSendResult> {
  const version = await campaignVersion(deps.store, sandbox, campaignId, request.version, held);
  const smsRegion = await callSmsRegion(deps.store, sandbox, version.definition);
  const recipients = checkedRecipients(deps, version, request, smsRegion);
  const problems: FieldError[] = [];
  const messages: Array<{ locale: string; message: MessageToSend }> = [];
  for (const [index, recipient] of recipients.entries()) {
    try {
      const built = await buildMessage(deps.templates, { version, recipient, profile: null });
      if (built.kind === 'excluded') {
        problems.push(
          problem(index, '/address', built.reason, `the recipient would be excluded: ${built.reason}`),
        );
      } else {
        messages.push(built);
      }
    } catch (error) {
      if (!(error instanceof PermanentDeliveryError)) throw error;
      problems.push(problem(index, '', error.code, error.message));
    }
  }
  if (problems.length > 0) {
    throw new UnprocessableError(
      'test-send-failed',
      'One or more test messages cannot be built; nothing was sent.',
      problems,
    );
  }
  const executionId = `test-${newId()}`;
  const results: TestSendResult['results'] = [];
  for (const [index, { locale, message }] of messages.entries()) {
    const outbound = outboundTest(message, { executionId, deliveryId: `${executionId}-r${index}`, sandbox });
    const { providerMessageId } = await deps.adapter.send(outbound);
    results.push({ address: addressOf(message), locale, providerMessageId });
  }
  return { executionId, results };
}

/** Every recipient's address and context checked; all problems reported at once (400). */
function checkedRecipients(
  deps: TestSendDeps,
  version: CampaignVersion,
  request: TestSendRequest,
  smsRegion: string | undefined,
): Recipient[] {
  const problems: FieldError[] = [];
  const recipients: Recipient[] = [];
  for (const [index, given] of request.recipients.entries()) {
    try {
      recipients.push(
        testRecipient(
          deps,
          version,
          { address: given.address, index, smsRegion },
          {
            context: contextFor(
              deps.contextValidators,
              version,
              given.context,
              `/recipients/${index}/context`,
            ),
            ...(given.profile ? { profile: given.profile } : {}),
          },
        ),
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...error.errors.map((found) => ({ ...found, recipientIndex: index })));
    }
  }
  if (problems.length > 0) {
    throw new ValidationError(
      'invalid-recipients',
      'One or more test recipients are invalid; nothing was sent.',
      problems,
    );
  }
  return recipients;
}

/**
 * An `external` recipient whose `channelData` carries the test address for the campaign's
 * channel; a phone number without `+` is read in `smsRegion`, as a trigger call's would be.
 */
function testRecipient(
  deps: TestSendDeps,
  version: CampaignVersion,
  { address, index, smsRegion }: { address: TestAddress; index: number; smsRegion: string | undefined },
  fields: Pick<Recipient, 'context' | 'profile'>,
): Recipient {
  const base = { type: 'external', userId: 'test-recipient', namespace: 'test', ...fields } as const;
  const path = `/recipients/${index}/address`;
  switch (version.definition.channel) {
    case 'email': {
      const email = typeof address === 'string' ? address : undefined;
      const recipient = { ...base, channelData: { emailAddress: email ?? '' } };
      if (!email || resolveEmailAddress(recipient, null) !== email) {
        throw invalidAddress(index, path, 'must be an e-mail address for an e-mail campaign');
      }
      return recipient;
    }
    case 'sms': {
      const number = typeof address === 'string' ? toE164(address, smsRegion) : undefined;
      if (!number) {
        const region = smsRegion
          ? `, or a national number of region ${smsRegion}`
          : '; without + the campaign or sandbox must name sms.defaultRegion';
        throw invalidAddress(index, path, `must be a phone number with its country code (E.164)${region}`);
      }
      return { ...base, channelData: { mobilePhoneNumber: number } };
    }
    case 'push': {
      if (typeof address === 'string') {
        throw invalidAddress(
          index,
          path,
          'must be a Web Push subscription {endpoint, keys} for a push campaign',
        );
      }
      const problems = pushSubscriptionProblems(address, path, {
        allowPrivatePushEndpoints: deps.allowPrivatePushEndpoints,
      });
      if (problems.length > 0) {
        throw new ValidationError(
          'invalid-address',
          'A test address is invalid.',
          problems.map((found) => ({ ...found, recipientIndex: index })),
        );
      }
      return { ...base, channelData: { pushInfo: { endpoint: address.endpoint, keys: address.keys } } };
    }
  }
}

function invalidAddress(index: number, path: string, message: string): ValidationError {
  return new ValidationError('invalid-address', 'A test address is invalid.', [
    { recipientIndex: index, path, code: 'invalid-address', message },
  ]);
}

function problem(index: number, suffix: string, code: string, message: string): FieldError {
  return { recipientIndex: index, path: `/recipients/${index}${suffix}`, code, message };
}

/** The adapter message of a test, marked so nobody mistakes it for a real one. */
function outboundTest(
  message: MessageToSend,
  ids: { executionId: string; deliveryId: string; sandbox: string },
): OutboundMessage {
  switch (message.channel) {
    case 'email':
      return { ...message, ...ids, subject: `${TEST_MARK}${message.subject}` };
    case 'sms':
      return { ...message, ...ids, body: `${TEST_MARK}${message.body}` };
    case 'push': {
      const { subscriptions, payload, ...rest } = message;
      const [subscription] = subscriptions;
      if (!subscription) throw new Error('a built push message always has a subscription');
      return {
        ...rest,
        ...ids,
        subscription,
        payload: { ...payload, title: `${TEST_MARK}${payload.title}` },
      };
    }
  }
}

function addressOf(message: MessageToSend): string {
  return messageAddresses(message)[0] ?? '';
}
