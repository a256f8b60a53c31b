import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
const TICKS_PER_SECOND = readTicksPerSecond();

function readTicksPerSecond(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

export interface ProcessSample {
  /** User + system CPU seconds used since the process started. */
  cpuSeconds: number;
  rssBytes: number;
}

/**
 * CPU time and resident memory of another process, read from /proc (Linux), or undefined when
 * the process is gone or /proc is not there: the figures of a process are only visible from
 * inside it otherwise.
 */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine spent busy (all cores, everything but idle and I/O wait). */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return (total - idle) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export interface ProcessFigures {
  /** Average CPU over the window, in % of one core. */
  cpuPercent: number;
  /** Highest resident set seen while sampling. */
  maxRssMb: number;
}

export interface WatchFigures {
  processes: Record<string, ProcessFigures>;
  /**
   * CPU used by everything else on the machine over the window, in % of one core: the run's
   * noise (another build or test run shares the cores). Null when /proc/stat is unreadable.
   */
  otherCpuPercent: number | null;
}

/** Watches named processes over one window: CPU from the window's two ends, RSS at each tick. */
export class ProcessWatch {
  private readonly start = new Map<string, ProcessSample>();
  private readonly maxRss = new Map<string, number>();
  private readonly startedAt = performance.now();
  private readonly machineAtStart = machineBusySeconds();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: ReadonlyMap<string, number>,
    intervalMs = 1000,
  ) {
    for (const [name, pid] of pids) {
      const sample = sampleProcess(pid);
      if (sample) this.start.set(name, sample);
    }
    this.tick();
    this.timer = setInterval(() => this.tick(), intervalMs);
  }

  private tick(): void {
    for (const [name, pid] of this.pids) {
      const sample = sampleProcess(pid);
      if (sample) this.maxRss.set(name, Math.max(this.maxRss.get(name) ?? 0, sample.rssBytes));
    }
  }

  /** Ends the window; a process not readable at both ends is left out. */
  stop(): WatchFigures {
    clearInterval(this.timer);
    this.tick();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const percentOf = (cpuSeconds: number): number => Math.round((cpuSeconds / seconds) * 1000) / 10;
    const processes: Record<string, ProcessFigures> = {};
    let ours = 0;
    for (const [name, pid] of this.pids) {
      const first = this.start.get(name);
      const last = sampleProcess(pid);
      if (!first || !last) continue;
      ours += last.cpuSeconds - first.cpuSeconds;
      processes[name] = {
        cpuPercent: percentOf(last.cpuSeconds - first.cpuSeconds),
        maxRssMb: Math.round((this.maxRss.get(name) ?? last.rssBytes) / 104857.6) / 10,
      };
    }
    const machineAtEnd = machineBusySeconds();
    const otherCpuPercent =
      this.machineAtStart === undefined || machineAtEnd === undefined
        ? null
        : Math.max(0, percentOf(machineAtEnd - this.machineAtStart - ours));
    return { processes, otherCpuPercent };
  }
}
