import { MicroBatcher } from './micro-batcher';

/** A dispatcher that records its batches and answers each item with `item:<batch size>`. */
function recordingDispatcher(): {
  batches: string[][];
  dispatch: (items: readonly string[]) => Promise<Array<PromiseSettledResult<string>>>;
} {
  const batches: string[][] = [];
  return {
    batches,
    dispatch: async (items) => {
      batches.push([...items]);
      return items.map((item) =>
        item.startsWith('bad')
          ? { status: 'rejected', reason: new Error(`refused ${item}`) }
          : { status: 'fulfilled', value: `${item}:${items.length}` },
      );
    },
  };
}

describe('MicroBatcher', () => {
  it('dispatches items added within the window together and gives each caller its own outcome', async () => {
    const { batches, dispatch } = recordingDispatcher();
    const batcher = new MicroBatcher({ windowMs: 5, maxBatchSize: 10 }, dispatch);
    const outcomes = await Promise.allSettled(['a', 'bad-b', 'c'].map((item) => batcher.add('k', item)));
    expect(batches).toEqual([['a', 'bad-b', 'c']]);
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'a:3' },
      { status: 'rejected', reason: new Error('refused bad-b') },
      { status: 'fulfilled', value: 'c:3' },
    ]);
  });

  it('never mixes items of different keys in one dispatch', async () => {
    const { batches, dispatch } = recordingDispatcher();
    const batcher = new MicroBatcher({ windowMs: 5, maxBatchSize: 10 }, dispatch);
    await Promise.all([batcher.add('x', 'x1'), batcher.add('y', 'y1'), batcher.add('x', 'x2')]);
    expect(batches).toEqual(expect.arrayContaining([['x1', 'x2'], ['y1']]));
    expect(batches).toHaveLength(2);
  });

  it('dispatches a full group at once without waiting for the window', async () => {
    const { batches, dispatch } = recordingDispatcher();
    const batcher = new MicroBatcher({ windowMs: 60_000, maxBatchSize: 2 }, dispatch);
    await expect(Promise.all([batcher.add('k', 'a'), batcher.add('k', 'b')])).resolves.toEqual([
      'a:2',
      'b:2',
    ]);
    expect(batches).toEqual([['a', 'b']]);
  });

  it('rejects every item of a group whose dispatcher throws', async () => {
    const failure = new Error('dispatcher broke');
    const batcher = new MicroBatcher<string, string>({ windowMs: 1, maxBatchSize: 10 }, () =>
      Promise.reject(failure),
    );
    const outcomes = await Promise.allSettled([batcher.add('k', 'a'), batcher.add('k', 'b')]);
    expect(outcomes).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });

  it('rejects the items a dispatcher gives no outcome for, and settles the others', async () => {
    const batcher = new MicroBatcher<string, string>({ windowMs: 1, maxBatchSize: 10 }, async (items) => [
      { status: 'fulfilled', value: `${items[0]} ok` },
    ]);
    const outcomes = await Promise.allSettled([batcher.add('k', 'a'), batcher.add('k', 'b')]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 'a ok' });
    expect(outcomes[1]).toMatchObject({
      status: 'rejected',
      reason: { message: 'the batch gave no outcome for this item' },
    });
  });

  it('on close dispatches waiting groups at once, waits for them, then sends later items alone', async () => {
    const { batches, dispatch } = recordingDispatcher();
    const batcher = new MicroBatcher({ windowMs: 60_000, maxBatchSize: 10 }, dispatch);
    const pending = Promise.all([batcher.add('k', 'a'), batcher.add('k', 'b')]);
    await batcher.close();
    await expect(pending).resolves.toEqual(['a:2', 'b:2']);
    await expect(Promise.all([batcher.add('k', 'c'), batcher.add('k', 'd')])).resolves.toEqual([
      'c:1',
      'd:1',
    ]);
    expect(batches).toEqual([['a', 'b'], ['c'], ['d']]);
  });
});
