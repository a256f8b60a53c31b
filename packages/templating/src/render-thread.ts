import { TemplateEngine, type OutputMode } from './template-engine';
import { TemplateError, type TemplateErrorCode } from './template-error';

/** One render asked of a thread of the pool (see PooledTemplateEngine). */
export interface RenderTask {
  cacheKey: string;
  source: string;
  data: object;
  mode: OutputMode;
  /** What is left of the message's budget when the task was sent. */
  renderLimitMs: number;
}

export type RenderResult =
  | { ok: true; output: string }
  | { ok: false; code: TemplateErrorCode; message: string; line?: number; column?: number };

/** Each thread parses and caches templates on its own. */
const engine = new TemplateEngine();

/** Piscina's entry: renders one template, a template's fault as a result (errors are for the thread's). */
export default async function render(task: RenderTask): Promise<RenderResult> {
  try {
    const budget = { deadline: performance.now() + task.renderLimitMs };
    return {
      ok: true,
      output: await engine.render(task.cacheKey, task.source, task.data, task.mode, budget),
    };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return {
      ok: false,
      // A TemplateError is only ever made with one of these codes.
      code: error.code as TemplateErrorCode,
      message: error.message,
      ...(error.line === undefined ? {} : { line: error.line }),
      ...(error.column === undefined ? {} : { column: error.column }),
    };
  }
}
