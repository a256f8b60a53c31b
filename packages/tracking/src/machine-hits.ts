/** A click this soon after the message was sent is a scanner's: nobody reads and clicks that fast. */
export const MACHINE_CLICK_WINDOW_SECONDS = 10;

/** An open this soon after sending is a mail server or proxy fetching images on receipt. */
export const MACHINE_OPEN_WINDOW_SECONDS = 2;

/**
 * User agents of privacy proxies, security gateways, link checkers and HTTP libraries, which fetch
 * images or follow links without a person. Apple Mail Privacy Protection's proxy sends a bare
 * `Mozilla/5.0`; Google's and Yahoo's image proxies are left out on purpose: they fetch when the
 * reader opens the message, so their opens are human.
 */
export const MACHINE_USER_AGENTS: readonly RegExp[] = [
  /^Mozilla\/5\.0$/,
  /BingPreview|Safe ?Links/i, // Microsoft Defender for Office 365 Safe Links
  /Barracuda|Mimecast|Proofpoint|Symantec|Forcepoint|FireEye|Trend ?Micro|Sophos|Zscaler|IronPort/i,
  /ms-office|Microsoft Office Existence Discovery/i, // Office apps probing a link before opening it
  /bot\/|\bbot\b|crawler|spider|HeadlessChrome|PhantomJS|python-requests|python-urllib|curl\/|Wget|Go-http-client|Java\/|okhttp|libwww|HttpClient|axios|node-fetch|undici/i,
];

/**
 * The documented rule separating machine opens/clicks (privacy proxies, scanners) from human
 * ones. A hit is a machine's when any of these holds:
 * - the request is a HEAD (link checkers probe with it; a person's browser sends GET);
 * - there is no user agent, or it matches MACHINE_USER_AGENTS (a bare `Mozilla/5.0` is Apple
 *   Mail Privacy Protection's proxy; BingPreview is Microsoft Defender Safe Links; Barracuda,
 *   Mimecast, Proofpoint and other gateways; bots and HTTP libraries);
 * - it comes less than MACHINE_CLICK_WINDOW_SECONDS (10 s) after sending for a click, or less than
 *   MACHINE_OPEN_WINDOW_SECONDS (2 s) for an open: gateways scan a message as it arrives.
 * Machine hits are still recorded, and counted apart from human ones.
 */
export function isMachineHit(hit: {
  action: 'open' | 'click';
  method: string;
  userAgent: string | undefined;
  secondsSinceSend: number;
}): boolean {
  if (hit.method.toUpperCase() === 'HEAD') return true;
  const userAgent = hit.userAgent?.trim() ?? '';
  if (userAgent === '' || MACHINE_USER_AGENTS.some((pattern) => pattern.test(userAgent))) return true;
  const machineWindow = hit.action === 'click' ? MACHINE_CLICK_WINDOW_SECONDS : MACHINE_OPEN_WINDOW_SECONDS;
  return hit.secondsSinceSend < machineWindow;
}
