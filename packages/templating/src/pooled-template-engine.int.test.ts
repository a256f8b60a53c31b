import { PooledTemplateEngine } from './pooled-template-engine';
import { TemplateEngine } from './template-engine';
import { TemplateError } from './template-error';

describe('PooledTemplateEngine (renders in worker threads)', () => {
  const pooled = new PooledTemplateEngine({ threads: 2, maxHeapMb: 64 });
  afterAll(() => pooled.close());

  it('renders exactly what the in-thread engine renders, escaping included', async () => {
    const data = { profile: { name: 'Ada <b>' }, context: { items: [{ n: 1 }, { n: 2 }] } };
    const source = 'Hi {{ profile.name }}{% for i in context.items %}, {{ i.n | plus: 1 }}{% endfor %}';
    for (const mode of ['html', 'text'] as const) {
      expect(await pooled.render(`same-${mode}`, source, data, mode)).toBe(
        await new TemplateEngine().render(`same-${mode}`, source, data, mode),
      );
    }
  });

  it('gives back template errors with their code and position', async () => {
    const syntax = await pooled
      .render('syntax', 'Hi {{ profile.name', {}, 'text')
      .catch((error: unknown) => error);
    expect(syntax).toBeInstanceOf(TemplateError);
    expect(syntax).toMatchObject({ code: 'template-syntax' });
    const render = await pooled
      .render('filter', '{{ "x" | nosuchfilter }}', {}, 'text')
      .catch((error: unknown) => error);
    expect(render).toBeInstanceOf(TemplateError);
  });

  it("keeps the caller's event loop free while a render takes its whole budget", async () => {
    const slow = '{% for i in (1..700) %}{% for j in (1..700) %}x{% endfor %}{% endfor %}';
    const order: string[] = [];
    const rendering = pooled.render('slow', slow, {}, 'text', pooled.budget()).then(
      () => order.push('render ended'),
      () => order.push('render ended'),
    );
    // A timer due long before the render can end fires first: nothing blocks this thread.
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
    order.push('timer fired');
    await rendering;
    expect(order).toEqual(['timer fired', 'render ended']);
  });
});
