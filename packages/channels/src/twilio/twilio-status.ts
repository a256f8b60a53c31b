import type { ProviderFeedback } from '@herald/contracts';

/** Twilio error codes of a status callback that mean the number can never receive SMS. */
const UNREACHABLE_NUMBER_CODES: ReadonlySet<string> = new Set([
  // Unknown destination handset.
  '30005',
  // Landline or unreachable carrier.
  '30006',
]);

/**
 * Error codes of a failed callback that say the recipient's phone could not take the message
 * this time: only these count towards the number's run of soft bounces. Queue overflows, account,
 * content and carrier filtering errors (30001, 30002, 30007…) are about the sender, not the number.
 */
const RECIPIENT_TEMPORARY_CODES: ReadonlySet<string> = new Set([
  // Unreachable destination handset (switched off, out of coverage).
  '30003',
  // Message blocked by the destination (its carrier or the person).
  '30004',
]);

/**
 * Reads one Twilio status callback (form parameters) about the delivery named in its URL's query
 * (`sandbox`, `deliveryId`, put there by the worker). `delivered` and `read` move the record;
 * `undelivered` and `failed` make it bounced, and suppress the number when the carrier says it
 * does not exist; the in-between statuses (queued, sending, sent…) are not recorded. Returns
 * nothing for a callback Herald does not record.
 */
export function parseTwilioStatus(
  query: Record<string, unknown>,
  params: Record<string, string>,
  now: Date = new Date(),
): ProviderFeedback | undefined {
  const sandbox = typeof query.sandbox === 'string' ? query.sandbox : '';
  const deliveryId = typeof query.deliveryId === 'string' ? query.deliveryId : '';
  if (sandbox === '' || deliveryId === '') return undefined;
  const base = { sandbox, deliveryId, ...(params.To ? { address: params.To } : {}) };
  const at = now.toISOString();
  const errorCode = params.ErrorCode;
  const detail = errorCode ? { detail: `Twilio error ${errorCode}` } : {};
  switch (params.MessageStatus) {
    case 'delivered':
      return { ...base, event: { status: 'delivered', at } };
    case 'read':
      return { ...base, event: { status: 'opened', at } };
    case 'undelivered':
    case 'failed': {
      const unreachable = errorCode !== undefined && UNREACHABLE_NUMBER_CODES.has(errorCode);
      return {
        ...base,
        event: {
          status: 'bounced',
          at,
          reason: unreachable ? 'hard-bounce' : params.MessageStatus,
          ...detail,
        },
        ...(unreachable ? { suppress: 'hard-bounce' as const } : {}),
        ...(errorCode !== undefined && RECIPIENT_TEMPORARY_CODES.has(errorCode)
          ? { softBounce: true as const }
          : {}),
      };
    }
    default:
      return undefined;
  }
}
