import { CHANNELS } from '@herald/contracts';

const isText = (value: unknown): boolean => typeof value === 'string' && value !== '';
const isCount = (value: unknown, min: number): boolean => Number.isInteger(value) && (value as number) >= min;

/**
 * What is wrong with a job's data in the fields its delivery record is keyed by. Jobs come from
 * Redis, where anything with access can write: a record the store refuses would leave the job
 * to be sent again on every attempt and never recorded.
 */
export function jobKeyProblems(data: unknown): string[] {
  if (typeof data !== 'object' || data === null) return ['job data is not an object'];
  const job = data as Record<string, unknown>;
  const problems = ['deliveryId', 'executionId', 'sandbox', 'campaignId']
    .filter((field) => !isText(job[field]))
    .map((field) => `${field} is not a non-empty string`);
  if (!isCount(job.campaignVersion, 1)) problems.push('campaignVersion is not a positive integer');
  if (!isCount(job.recipientIndex, 0)) problems.push('recipientIndex is not an integer >= 0');
  if (!(CHANNELS as readonly unknown[]).includes(job.channel))
    problems.push('channel is not a known channel');
  return problems;
}

/** What is wrong with the recipient a (well-keyed) job is for. */
export function recipientProblems(recipient: unknown): string[] {
  if (typeof recipient !== 'object' || recipient === null) return ['recipient is not an object'];
  const { type, userId, namespace } = recipient as Record<string, unknown>;
  return [
    ...(type === 'aep' || type === 'external' ? [] : ['recipient.type is not aep or external']),
    ...(isText(userId) ? [] : ['recipient.userId is not a non-empty string']),
    ...(isText(namespace) ? [] : ['recipient.namespace is not a non-empty string']),
  ];
}
