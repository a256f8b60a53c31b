import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { isPrivateHost, PRIVATE_ADDRESS_ERROR_CODE, safeLookup } from '@herald/channels';

export interface WebhookClientOptions {
  /** `http:` and loopback or private hosts too (ALLOW_PRIVATE_URLS): development and tests only. */
  allowPrivateUrls: boolean;
  timeoutMs: number;
  /** Extra trusted certificate authorities (PEM): a test receiver's self-signed certificate. */
  ca?: string;
}

export interface WebhookAnswer {
  statusCode: number;
  responseTimeMs: number;
}

/** A call that got no HTTP answer, or was never made. */
/** DNS answers that, like a private address, say something of the names Herald can see. */
const UNRESOLVED: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENODATA']);

export class WebhookCallError extends Error {
  constructor(
    message: string,
    /** Retrying cannot help: the URL is not one Herald may call. */
    readonly permanent: boolean,
    readonly responseTimeMs?: number,
  ) {
    super(message);
    this.name = 'WebhookCallError';
  }
}

/** Answer bytes read before the connection is dropped: receivers should answer small, if anything. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Posts webhook bodies to customer URLs, SSRF-safe: `https` only (unless private URLs are allowed),
 * a host that is a private address literally is refused before connecting, and a name is checked
 * after it resolves, when connecting (`safeLookup`), so DNS rebinding cannot slip past. Redirects
 * are never followed (Node's client does not): a 3xx is an answer like any other non-2xx. The
 * whole call, answer included, must end within the timeout.
 */
export class WebhookClient {
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent: http.Agent;

  constructor(private readonly options: WebhookClientOptions) {
    const lookup = options.allowPrivateUrls ? undefined : safeLookup;
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      lookup,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    this.httpAgent = new http.Agent({ keepAlive: true, lookup });
  }

  async post(target: string, body: string, headers: Record<string, string>): Promise<WebhookAnswer> {
    const url = this.allowedUrl(target);
    const client =
      url.protocol === 'https:'
        ? { request: https.request, agent: this.httpsAgent }
        : { request: http.request, agent: this.httpAgent };
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    return new Promise<WebhookAnswer>((resolve, reject) => {
      const request = client.request(
        url,
        {
          method: 'POST',
          agent: client.agent,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': 'Herald-Webhooks/1',
          },
        },
        (response) => {
          let read = 0;
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) response.destroy();
          });
          const settle = (): void => {
            clearTimeout(timer);
            resolve({ statusCode: response.statusCode ?? 0, responseTimeMs: elapsed() });
          };
          response.on('end', settle);
          // An answer cut short (too long, or the connection dropped) still had its status.
          response.on('close', settle);
        },
      );
      const timer = setTimeout(() => {
        request.destroy(
          Object.assign(new Error(`no answer within ${this.options.timeoutMs} ms`), { code: 'ETIMEDOUT' }),
        );
      }, this.options.timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const refused = error.code === PRIVATE_ADDRESS_ERROR_CODE;
        // One message for "resolves to a private address" and "does not resolve": the delivery log
        // is read by customers, who must not learn which internal names exist.
        const message =
          refused || UNRESOLVED.has(error.code ?? '')
            ? 'the URL does not resolve to a public address'
            : error.message;
        reject(new WebhookCallError(message, refused, elapsed()));
      });
      request.end(body);
    });
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  private allowedUrl(target: string): URL {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new WebhookCallError('the webhook URL is not a URL', true);
    }
    const protocolAllowed =
      url.protocol === 'https:' || (this.options.allowPrivateUrls && url.protocol === 'http:');
    if (!protocolAllowed) throw new WebhookCallError(`${url.protocol} URLs are not allowed`, true);
    // Node connects to a literal IP without a lookup: safeLookup never sees it.
    if (!this.options.allowPrivateUrls && isPrivateHost(url.hostname)) {
      throw new WebhookCallError('the webhook URL is a loopback, private or reserved address', true);
    }
    return url;
  }
}
