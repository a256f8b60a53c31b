import path from 'node:path';
import { Piscina } from 'piscina';
import {
  TemplateEngine,
  type OutputMode,
  type RenderBudget,
  type TemplateEngineOptions,
} from './template-engine';
import { TemplateError } from './template-error';
import type { RenderResult, RenderTask } from './render-thread';

/**
 * The thread module, always the built one: from `dist/` it is beside this file, and from the
 * sources (tests run them) it is in `../dist/`, which the build writes before any test runs.
 */
const THREAD_FILE = path.resolve(__dirname, '..', 'dist', 'render-thread.js');

/** Beyond the budget, how long a thread may go on before it is stopped (liquidjs checks time only between tags). */
const HARD_STOP_MARGIN_MS = 500;

export interface PooledTemplateEngineOptions extends TemplateEngineOptions {
  /** Render threads; each holds its own parsed-template cache. */
  threads: number;
  /** A thread's heap; a render that needs more is stopped (its thread is replaced). */
  maxHeapMb: number;
}

/**
 * The template engine for renders a person waits on in the API (preview, test-send, dry run,
 * activation checks): each render runs in a thread of a pool, so a template that takes its whole
 * budget never holds the API's event loop (its /health, other sandboxes' calls), and one that
 * runs past its budget or out of its heap is stopped by ending its thread. Templates are parsed
 * (and cached) in the threads; `parse` and `variablePaths` still run on the caller's thread,
 * bounded by parseLimit. The worker keeps the in-thread
 * engine: there a render is one job among many, and copying data to a thread would cost more.
 */
export class PooledTemplateEngine extends TemplateEngine {
  private readonly pool: Piscina<RenderTask, RenderResult>;

  constructor(options: PooledTemplateEngineOptions) {
    super(options);
    this.pool = new Piscina<RenderTask, RenderResult>({
      filename: THREAD_FILE,
      minThreads: 1,
      maxThreads: options.threads,
      idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb, maxYoungGenerationSizeMb: 16 },
    });
  }

  override async render(
    cacheKey: string,
    source: string,
    data: object,
    mode: OutputMode,
    budget: RenderBudget = this.budget(),
  ): Promise<string> {
    const renderLimitMs = Math.floor(budget.deadline - performance.now());
    if (renderLimitMs <= 0) {
      throw new TemplateError(
        'template-render',
        `the message's render budget (${this.renderLimitMs} ms for all its fields) is spent`,
      );
    }
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), renderLimitMs + HARD_STOP_MARGIN_MS);
    let result: RenderResult;
    try {
      result = await this.pool.run({ cacheKey, source, data, mode, renderLimitMs }, { signal: stop.signal });
    } catch (error) {
      if (stop.signal.aborted) {
        throw new TemplateError(
          'template-render',
          `rendering went past its ${renderLimitMs} ms budget and was stopped`,
        );
      }
      if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        throw new TemplateError(
          'template-render',
          'rendering needed more memory than a render may use and was stopped',
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
    if (!result.ok) throw new TemplateError(result.code, result.message, result.line, result.column);
    return result.output;
  }

  /** Ends the threads (a render in flight is refused). */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
