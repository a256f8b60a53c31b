import { sampleProcess } from './process-stats';

/** CPU microseconds per answered call, by process name. */
export type CpuPerCall = Record<string, number>;

/** Each named process's CPU seconds so far; a process that cannot be read is left out. */
export function cpuSeconds(pids: ReadonlyMap<string, number>): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const [name, pid] of pids) {
    const sample = sampleProcess(pid);
    if (sample) seconds.set(name, sample.cpuSeconds);
  }
  return seconds;
}

/**
 * The CPU each process spent between two readings, per call answered in between, plus `total`:
 * the figure that says what one call costs the machine, whatever its speed that moment.
 */
export function cpuPerCall(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  calls: number,
): CpuPerCall {
  const perCall: CpuPerCall = {};
  if (calls === 0) return perCall;
  let total = 0;
  for (const [name, start] of before) {
    const end = after.get(name);
    if (end === undefined) continue;
    const micros = ((end - start) * 1e6) / calls;
    perCall[name] = Math.round(micros);
    total += micros;
  }
  perCall.total = Math.round(total);
  return perCall;
}
