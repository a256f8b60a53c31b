import { TemplateEngine } from './template-engine';
import { TemplateError } from './template-error';
import { undeclaredContextPaths } from './context-variables';

describe('TemplateEngine', () => {
  const engine = new TemplateEngine();

  it('fills profile and context values', async () => {
    const out = await engine.render(
      'k1',
      'Hi {{ profile.name }}, order {{ context.order.id }}',
      {
        profile: { name: 'Ada' },
        context: { order: { id: 'A-1' } },
      },
      'text',
    );
    expect(out).toBe('Hi Ada, order A-1');
  });

  it('refuses a huge range or nested loops by what they allocate, before they can take the time or memory', async () => {
    const huge = engine.render('huge-range', '{% for i in (1..40000000) %}{% endfor %}', {}, 'text');
    await expect(huge).rejects.toMatchObject({
      code: 'template-render',
      message: expect.stringMatching(/memory/),
    });
    const nested = engine.render(
      'nested-loops',
      '{% for i in (1..context.n) %}{% for j in (1..context.n) %}x{% endfor %}{% endfor %}',
      { context: { n: '3000' } },
      'text',
    );
    // Stopped by its allocations or by the time limit, whichever comes first on this machine.
    await expect(nested).rejects.toMatchObject({ code: 'template-render' });
    // A long loop of real content stays well within it.
    const items = Array.from({ length: 5000 }, (_, i) => ({ name: `item ${i}` }));
    await expect(
      engine.render(
        'items',
        '{% for item in context.items %}{{ item.name }},{% endfor %}',
        { context: { items } },
        'text',
      ),
    ).resolves.toHaveLength(items.reduce((sum, item) => sum + item.name.length + 1, 0));
  });

  it("shares one time budget between a message's fields: a spent budget refuses the next field", async () => {
    const short = new TemplateEngine({ renderLimitMs: 50 });
    const slow = '{% for i in (1..900) %}{% for j in (1..900) %}{% endfor %}{% endfor %}done';
    const budget = short.budget();
    // The first field spends the budget (and is stopped by it), the next one is refused outright.
    await expect(short.render('slow', slow, {}, 'text', budget)).rejects.toMatchObject({
      code: 'template-render',
    });
    await expect(short.render('quick', 'hi', {}, 'text', budget)).rejects.toThrow(/render budget/);
    // A fresh budget renders it.
    await expect(short.render('quick', 'hi', {}, 'text', short.budget())).resolves.toBe('hi');
  });

  it('escapes inserted values in HTML output unless the template asks for raw', async () => {
    const data = { context: { note: '<script>x</script>' } };
    await expect(engine.render('k2', '<p>{{ context.note }}</p>', data, 'html')).resolves.toBe(
      '<p>&lt;script&gt;x&lt;/script&gt;</p>',
    );
    await expect(engine.render('k3', '{{ context.note | raw }}', data, 'html')).resolves.toBe(
      '<script>x</script>',
    );
  });

  it('renders a missing variable as empty, or as its default', async () => {
    await expect(engine.render('k4', '[{{ context.nope }}]', { context: {} }, 'text')).resolves.toBe('[]');
    await expect(
      engine.render('k5', '{{ profile.firstName | default: "there" }}', { profile: {} }, 'text'),
    ).resolves.toBe('there');
  });

  it('never reads templates from the file system', async () => {
    await expect(engine.render('k6', "{% include '/etc/passwd' %}", {}, 'text')).rejects.toBeInstanceOf(
      TemplateError,
    );
  });

  it('does not expose inherited properties', async () => {
    await expect(engine.render('k7', '{{ context.constructor }}', { context: {} }, 'text')).resolves.toBe('');
  });

  it('reports the line and column of a syntax error', () => {
    let caught: unknown;
    try {
      engine.parse('line one\n{% if x %}never closed', 'text');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect((caught as TemplateError).code).toBe('template-syntax');
    expect((caught as TemplateError).line).toBe(2);
  });

  it('parses a source once per cache key', async () => {
    const counting = new TemplateEngine();
    const parse = jest.spyOn(counting, 'parse');
    await counting.render('same', '{{ a }}', { a: 1 }, 'text');
    await counting.render('same', '{{ a }}', { a: 2 }, 'text');
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('stops a render that runs past its time budget with a template-render error', async () => {
    const engine = new TemplateEngine({ renderLimitMs: 50 });
    const started = Date.now();
    const error = await engine
      .render('slow', '{% for i in (1..100000000) %}{{ i }}{% endfor %}', {}, 'text')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).code).toBe('template-render');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('undeclaredContextPaths', () => {
  const engine = new TemplateEngine();
  const schema = {
    type: 'object',
    properties: {
      order: { type: 'object', properties: { id: { type: 'string' } } },
      items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
      free: { type: 'object' },
    },
  };

  it('lists context variables the schema does not declare', () => {
    const paths = engine.variablePaths(
      '{{ context.order.id }} {{ context.order.total }} {{ context.coupon }} {{ profile.x }}',
    );
    expect(undeclaredContextPaths(paths, schema)).toEqual(['context.order.total', 'context.coupon']);
  });

  it('reports an include as a template error, not a crash', () => {
    expect(() => engine.variablePaths("{% include 'other' %}")).toThrow(TemplateError);
  });

  it('accepts loops over declared arrays and anything under a free-form object', () => {
    const paths = engine.variablePaths(
      '{% for item in context.items %}{{ item.name }}{% endfor %}{{ context.items[0].name }}{{ context.free.a.b }}',
    );
    expect(undeclaredContextPaths(paths, schema)).toEqual([]);
  });
});
