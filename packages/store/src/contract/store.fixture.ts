import { randomUUID } from 'node:crypto';
import type { CampaignDefinition, DeliveryStatus, Identity } from '@herald/contracts';
import { deliveryJobId, newId } from '@herald/contracts';
import { HeraldError } from '@herald/errors';
import type { DeliveryKey, NewExecution, Page, PageRequest } from '../ports';

export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function newSandbox(): string {
  return `contract-${randomUUID()}`;
}

export function randomHash(): string {
  return `${randomUUID().replaceAll('-', '')}${randomUUID().replaceAll('-', '')}`;
}

export function email(address: string): Identity {
  return { namespace: 'email', id: address };
}

export function crm(id: string): Identity {
  return { namespace: 'crmid', id };
}

export function definition(name = 'Order shipped'): CampaignDefinition {
  return {
    name,
    description: 'Tells the customer the order is on its way',
    tags: ['orders'],
    type: 'transactional',
    channel: 'email',
    channelConfig: { email: { fromAddress: 'shop@example.com', fromName: 'Shop' } },
    content: {
      defaultLocale: 'en',
      locales: {
        en: { subject: 'Order {{ context.orderId }} shipped', html: '<p>On its way</p>', text: 'On its way' },
      },
    },
    contextSchema: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
    identityNamespace: 'email',
    createProfiles: true,
  };
}

export function newExecution(
  sandbox: string,
  campaignId: string,
  extra: Partial<NewExecution> = {},
): NewExecution {
  return {
    id: newId(),
    sandbox,
    kind: 'unitary',
    campaignId,
    campaignVersion: 1,
    requestId: randomUUID(),
    recipientCount: 3,
    ...extra,
  };
}

export function newSchedule(sandbox: string) {
  return { sandbox, campaignId: newId(), executeAt: '2030-01-01T09:00:00.000Z' };
}

export function deliveryKey(sandbox: string, executionId: string, recipientIndex: number): DeliveryKey {
  return {
    id: deliveryJobId(executionId, recipientIndex),
    sandbox,
    executionId,
    campaignId: 'campaign-1',
    campaignVersion: 1,
    recipientIndex,
    channel: 'email',
  };
}

export function event(status: DeliveryStatus) {
  return { status, at: new Date().toISOString() };
}

/** Follows `nextCursor` to the end; callers compare the items with what they wrote, in order. */
export async function readAllPages<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await fetch(cursor === undefined ? { limit } : { limit, cursor });
    pages += 1;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    if (pages > 1000) throw new Error('paging does not end');
  } while (cursor !== undefined);
  return { items, pages };
}

/** The error a call is refused with; fails the test when the call succeeds. */
export async function rejection(promise: Promise<unknown>): Promise<HeraldError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HeraldError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}
