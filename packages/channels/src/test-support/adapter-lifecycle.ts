import type { StandinBehaviour } from '@herald/testing';
import type { OutboundMessage } from '@herald/contracts';
import type { ChannelAdapter, SendResult } from '../channel-adapter';

/** An adapter whose pooled connections a test must release. */
export type ClosableAdapter = Pick<ChannelAdapter, 'send'> & { close(): Promise<void> };

/** What every provider stand-in offers for a test to set its answers and stop it. */
export interface Standin {
  behave(behaviour: StandinBehaviour): void;
  close(): Promise<void>;
}

/** The stand-in and the adapter pointed at it, for the tests of one describe block. */
export interface StandinAndAdapter<S extends Standin, A extends ClosableAdapter> {
  readonly standin: S;
  readonly adapter: A;
}

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('used outside a test: the stand-in starts in beforeAll');
  return value;
}

/**
 * Starts a stand-in and an adapter once for the enclosing describe block, restores the stand-in's
 * plain success after each test, and stops both at the end.
 */
export function useStandinAndAdapter<S extends Standin, A extends ClosableAdapter>(
  startStandin: () => Promise<S>,
  createAdapter: (standin: S) => A,
): StandinAndAdapter<S, A> {
  let standin: S | undefined;
  let adapter: A | undefined;
  beforeAll(async () => {
    standin = await startStandin();
    adapter = createAdapter(standin);
  });
  afterEach(() => standin?.behave({}));
  afterAll(async () => {
    await adapter?.close();
    await standin?.close();
  });
  return {
    get standin() {
      return started(standin);
    },
    get adapter() {
      return started(adapter);
    },
  };
}

/** Sends one message through an adapter made for a single test, and closes it however the send ends. */
export async function sendOnceThenClose(
  adapter: ClosableAdapter,
  message: OutboundMessage,
): Promise<SendResult> {
  try {
    return await adapter.send(message);
  } finally {
    await adapter.close();
  }
}
