import cluster from 'node:cluster';

/**
 * Runs `argv[2]` (a server entry that listens on a fixed port) in `argv[3]` worker processes
 * sharing that port through node's cluster, so one load generator with one latency histogram
 * drives them all; the remaining arguments are passed to the entry. Workers start one after
 * another, each once the previous listens, so their start-up writes (the admin key bootstrap)
 * never race. SIGTERM is passed on; the primary exits once every worker has.
 */
async function main(): Promise<void> {
  const [entry, countArgument, ...args] = process.argv.slice(2);
  const count = Number(countArgument);
  if (!entry || !Number.isInteger(count) || count < 1) {
    throw new Error('usage: cluster.js <entry> <processes> [args...]');
  }
  cluster.setupPrimary({ exec: entry, args });
  for (let index = 0; index < count; index += 1) {
    const worker = cluster.fork();
    await new Promise<void>((resolve, reject) => {
      worker.once('listening', () => resolve());
      worker.once('exit', (code) => reject(new Error(`worker exited with ${String(code)} before listening`)));
    });
  }
  process.once('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  });
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
