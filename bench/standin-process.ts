import { startSendGridStandin, type AcceptedMail } from '@herald/channels/test-support';
import { serveIpc, type IpcRequest } from './forked-process';

/** Sent to the bench once the stand-in listens. */
export interface StandinReady {
  type: 'ready';
  url: string;
  apiKey: string;
}

export interface StandinTotals {
  accepted: number;
  requests: number;
}

/** Per execution asked for: [recipients accepted, epoch ms of the last accept] (0, 0 when none). */
export interface StandinExecutions {
  executions: Array<[number, number]>;
}

/**
 * The SendGrid stand-in in its own process, so its CPU is not the bench's: it keeps no
 * message, only, per execution (the `execution_id` custom arg), how many recipients were
 * accepted and when the last one was, which is when the call was fully handed to the provider.
 */
async function main(): Promise<void> {
  const byExecution = new Map<string, [number, number]>();
  const standin = await startSendGridStandin({
    keepMessages: false,
    onAccepted: (mail: AcceptedMail) => {
      const executionId = mail.customArgs.execution_id;
      if (executionId === undefined) return;
      const seen = byExecution.get(executionId);
      if (seen) {
        seen[0] += 1;
        seen[1] = Math.max(seen[1], mail.acceptedAt);
      } else {
        byExecution.set(executionId, [1, mail.acceptedAt]);
      }
    },
  });
  serveIpc(async (request: IpcRequest) => {
    if (request.type === 'totals') {
      return { accepted: standin.acceptedCount, requests: standin.requestCount } satisfies StandinTotals;
    }
    if (request.type === 'executions') {
      const ids = Array.isArray(request.ids) ? (request.ids as string[]) : [];
      return {
        executions: ids.map((id) => byExecution.get(id) ?? [0, 0]),
      } satisfies StandinExecutions;
    }
    throw new Error(`unknown request ${request.type}`);
  });
  process.once('SIGTERM', () => {
    void standin.close().then(() => process.exit(0));
  });
  process.send?.({ type: 'ready', url: standin.url, apiKey: standin.apiKey } satisfies StandinReady);
}

main().catch((error: unknown) => {
  process.stderr.write(`stand-in failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
