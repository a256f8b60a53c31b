import type { Job } from 'bullmq';
import { waitFor } from './wait-for';

export type JobState = Awaited<ReturnType<Job['getState']>>;

/** What `jobInState` needs of a BullMQ queue, whatever its job types. */
interface JobSource<J> {
  getJob(jobId: string): Promise<J | undefined>;
  getJobState(jobId: string): Promise<JobState>;
}

/**
 * Resolves with the job once BullMQ holds it in `state` and `ready` (when given) accepts it. The
 * job is read after its state, so it carries what its run wrote (return value, data, failure).
 */
export function jobInState<J>(
  queue: JobSource<J>,
  jobId: string,
  state: JobState,
  ready: (job: J) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<J> {
  return waitFor(
    async () => {
      if ((await queue.getJobState(jobId)) !== state) return undefined;
      const job = await queue.getJob(jobId);
      return job && ready(job) ? job : undefined;
    },
    { timeoutMs, description: `job ${jobId} ${state}` },
  );
}
