import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type EngagementEvent, type StoreOptions } from '@herald/store';

/** A batch to write, numbered so the answer finds its caller. */
export interface WriteRequest {
  id: number;
  events: readonly EngagementEvent[];
}

export type WriteReply = { id: number; stored: number } | { id: number; error: string };

/** The first message: the store is open (or could not be). */
export type ThreadReady = { ready: true } | { ready: false; error: string };

/**
 * The body of the tracker's writer thread: its own store connection, writing the batches the
 * event loop hands it, so that SQLite's synchronous inserts never hold up a hit's answer. Runs
 * only as a worker thread (see EngagementThread); `close` ends it after the last write.
 */
async function run(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('engagement-thread runs as a worker thread only');
  let store;
  try {
    store = await openStore(workerData as StoreOptions);
  } catch (error) {
    port.postMessage({ ready: false, error: error instanceof Error ? error.message : String(error) });
    return;
  }
  const opened = store;
  port.on('message', (message: WriteRequest | 'close') => {
    if (message === 'close') {
      void opened.close().finally(() => port.close());
      return;
    }
    opened.engagement.recordMany(message.events).then(
      (stored) => port.postMessage({ id: message.id, stored } satisfies WriteReply),
      (error: unknown) =>
        port.postMessage({
          id: message.id,
          error: error instanceof Error ? error.message : String(error),
        } satisfies WriteReply),
    );
  });
  port.postMessage({ ready: true } satisfies ThreadReady);
}

void run();
