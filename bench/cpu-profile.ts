import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createTempDir, type TempDir } from '@herald/testing';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

export interface FrameShare {
  frame: string;
  selfPercent: number;
}

export interface CpuProfileSummary {
  files: string[];
  samples: number;
  /** Self time by code area: a dependency, a Herald package, node internals, GC, idle. */
  byArea: FrameShare[];
  /** Functions with the most self time. */
  topFrames: FrameShare[];
}

/** Where a frame's code lives: `node_modules/<package>`, a Herald package, node itself, or V8. */
function areaOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return `(${frame.functionName.replace(/[()]/g, '') || 'native'})`;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (dependency) return dependency[1] ?? 'dependency';
  const herald = /\/(packages|services)\/([^/]+)\//.exec(frame.url);
  if (herald) return `@herald/${herald[2] ?? '?'}`;
  if (frame.url.startsWith('node:')) return 'node internals';
  return 'other';
}

function frameName(frame: ProfileNode['callFrame']): string {
  const location =
    frame.url === ''
      ? ''
      : ` ${frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/work\/[^/]+\//, '')}:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'}${location}`;
}

function shares(counts: Map<string, number>, total: number, limit: number): FrameShare[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([frame, count]) => ({ frame, selfPercent: Math.round((count / total) * 1000) / 10 }));
}

/**
 * Self-time summary of the `.cpuprofile` files in `dir` (one per profiled process), merged;
 * the profile of `excludePid` is left out. Node names them `CPU.<date>.<time>.<pid>.<tid>.<n>`.
 */
export function summariseCpuProfiles(
  dir: string,
  excludePids: readonly number[] = [],
  topCount = 20,
): CpuProfileSummary {
  const excluded = new Set(excludePids.map(String));
  const files = readdirSync(dir).filter(
    (file) => file.endsWith('.cpuprofile') && !excluded.has(file.split('.')[3] ?? ''),
  );
  const byArea = new Map<string, number>();
  const byFrame = new Map<string, number>();
  let samples = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    for (const id of profile.samples) {
      const frame = frames.get(id);
      if (!frame) continue;
      samples += 1;
      const area = areaOf(frame);
      byArea.set(area, (byArea.get(area) ?? 0) + 1);
      const name = frameName(frame);
      byFrame.set(name, (byFrame.get(name) ?? 0) + 1);
    }
  }
  return {
    files,
    samples,
    byArea: shares(byArea, samples, 15),
    topFrames: shares(byFrame, samples, topCount),
  };
}

/**
 * Where the profiled processes write their `.cpuprofile` files: a new folder of this run under
 * `keepIn` when given (kept, to be opened in Chrome DevTools or speedscope; a folder per run, so
 * the summary never mixes in an earlier run's files), else a temporary folder removed after it.
 */
export function profileDirectory(keepIn: string | undefined, prefix: string): TempDir {
  if (keepIn === undefined || keepIn === '') return createTempDir(prefix);
  const parent = path.resolve(keepIn);
  mkdirSync(parent, { recursive: true });
  return { path: mkdtempSync(path.join(parent, `${prefix}-`)), remove: () => undefined };
}
