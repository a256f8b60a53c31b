import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EngagementEvent, EngagementRepository, StoreOptions } from '@herald/store';
import type { ThreadReady, WriteReply, WriteRequest } from './engagement-thread';

interface Pending {
  resolve(stored: number): void;
  reject(error: Error): void;
}

/**
 * The engagement writes of the tracker, done by a worker thread with its own store connection.
 * The embedded store's inserts are synchronous: on the event loop a 500-event batch held every
 * hit waiting for a few milliseconds, and its CPU was the event loop's. If the thread dies, the
 * batches in flight are refused (the writer retries them) and later ones go to `fallback`, the
 * event loop's own store.
 */
export class EngagementThread implements Pick<EngagementRepository, 'recordMany'> {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private alive = true;

  private constructor(
    private readonly worker: Worker,
    private readonly fallback: Pick<EngagementRepository, 'recordMany'>,
  ) {
    worker.on('message', (reply: WriteReply) => this.settle(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the engagement thread exited (code ${code})`)));
  }

  /** Starts the thread on the built `engagement-thread.js` beside this file; resolves once its store is open. */
  static async start(
    store: StoreOptions,
    fallback: Pick<EngagementRepository, 'recordMany'>,
  ): Promise<EngagementThread> {
    const worker = new Worker(path.join(__dirname, 'engagement-thread.js'), { workerData: store });
    const ready = await new Promise<ThreadReady>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!ready.ready) {
      await worker.terminate();
      throw new Error(`the engagement thread cannot open the store: ${ready.error}`);
    }
    return new EngagementThread(worker, fallback);
  }

  recordMany(events: readonly EngagementEvent[]): Promise<number> {
    if (!this.alive) return this.fallback.recordMany(events);
    const id = (this.nextId += 1);
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, events } satisfies WriteRequest);
    });
  }

  /** Ends the thread once its store is closed; call after the last write has settled. */
  async close(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('close');
    await exited;
  }

  private settle(reply: WriteReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if ('error' in reply) pending.reject(new Error(reply.error));
    else pending.resolve(reply.stored);
  }

  private fail(error: Error): void {
    this.alive = false;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
