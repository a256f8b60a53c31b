import type { CampaignDefinition, CampaignStatus } from '@herald/contracts';
import { ConflictError } from '@herald/errors';

/**
 * What moves a campaign from one status to another. `start` and `complete` are not called by
 * anyone: they happen when the schedule says so and are applied on the next read or trigger.
 */
export type CampaignAction = 'activate' | 'publish' | 'stop' | 'archive' | 'start' | 'complete';

export interface LifecycleRule {
  from: readonly CampaignStatus[];
  to: readonly CampaignStatus[];
}

/** The whole lifecycle: draft → live | scheduled → stopped | completed → archived. */
export const LIFECYCLE: Readonly<Record<CampaignAction, LifecycleRule>> = {
  activate: { from: ['draft'], to: ['live', 'scheduled'] },
  // Publishing swaps the live version; a new schedule may move the start into the future.
  publish: { from: ['live', 'scheduled'], to: ['live', 'scheduled'] },
  stop: { from: ['live', 'scheduled'], to: ['stopped'] },
  archive: { from: ['draft', 'stopped', 'completed'], to: ['archived'] },
  start: { from: ['scheduled'], to: ['live'] },
  complete: { from: ['live', 'scheduled'], to: ['completed'] },
};

/** Statuses in which a new version may still be added. */
export const EDITABLE: readonly CampaignStatus[] = ['draft', 'scheduled', 'live', 'stopped', 'completed'];

type Schedule = CampaignDefinition['schedule'];

/** Throws 409 `illegal-transition` naming both ends when `action` cannot take `from` to `to`. */
export function assertTransition(action: CampaignAction, from: CampaignStatus, to: CampaignStatus): void {
  const rule = LIFECYCLE[action];
  if (rule.from.includes(from) && rule.to.includes(to)) return;
  throw new ConflictError(
    'illegal-transition',
    `Cannot ${action} a ${from} campaign (${from} → ${to}); ${action} applies to ${rule.from.join(', ')} campaigns.`,
    [{ path: '/status', code: 'illegal-transition', message: `${from} → ${to} is not allowed` }],
  );
}

/** Status a campaign takes when it goes live (activation, publish): `scheduled` until its start. */
export function goLiveStatus(schedule: Schedule, now: Date): 'live' | 'scheduled' {
  return schedule?.start !== undefined && Date.parse(schedule.start) > now.getTime() ? 'scheduled' : 'live';
}

/**
 * The status the schedule has moved a live or scheduled campaign to by `now`, or null when it
 * stays as it is. The end wins over the start: a campaign whose window has passed is completed.
 */
export function dueStatus(status: CampaignStatus, schedule: Schedule, now: Date): CampaignStatus | null {
  if (status !== 'live' && status !== 'scheduled') return null;
  if (schedule?.end !== undefined && Date.parse(schedule.end) <= now.getTime()) return 'completed';
  if (status === 'scheduled' && goLiveStatus(schedule, now) === 'live') return 'live';
  return null;
}
