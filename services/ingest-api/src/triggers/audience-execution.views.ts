import type { Execution, ExecutionStatus } from '@herald/contracts';
import type { Schedule } from '@herald/store';

export type AudienceExecutionStatus = 'InProgress' | 'Succeeded' | 'Failed';

/** The store's statuses read as the fan-out's: `queued` means every profile's job is queued. */
const AJO_STATUS: Record<ExecutionStatus, AudienceExecutionStatus> = {
  accepted: 'InProgress',
  queued: 'Succeeded',
  failed: 'Failed',
};

export interface AudienceExecutionView {
  executionId: string;
  campaignId: string;
  audienceId: string;
  status: AudienceExecutionStatus;
  targetedProfileCount: number;
  createdAt: string;
}

export interface ScheduleView {
  scheduleId: string;
  campaignId: string;
  audience: { id: string };
  executeAt: string;
  scheduleStatus: 'Scheduled' | 'Triggered';
  executionDetails?: AudienceExecutionView;
}

export function toExecutionView(execution: Execution, audienceId: string): AudienceExecutionView {
  return {
    executionId: execution.id,
    campaignId: execution.campaignId,
    audienceId,
    status: AJO_STATUS[execution.status],
    targetedProfileCount: execution.targetedProfileCount ?? 0,
    createdAt: execution.createdAt,
  };
}

export function toScheduleView(
  schedule: Schedule,
  scheduleStatus: ScheduleView['scheduleStatus'],
): ScheduleView {
  return {
    scheduleId: schedule.id,
    campaignId: schedule.campaignId,
    audience: { id: scheduleAudience(schedule) },
    executeAt: schedule.executeAt,
    scheduleStatus,
  };
}

/** Schedules of audience executions always name their audience; the store keeps it optional. */
export function scheduleAudience(schedule: Schedule): string {
  return schedule.audienceId ?? '';
}
