import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { Logger } from '@herald/logger';
import { readinessHandler, type ReadinessCheck } from '@herald/service-runtime';
import type { EngagementEvent, MirrorPageRepository, ShortLinkRepository } from '@herald/store';
import {
  isMachineHit,
  isShortCode,
  type TrackedAction,
  type TrackingClaims,
  type TrackingTokens,
} from '@herald/tracking';
import {
  confirmPage,
  ERROR_PAGE,
  MIRROR_HEADERS,
  NO_STORE,
  NOT_FOUND_PAGE,
  OWN_PAGE_HEADERS,
  PIXEL_GIF,
  unsubscribedPage,
} from './pages';
import { hitKeys } from './hit-keys';
import type { Unsubscriber } from './unsubscriber';

/** Where the tracker's events go; never rejects (see EngagementWriter). */
export interface EventSink {
  record(event: EngagementEvent): Promise<void>;
}

export interface TrackerAppDeps {
  tokens: TrackingTokens;
  events: EventSink;
  mirrorPages: Pick<MirrorPageRepository, 'get'>;
  shortLinks: Pick<ShortLinkRepository, 'get'>;
  unsubscriber: Unsubscriber;
  readinessChecks: readonly ReadinessCheck[];
  logger: Logger;
  /** Milliseconds since the epoch; tests move it to expire tokens and pages. */
  now?: () => number;
}

/** A form's or a one-click POST's body is one short field; anything longer is not one of them. */
const FORM_BODY_LIMIT = '2kb';
/** Printable ASCII without spaces: a URL that can go into a Location header as it is. */
const HEADER_SAFE_URL = /^[\x21-\x7e]+$/;
const HTTP_URL = /^https?:\/\//i;

/**
 * The tracker's HTTP application, without listening. Opens, clicks and the unsubscribe page answer
 * from the signed token alone (no store read; an SMS short link reads the token its code stands
 * for): a token that does not verify, is expired, or was signed for another action gets 404,
 * records nothing and redirects nowhere. Logs name the route, never the token (it holds the link's
 * URL) nor an address.
 */
export function createTrackerApp(deps: TrackerAppDeps): Express {
  const { tokens, events, logger } = deps;
  const now = deps.now ?? Date.now;
  const nextHitKey = hitKeys();
  const verified = (req: Request, action: TrackedAction): TrackingClaims | null => {
    const token = req.params.token;
    if (typeof token !== 'string') return null;
    const claims = tokens.verify(token, Math.floor(now() / 1000));
    return claims?.action === action ? claims : null;
  };
  // Field by field, no spreads: it runs on every open and click.
  const hit = (
    claims: TrackingClaims,
    kind: 'opened' | 'clicked',
    req: Request,
    at: number,
  ): EngagementEvent => {
    const event = deliveryOf(claims) as EngagementEvent;
    event.key = nextHitKey();
    event.kind = kind;
    event.at = new Date(at).toISOString();
    event.machine = isMachineHit({
      action: kind === 'opened' ? 'open' : 'click',
      method: req.method,
      userAgent: req.headers['user-agent'],
      secondsSinceSend: Math.max(0, at / 1000 - claims.issuedAt),
    });
    if (kind === 'clicked' && claims.linkId !== undefined) event.linkId = claims.linkId;
    if (kind === 'clicked' && claims.label !== undefined) event.label = claims.label;
    return event;
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);
  if (logger.isLevelEnabled('debug')) app.use(requestLog(logger));

  // Express answers HEAD with the GET handler (without the body): a HEAD is a machine's hit.
  app.get('/o/:token', (req, res) => {
    const claims = verified(req, 'open');
    if (!claims) return notFound(res);
    res.set({ 'Content-Type': 'image/gif', 'Cache-Control': NO_STORE }).end(PIXEL_GIF);
    void events.record(hit(claims, 'opened', req, now()));
  });

  const redirect = (claims: TrackingClaims | null, req: Request, res: Response): void => {
    const target = claims ? redirectTarget(claims.url) : undefined;
    if (!claims || target === undefined) return notFound(res);
    res.status(302).set({ Location: target, 'Cache-Control': NO_STORE }).end();
    void events.record(hit(claims, 'clicked', req, now()));
  };

  app.get('/c/:token', (req, res) => redirect(verified(req, 'click'), req, res));

  // An SMS's short link: the code stands for a click token kept in the store (the one store read
  // on a hit's path, since an SMS cannot carry the token); the token is verified as a /c/ one is.
  app.get('/s/:code', async (req, res) => {
    const code = req.params.code;
    const link = isShortCode(code) ? await deps.shortLinks.get(code, new Date(now())) : null;
    const claims = link ? tokens.verify(link.token, Math.floor(now() / 1000)) : null;
    redirect(claims?.action === 'click' && claims.sandbox === link?.sandbox ? claims : null, req, res);
  });

  app.get('/m/:token', async (req, res) => {
    const claims = verified(req, 'mirror');
    if (!claims) return notFound(res);
    const page = await deps.mirrorPages.get(claims.sandbox, claims.deliveryId, new Date(now()));
    if (!page) return notFound(res);
    res.status(200).set(MIRROR_HEADERS).type('html').send(page.html);
  });

  app.get('/u/:token', (req, res) => {
    const claims = verified(req, 'unsubscribe');
    if (!claims) return notFound(res);
    res.status(200).set(OWN_PAGE_HEADERS).type('html').send(confirmPage(claims.channel));
  });

  // RFC 8058: a mail client's one-click POST carries `List-Unsubscribe=One-Click` form-encoded; the
  // confirm page's form posts the same. The token alone decides: the body is read and not needed.
  app.post('/u/:token', express.urlencoded({ extended: false, limit: FORM_BODY_LIMIT }), async (req, res) => {
    const claims = verified(req, 'unsubscribe');
    if (!claims) return notFound(res);
    const outcome = await deps.unsubscriber.unsubscribe(
      claims.sandbox,
      claims.deliveryId,
      claims.channel,
      claims.profileId,
    );
    if (outcome === 'unknown-delivery') return notFound(res);
    // Once per delivery, however often it is posted: the key is the delivery's.
    await events.record({
      key: `${claims.deliveryId}:unsubscribed`,
      ...deliveryOf(claims),
      kind: 'unsubscribed',
      at: new Date(now()).toISOString(),
    });
    logger.info(
      { sandbox: claims.sandbox, campaignId: claims.campaignId, deliveryId: claims.deliveryId, outcome },
      'unsubscribed',
    );
    res.status(200).set(OWN_PAGE_HEADERS).type('html').send(unsubscribedPage(claims.channel));
  });

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', readinessHandler(deps.readinessChecks));

  app.use((_req, res) => notFound(res));
  app.use(errorHandler(logger));
  return app;
}

function deliveryOf(
  claims: TrackingClaims,
): Pick<EngagementEvent, 'sandbox' | 'campaignId' | 'executionId' | 'deliveryId' | 'channel' | 'locale'> {
  const delivery: Pick<
    EngagementEvent,
    'sandbox' | 'campaignId' | 'executionId' | 'deliveryId' | 'channel' | 'locale'
  > = {
    sandbox: claims.sandbox,
    campaignId: claims.campaignId,
    executionId: claims.executionId,
    deliveryId: claims.deliveryId,
    channel: claims.channel,
  };
  if (claims.locale !== undefined) delivery.locale = claims.locale;
  return delivery;
}

/**
 * The URL a click goes to: the one the message was sent with, as signed, and only an http(s) one.
 * A URL with characters a header cannot carry (non-ASCII, spaces) goes in its encoded form.
 */
function redirectTarget(url: string | undefined): string | undefined {
  if (url === undefined || !HTTP_URL.test(url)) return undefined;
  if (HEADER_SAFE_URL.test(url)) return url;
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

function notFound(res: Response): void {
  res.status(404).set(OWN_PAGE_HEADERS).type('html').send(NOT_FOUND_PAGE);
}

const ROUTES = new Set(['o', 'c', 's', 'm', 'u', 'health', 'ready']);

/** The route of a path, never its token or code: `/c/<token>` is logged as `/c`, an unknown path as `(other)`. */
function routeOf(path: string): string {
  const first = path.split('/', 2)[1] ?? '';
  return ROUTES.has(first) ? `/${first}` : '(other)';
}

/** One debug line per answer: method, route, status and time; only when LOG_LEVEL is debug or trace. */
function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () =>
      logger.debug(
        {
          method: req.method,
          route: routeOf(req.path),
          status: res.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        'request completed',
      ),
    );
    next();
  };
}

/**
 * A path that cannot be decoded or a body that is too large is a bad request: its status, with the
 * page of an unknown link. Anything else is the tracker's fault (the store is down): logged, 503.
 */
function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500 && !res.headersSent) {
      res.status(status).set(OWN_PAGE_HEADERS).type('html').send(NOT_FOUND_PAGE);
      return;
    }
    logger.error(
      {
        err: error instanceof Error ? error.message : String(error),
        method: req.method,
        route: routeOf(req.path),
      },
      'request failed',
    );
    if (res.headersSent) return void res.end();
    res.status(503).set(OWN_PAGE_HEADERS).type('html').send(ERROR_PAGE);
  };
}
