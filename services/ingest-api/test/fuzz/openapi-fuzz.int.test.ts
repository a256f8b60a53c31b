import fc from 'fast-check';
import { Redis } from 'ioredis';
import { SendGridEventWebhook } from '@herald/channels/test-support';
import { startApiHarness, type ApiHarness } from '../api-harness.fixture';
import { answerProblem } from './answer-checks';
import { FUZZ_MAX_BODY_BYTES, POLLUTION_MARKER } from './body-mutations';
import { describeRequest, requestArbitrary, type FuzzRequest, type KnownValues } from './fuzz-request';
import type { FuzzValue } from './json-text';
import { operationsOf, type FuzzOperation, type OpenApiDocument } from './openapi-operations';
import { RawHttpClient, type RawAnswer } from './raw-http';
import { knownValues, seedResources } from './seeded-resources';
import { changesBetween, SideEffects } from './side-effects';
import { webhookSignature } from './webhook-signatures';

/** The integer in the environment variable `name`, else `fallback`. */
function envInteger(name: string, fallback: number): number {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isNaN(value) ? fallback : value;
}

/** Requests per operation: 20 keeps the suite within CI's bound; FUZZ_RUNS raises it. */
const RUNS = Math.max(1, envInteger('FUZZ_RUNS', 20));
/** A fixed seed makes every run send the same requests; FUZZ_SEED replays another run. */
const SEED = envInteger('FUZZ_SEED', 20_260_514);

/** How fast `/health` must answer while the API is being fuzzed (it is generous: 2 s). */
const HEALTH_BOUND_MS = 2_000;
/** One request in this many is sent alongside a `/health` probe. */
const PROBE_EVERY = 25;
/** A request still unanswered after this long counts as a hang. */
const REQUEST_TIMEOUT_MS = 15_000;

const TWILIO_AUTH_TOKEN = 'fuzz-twilio-auth-token';
const TWILIO_CALLBACK_URL = 'http://127.0.0.1:9/webhooks/twilio';

describe('fuzzing every operation of /openapi.json', () => {
  const sendGrid = new SendGridEventWebhook();
  let h: ApiHarness;
  let client: RawHttpClient;
  let redis: Redis;
  let effects: SideEffects;
  let document: OpenApiDocument;
  let known: KnownValues;
  let cases = 0;
  const healthTimes: number[] = [];
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    h = await startApiHarness('openapi-fuzz', {
      API_MAX_BODY_BYTES: String(FUZZ_MAX_BODY_BYTES),
      // Previews and test-sends unthrottled, so that their bodies reach the renderer.
      AUTHOR_TOOLS_RATE_LIMIT_PER_SECOND: '0',
      TOKEN_SIGNING_KEYS: 'fuzz-token-signing-key-0123456789abcdef',
      SENDGRID_WEBHOOK_PUBLIC_KEY: sendGrid.verificationKey,
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN,
      // Never called: the API only queues SMS; no worker runs here.
      TWILIO_API_URL: 'http://127.0.0.1:9',
      TWILIO_STATUS_CALLBACK_URL: TWILIO_CALLBACK_URL,
    });
    client = await RawHttpClient.listen(h.runtime.app);
    redis = new Redis(h.config.redis.url);
    document = (await h.api.get('/openapi.json').expect(200)).body as OpenApiDocument;
    const examples = new Map(
      operationsOf(document).map((operation) => [operation.name, operation.bodyExample]),
    );
    const example = (name: string): FuzzValue | undefined => examples.get(name);
    const seeds = await seedResources(h, example);
    known = knownValues(seeds, example, (request) =>
      webhookSignature(
        { sendGrid, twilioAuthToken: TWILIO_AUTH_TOKEN, twilioCallbackUrl: TWILIO_CALLBACK_URL },
        request,
      ),
    );
    effects = new SideEffects(redis, h.config.redis.queuePrefix, h.config.store.url);
  });

  afterAll(async () => {
    effects?.close();
    redis?.disconnect();
    await client?.close();
    await h?.close();
    const histogram = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
    console.log(
      `openapi fuzz: ${cases} requests (FUZZ_RUNS=${RUNS} per operation), FUZZ_SEED=${SEED}; ` +
        `answers ${histogram.join(' ')}; /health slowest ${Math.round(Math.max(0, ...healthTimes))} ms ` +
        `over ${healthTimes.length} probes`,
    );
  });

  async function probeHealth(): Promise<RawAnswer> {
    return client.send({ method: 'GET', url: '/health', headers: {}, body: undefined }, REQUEST_TIMEOUT_MS);
  }

  /** Sends one request; answers what is wrong with how the API handled it, if anything. */
  async function exercise(operation: FuzzOperation, request: FuzzRequest): Promise<string | undefined> {
    cases += 1;
    const before = await effects.snapshot();
    const probe = cases % PROBE_EVERY === 0 ? probeHealth() : undefined;
    let answer: RawAnswer;
    try {
      answer = await client.send(
        { method: request.method, url: request.url, headers: request.headers, body: request.body.bytes },
        REQUEST_TIMEOUT_MS,
      );
    } catch (error) {
      return `no answer: ${(error as Error).message}`;
    } finally {
      if (probe) {
        const health = await probe.catch(() => undefined);
        healthTimes.push(health?.status === 200 ? health.ms : Number.POSITIVE_INFINITY);
      }
    }
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const broken = answerProblem(operation, answer);
    if (broken) return `${broken}: ${answer.body.slice(0, 300)}`;
    if (answer.status >= 400) {
      const changes = changesBetween(before, await effects.snapshot());
      if (changes.length > 0)
        return `refused with ${answer.status} ${answer.body.slice(0, 200)}, yet ${changes.join('; ')}`;
    }
    // The app runs in this process: a polluted Object.prototype shows on any object here.
    if (Object.keys(POLLUTION_MARKER).some((mark) => mark in {})) {
      return 'a `__proto__` member of the request reached Object.prototype';
    }
    if (operation.needsApiKey && (answer.status === 401 || answer.status === 403)) {
      // The admin key may do everything: a refusal here means requests never reach validation.
      return `the admin key was refused (${answer.status}): ${answer.body.slice(0, 200)}`;
    }
    return undefined;
  }

  it(
    'answers every request without a 5xx, refuses with problem+json and a code, stores and queues nothing it refused, and keeps /health fast',
    async () => {
      const operations = operationsOf(document);
      expect(operations.length).toBeGreaterThan(50);
      const failures: string[] = [];
      for (const [index, operation] of operations.entries()) {
        let failure: string | undefined;
        const seed = SEED + index;
        const details = await fc.check(
          fc.asyncProperty(
            requestArbitrary(operation, document.components.schemas, known, h.adminKey),
            async (request) => {
              const found = await exercise(operation, request);
              if (found === undefined) return;
              failure = found;
              throw new Error(found);
            },
          ),
          { seed, numRuns: RUNS },
        );
        if (details.failed && details.counterexample) {
          // `failure` was set by the last failing run: the shrunk counterexample's.
          failures.push(
            `${operation.name} (seed ${seed}, path ${details.counterexamplePath}): ${failure}\n` +
              describeRequest(details.counterexample[0]),
          );
        }
      }
      expect(failures).toEqual([]);
      expect(healthTimes.length).toBeGreaterThan(0);
      expect(Math.max(...healthTimes)).toBeLessThan(HEALTH_BOUND_MS);
    },
    Math.max(1, RUNS / 20) * 600_000,
  );
});
