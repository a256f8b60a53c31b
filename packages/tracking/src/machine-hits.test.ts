import { isMachineHit, MACHINE_CLICK_WINDOW_SECONDS, MACHINE_OPEN_WINDOW_SECONDS } from './machine-hits';

const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const human = { method: 'GET', userAgent: BROWSER, secondsSinceSend: 3600 };

describe('isMachineHit', () => {
  it('counts a browser GET long after sending as human, for opens and clicks', () => {
    expect(isMachineHit({ ...human, action: 'click' })).toBe(false);
    expect(isMachineHit({ ...human, action: 'open' })).toBe(false);
  });

  it('counts a HEAD request as a machine, whatever its user agent', () => {
    expect(isMachineHit({ ...human, action: 'click', method: 'HEAD' })).toBe(true);
    expect(isMachineHit({ ...human, action: 'click', method: 'head' })).toBe(true);
  });

  it('counts a missing or blank user agent as a machine', () => {
    expect(isMachineHit({ ...human, action: 'open', userAgent: undefined })).toBe(true);
    expect(isMachineHit({ ...human, action: 'open', userAgent: '  ' })).toBe(true);
  });

  it.each([
    ['Apple Mail Privacy Protection', 'Mozilla/5.0'],
    ['Microsoft Defender Safe Links', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) BingPreview/1.0b'],
    ['Barracuda', 'Barracuda Sentinel (EE)'],
    ['Mimecast', 'Mozilla/5.0 (compatible; Mimecast URL Protect)'],
    ['Proofpoint', 'Proofpoint-URL-Defense/1.0'],
    ['an Office app probing the link', 'Microsoft Office Existence Discovery'],
    ['a crawler', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
    ['an HTTP library', 'python-requests/2.31.0'],
    [
      'a headless browser',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36',
    ],
  ])('counts %s as a machine', (_name, userAgent) => {
    expect(isMachineHit({ ...human, action: 'click', userAgent })).toBe(true);
  });

  it("counts Gmail's image proxy as human: it fetches when the reader opens the message", () => {
    const userAgent =
      'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
    expect(isMachineHit({ ...human, action: 'open', userAgent })).toBe(false);
  });

  it('counts a click less than 10 s after sending as a machine, and one at 10 s as human', () => {
    expect(MACHINE_CLICK_WINDOW_SECONDS).toBe(10);
    expect(isMachineHit({ ...human, action: 'click', secondsSinceSend: 9.9 })).toBe(true);
    expect(isMachineHit({ ...human, action: 'click', secondsSinceSend: 10 })).toBe(false);
  });

  it('counts an open less than 2 s after sending as a machine, and one at 2 s as human', () => {
    expect(MACHINE_OPEN_WINDOW_SECONDS).toBe(2);
    expect(isMachineHit({ ...human, action: 'open', secondsSinceSend: 1 })).toBe(true);
    expect(isMachineHit({ ...human, action: 'open', secondsSinceSend: 2 })).toBe(false);
    expect(isMachineHit({ ...human, action: 'open', secondsSinceSend: 5 })).toBe(false);
  });

  it('counts a hit dated before the send (clock skew) as a machine', () => {
    expect(isMachineHit({ ...human, action: 'open', secondsSinceSend: -30 })).toBe(true);
  });
});
