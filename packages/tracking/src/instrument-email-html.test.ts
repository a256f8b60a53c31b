import { LINK_LIFETIME_SECONDS, MIRROR_LIFETIME_SECONDS } from './claims';
import { instrumentEmailHtml } from './instrument-email-html';
import type { TrackingContext } from './links';
import { serviceLinks, trackerUrl } from './links';
import { TrackingTokens } from './tokens';

const NOW = 1_765_140_000;
const BASE = 'https://t.example.com';
const tokens = new TrackingTokens(['k'.repeat(32)]);
const context: TrackingContext = {
  tokens,
  baseUrl: BASE,
  claims: {
    sandbox: 'prod',
    campaignId: 'campaign-1',
    executionId: 'execution-1',
    deliveryId: 'execution-1-r0',
    channel: 'email',
    locale: 'en',
  },
  nowSeconds: NOW,
};
const ALL = { opens: false, clicks: true };

/** The click URL the instrumentation must produce for a link (tokens are deterministic). */
function clickUrl(linkId: string, url: string, label?: string): string {
  const token = tokens.sign({
    ...context.claims,
    action: 'click',
    issuedAt: NOW,
    expiresAt: NOW + LINK_LIFETIME_SECONDS,
    linkId,
    label,
    url,
  });
  return trackerUrl(BASE, 'click', token);
}

function pixel(): string {
  const token = tokens.sign({
    ...context.claims,
    action: 'open',
    issuedAt: NOW,
    expiresAt: NOW + LINK_LIFETIME_SECONDS,
  });
  return (
    `<img src="${trackerUrl(BASE, 'open', token)}" width="1" height="1" alt=""` +
    ' style="display:block;border:0;width:1px;height:1px">'
  );
}

function tokenOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

describe('instrumentEmailHtml: links', () => {
  it('rewrites double-, single- and unquoted hrefs and leaves every other byte as it was', () => {
    const html = [
      '<!doctype html>',
      '<html><head><title>Hi & <a href="https://title.example.com/">no link</a></title>',
      '<style>a[href="https://style.example.com/"] { color: red }</style></head>',
      '<body>\r\n<p>Hello&nbsp;there &amp; welcome</p>',
      '<a href="https://a.example.com/one?x=1&amp;y=2" class="btn">One</a>',
      "<a class='c' href='http://b.example.com/two'>Two</a>",
      '<A HREF=https://c.example.com/three>Three</A>',
      '<!-- <a href="https://comment.example.com/">hidden</a> -->',
      '<script>var s = \'<a href="https://script.example.com/">\';</script>',
      '</body>',
      '</html>',
    ].join('\n');
    const result = instrumentEmailHtml(html, ALL, context);
    const expected = html
      .replace(
        'href="https://a.example.com/one?x=1&amp;y=2"',
        `href="${clickUrl('0', 'https://a.example.com/one?x=1&y=2')}"`,
      )
      .replace("href='http://b.example.com/two'", `href='${clickUrl('1', 'http://b.example.com/two')}'`)
      .replace(
        'HREF=https://c.example.com/three>',
        `HREF="${clickUrl('2', 'https://c.example.com/three')}">`,
      );
    expect(result.html).toBe(expected);
    expect(result.links).toEqual([
      { linkId: '0', url: 'https://a.example.com/one?x=1&y=2', tracked: true },
      { linkId: '1', url: 'http://b.example.com/two', tracked: true },
      { linkId: '2', url: 'https://c.example.com/three', tracked: true },
    ]);
  });

  it('signs the click with the delivery, the link id, the label and the decoded destination', () => {
    const html =
      '<a data-herald-label="hero" href=" https://e.example.com/?a=1&amp;b=2&#38;c=&quot;3&quot; ">E</a>';
    const { html: output } = instrumentEmailHtml(html, ALL, context);
    const href = /href="([^"]+)"/.exec(output)?.[1] ?? '';
    expect(href.startsWith(`${BASE}/c/`)).toBe(true);
    expect(tokens.verify(tokenOf(href), NOW)).toEqual({
      ...context.claims,
      action: 'click',
      issuedAt: NOW,
      expiresAt: NOW + LINK_LIFETIME_SECONDS,
      linkId: '0',
      label: 'hero',
      url: 'https://e.example.com/?a=1&b=2&c=%223%22',
    });
  });

  it('labels links, leaves data-herald-track="off" links alone, and removes both attributes', () => {
    const html = [
      '<a data-herald-label="hero" href="https://a.example.com/">A</a>',
      '<a href="https://b.example.com/" data-herald-track="off" data-herald-label="footer">B</a>',
      '<a href="https://c.example.com/" data-herald-track=" OFF ">C</a>',
      '<a href="https://d.example.com/" data-herald-track="on" data-herald-label="">D</a>',
      '<a\ndata-herald-label="glued"href="https://e.example.com/">E</a>',
    ].join('\n');
    const result = instrumentEmailHtml(html, ALL, context);
    expect(result.html).toBe(
      [
        `<a href="${clickUrl('0', 'https://a.example.com/', 'hero')}">A</a>`,
        '<a href="https://b.example.com/">B</a>',
        '<a href="https://c.example.com/">C</a>',
        `<a href="${clickUrl('3', 'https://d.example.com/')}">D</a>`,
        `<a href="${clickUrl('4', 'https://e.example.com/', 'glued')}">E</a>`,
      ].join('\n'),
    );
    expect(result.links).toEqual([
      { linkId: '0', url: 'https://a.example.com/', label: 'hero', tracked: true },
      { linkId: '1', url: 'https://b.example.com/', label: 'footer', tracked: false },
      { linkId: '2', url: 'https://c.example.com/', tracked: false },
      { linkId: '3', url: 'https://d.example.com/', tracked: true },
      { linkId: '4', url: 'https://e.example.com/', label: 'glued', tracked: true },
    ]);
  });

  it('never rewrites nor lists mailto:, tel:, anchors, relative, other-scheme and tracker links', () => {
    const { mirrorUrl, unsubscribeUrl } = serviceLinks(context);
    const untouched = [
      '<a href="mailto:someone@example.com">mail</a>',
      "<a href='tel:+33123456789'>call</a>",
      '<a href="#top">top</a>',
      '<a href="/relative/path">relative</a>',
      '<a href="javascript:alert(1)">js</a>',
      '<a href="{{ product.url }}">unrendered</a>',
      '<a name="anchor">no href</a>',
      '<a href>empty</a>',
      `<a href="${mirrorUrl}">view in browser</a>`,
      `<a href="${unsubscribeUrl}">unsubscribe</a>`,
      '<link href="https://fonts.example.com/css" rel="stylesheet">',
      '<img src="https://img.example.com/x.png">',
    ].join('\n');
    const result = instrumentEmailHtml(
      `${untouched}\n<a href="mailto:x@example.com" data-herald-label="m">x</a>`,
      ALL,
      context,
    );
    expect(result.html).toBe(`${untouched}\n<a href="mailto:x@example.com">x</a>`);
    expect(result.links).toEqual([]);
  });

  it('takes the first of repeated href attributes, as a browser does', () => {
    const html = '<a href="https://first.example.com/" href="https://second.example.com/">x</a>';
    const result = instrumentEmailHtml(html, ALL, context);
    expect(result.html).toBe(
      `<a href="${clickUrl('0', 'https://first.example.com/')}" href="https://second.example.com/">x</a>`,
    );
  });

  it('rewrites links to the tracker host outside the tracker path', () => {
    const scoped: TrackingContext = { ...context, baseUrl: 'https://example.com/t' };
    const html =
      '<a href="https://example.com/shop">shop</a><a href="https://example.com/t/m/abc">mirror</a>';
    const result = instrumentEmailHtml(html, ALL, scoped);
    expect(result.links).toEqual([{ linkId: '0', url: 'https://example.com/shop', tracked: true }]);
    expect(result.html).toMatch(/^<a href="https:\/\/example\.com\/t\/c\/[A-Za-z0-9_-]+">shop<\/a>/);
    expect(result.html.endsWith('<a href="https://example.com/t/m/abc">mirror</a>')).toBe(true);
  });

  it('lists links as untracked and leaves hrefs alone when clicks are off, still removing the attributes', () => {
    const html = '<p><a href="https://a.example.com/" data-herald-label="hero">A</a></p>';
    const result = instrumentEmailHtml(html, { opens: false, clicks: false }, context);
    expect(result.html).toBe('<p><a href="https://a.example.com/">A</a></p>');
    expect(result.links).toEqual([
      { linkId: '0', url: 'https://a.example.com/', label: 'hero', tracked: false },
    ]);
  });
});

describe('instrumentEmailHtml: open pixel', () => {
  const opensOnly = { opens: true, clicks: false };

  it('inserts the pixel just before the closing body tag, whatever its case', () => {
    const html = '<html><body><p>Hi</p></BODY >\n</html>\n';
    const result = instrumentEmailHtml(html, opensOnly, context);
    expect(result.html).toBe(`<html><body><p>Hi</p>${pixel()}</BODY >\n</html>\n`);
  });

  it('uses the real closing body tag, not one inside a comment or a script', () => {
    const html = '<body><!-- </body> --><script>"</body>"</script><p>x</p></body>';
    const result = instrumentEmailHtml(html, opensOnly, context);
    expect(result.html).toBe(`<body><!-- </body> --><script>"</body>"</script><p>x</p>${pixel()}</body>`);
  });

  it('appends the pixel when there is no closing body tag', () => {
    const html = '<p>fragment</p>';
    expect(instrumentEmailHtml(html, opensOnly, context).html).toBe(`<p>fragment</p>${pixel()}`);
  });

  it('adds no pixel when opens are off', () => {
    const html = '<body><p>x</p></body>';
    expect(instrumentEmailHtml(html, { opens: false, clicks: true }, context).html).toBe(html);
  });

  it('signs the pixel as an open of the delivery that expires with the links', () => {
    const { html } = instrumentEmailHtml('<body></body>', opensOnly, context);
    const src = /src="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(src.startsWith(`${BASE}/o/`)).toBe(true);
    expect(tokens.verify(tokenOf(src), NOW)).toEqual({
      ...context.claims,
      action: 'open',
      issuedAt: NOW,
      expiresAt: NOW + LINK_LIFETIME_SECONDS,
    });
  });
});

describe('serviceLinks and trackerUrl', () => {
  it('makes a mirror link valid 90 days and an unsubscribe link valid 25 months', () => {
    const { mirrorUrl, unsubscribeUrl } = serviceLinks(context);
    expect(mirrorUrl.startsWith(`${BASE}/m/`)).toBe(true);
    expect(unsubscribeUrl.startsWith(`${BASE}/u/`)).toBe(true);
    expect(tokens.verify(tokenOf(mirrorUrl), NOW)).toEqual({
      ...context.claims,
      action: 'mirror',
      issuedAt: NOW,
      expiresAt: NOW + MIRROR_LIFETIME_SECONDS,
    });
    expect(tokens.verify(tokenOf(unsubscribeUrl), NOW)).toEqual({
      ...context.claims,
      action: 'unsubscribe',
      issuedAt: NOW,
      expiresAt: NOW + LINK_LIFETIME_SECONDS,
    });
    expect(tokens.verify(tokenOf(mirrorUrl), NOW + MIRROR_LIFETIME_SECONDS + 1)).toBeNull();
  });

  it('puts each action under its own path', () => {
    expect(trackerUrl(BASE, 'open', 'T')).toBe(`${BASE}/o/T`);
    expect(trackerUrl(BASE, 'click', 'T')).toBe(`${BASE}/c/T`);
    expect(trackerUrl(BASE, 'mirror', 'T')).toBe(`${BASE}/m/T`);
    expect(trackerUrl(BASE, 'unsubscribe', 'T')).toBe(`${BASE}/u/T`);
  });
});
