import { Liquid, type Template } from 'liquidjs';
import { TemplateError } from './template-error';

export type OutputMode = 'html' | 'text';

export interface TemplateEngineOptions {
  /** Parsed templates kept in memory (least recently used dropped first). */
  cacheSize?: number;
  /** Time budget of one message (every field it renders, shared through a RenderBudget), in ms. */
  renderLimitMs?: number;
  /** Longest template source accepted, in characters. */
  parseLimit?: number;
}

/**
 * What liquidjs may allocate in one render: array and string elements built by ranges and
 * filters, counted together. A range `(1..40000000)` took 900 MB before the time limit could
 * stop it, and two nested 2,000-step loops 4 million steps; both are refused at once under it,
 * while a 1 MB template over a 200 KB context stays far below.
 */
const MEMORY_LIMIT = 1_000_000;

/** The time left to one message's renders: every field of the message draws on the same budget. */
export interface RenderBudget {
  /** `performance.now()` by which every render of the message must have ended. */
  readonly deadline: number;
}

/**
 * Renders campaign content with liquidjs. Templates come only from memory (the `templates`
 * option replaces the file system, so `include`/`render` can never read a file), only own
 * properties of the data are visible, missing variables render empty, and HTML output escapes
 * every value unless the template says `| raw`.
 */
export class TemplateEngine {
  private readonly engines: Record<OutputMode, Liquid>;
  private readonly cache = new Map<string, Template[]>();
  private readonly cacheSize: number;
  protected readonly renderLimitMs: number;

  constructor(options: TemplateEngineOptions = {}) {
    this.cacheSize = options.cacheSize ?? 2000;
    this.renderLimitMs = options.renderLimitMs ?? 1000;
    const common = {
      templates: {},
      ownPropertyOnly: true,
      strictFilters: true,
      strictVariables: false,
      renderLimit: this.renderLimitMs,
      parseLimit: options.parseLimit ?? 1_000_000,
      memoryLimit: MEMORY_LIMIT,
    };
    this.engines = {
      html: new Liquid({ ...common, outputEscape: 'escape' }),
      text: new Liquid(common),
    };
  }

  /** Parses `source`, throwing TemplateError with the position of the first syntax error. */
  parse(source: string, mode: OutputMode): Template[] {
    try {
      return this.engines[mode].parse(source);
    } catch (error) {
      throw toTemplateError('template-syntax', error);
    }
  }

  /** A budget for the renders of one message: `renderLimitMs` for all its fields together. */
  budget(): RenderBudget {
    return { deadline: performance.now() + this.renderLimitMs };
  }

  /**
   * Renders `source` with `data`. `cacheKey` names the source (campaign, version, locale,
   * field): the same key must always name the same source, so it is parsed once. With a budget,
   * the render gets only the time the message has left (a message of many fields cannot take
   * `renderLimitMs` for each).
   */
  async render(
    cacheKey: string,
    source: string,
    data: object,
    mode: OutputMode,
    budget?: RenderBudget,
  ): Promise<string> {
    const renderLimit = budget ? Math.floor(budget.deadline - performance.now()) : undefined;
    if (renderLimit !== undefined && renderLimit <= 0) {
      throw new TemplateError(
        'template-render',
        `the message's render budget (${this.renderLimitMs} ms for all its fields) is spent`,
      );
    }
    const key = `${mode}\u0000${cacheKey}`;
    let template = this.cache.get(key);
    if (template) {
      this.cache.delete(key);
    } else {
      template = this.parse(source, mode);
      if (this.cache.size >= this.cacheSize) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
    }
    this.cache.set(key, template);
    try {
      // Templates can load nothing (no file system, no async filters), so the synchronous renderer
      // gives the same output without a promise per tag: it was the largest cost of rendering.
      return String(
        renderLimit === undefined
          ? this.engines[mode].renderSync(template, data)
          : this.engines[mode].renderSync(template, data, { renderLimit }),
      );
    } catch (error) {
      throw toTemplateError('template-render', error);
    }
  }

  /** Variable paths a template reads, e.g. `['context', 'order', 'id']`. */
  variablePaths(source: string): Array<Array<string | number>> {
    const template = this.parse(source, 'text');
    let segments: ReturnType<Liquid['variableSegmentsSync']>;
    try {
      // Analysis follows `include`/`render`, which have nothing to load: that is a template error.
      segments = this.engines.text.variableSegmentsSync(template);
    } catch (error) {
      if (error instanceof Error && (error as Error & { code?: unknown }).code === 'ENOENT') {
        throw new TemplateError(
          'template-syntax',
          `${error.message.replace(/^ENOENT: /, '')}: campaign templates cannot include other templates`,
        );
      }
      throw toTemplateError('template-syntax', error);
    }
    return segments.map((path) =>
      path.filter((segment): segment is string | number => !Array.isArray(segment)),
    );
  }
}

function toTemplateError(code: 'template-syntax' | 'template-render', error: unknown): TemplateError {
  if (error instanceof Error) {
    const position = /line:(\d+), col:(\d+)/.exec(error.message);
    const message = error.message.split(', line:')[0] ?? error.message;
    return new TemplateError(
      code,
      message,
      position ? Number(position[1]) : undefined,
      position ? Number(position[2]) : undefined,
    );
  }
  return new TemplateError(code, String(error));
}
