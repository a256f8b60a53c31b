import { availableParallelism } from 'node:os';
import type { Redis } from 'ioredis';
import type { Server } from 'node:http';
import type { Express } from 'express';
import {
  OutboxAdapter,
  sendGridWebhookKey,
  SendGridSignatureVerifier,
  TwilioSignatureVerifier,
} from '@herald/channels';
import { loadConfig, type HeraldConfig } from '@herald/config';
import { HeraldError } from '@herald/errors';
import { createLogger, flushAndExit, installFatalHandlers, type Logger } from '@herald/logger';
import type { Channel } from '@herald/contracts';
import {
  connectRedis,
  createDeliveryQueue,
  createFanOutQueue,
  createFeedbackWebhookQueue,
  FeedbackEmitter,
  DeliveryCounters,
  type DeliveryQueue,
} from '@herald/queues';
import { CampaignVersions, openStore } from '@herald/store';
import { PooledTemplateEngine } from '@herald/templating';
import { answerClientError } from './http/client-error';
import { closeHttpServer, stopOnSignals } from '@herald/service-runtime';
import { ProviderFeedbackService } from './webhooks/provider-feedback.service';
import { SoftBounceCounter } from './webhooks/soft-bounce-counter';
import { createApp } from './app';
import { ApiKeyService } from './api-keys/api-key.service';
import { AudienceService } from './audiences/audience.service';
import { CampaignToolsService } from './campaign-tools/campaign-tools.service';
import { CampaignService } from './campaigns/campaign.service';
import { CampaignValidator } from './campaigns/campaign-validator';
import { ProfileService } from './profiles/profile.service';
import { CampaignReportService } from './reports/campaign-report.service';
import { ExecutionReportService } from './reports/execution-report.service';
import { ReplayFailuresService } from './reports/replay-failures.service';
import { SettingsService } from './settings/settings.service';
import { SuppressionService } from './suppressions/suppression.service';
import { ContextValidators } from './triggers/context-validators';
import { UnitaryExecutionService } from './triggers/unitary-execution.service';
import { AudienceExecutionService } from './triggers/audience-execution.service';
import { IdempotencyGuard } from './triggers/idempotency';
import { IdempotencyPolicy } from './settings/idempotency-policy';
import { createUserSchemaAjv } from './validation/ajv';
import { HighThroughputExecutionService } from './triggers/highthroughput-execution.service';
import { apiKeyRateLimit } from './limits/api-key-rate-limit';
import { QueueBackpressure } from './limits/queue-backpressure';
import { ApiKeyAuthenticator } from './auth/api-key-authenticator';
import { AccessTokens } from './auth/access-tokens';
import { ApiCredentialService } from './api-credentials/api-credential.service';
import { ImsTokenService } from './ims-token/ims-token.service';
import { bootstrapAdminKey } from './auth/bootstrap-admin-key';
import { FeedbackWebhookService } from './feedback-webhooks/feedback-webhook.service';

/** Render threads of an API process at most, whatever its cores: author tools are not its main work. */
const RENDER_THREADS_MAX = 4;
/** A render thread's heap: liquidjs's allocation limit keeps real templates far below it. */
const RENDER_THREAD_HEAP_MB = 256;

export interface ApiRuntime {
  app: Express;
  /** A generated first admin key, to be shown once; undefined when none was generated. */
  generatedAdminKey?: string;
  close(): Promise<void>;
}

/** Wires the API from a config: the only place that knows every concrete dependency. */
export async function buildApi(config: HeraldConfig, logger: Logger): Promise<ApiRuntime> {
  const store = await openStore({
    url: config.store.url,
    deliveryRetentionDays: config.store.deliveryRetentionDays,
  });
  let redis: Redis;
  try {
    redis = await connectRedis(config.redis.url, {
      role: 'producer',
      connectionName: 'herald-ingest-api',
      logger,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const deliveryQueue = (channel: Channel): DeliveryQueue => {
    const queue = createDeliveryQueue(channel, {
      connection: redis,
      prefix: config.redis.queuePrefix,
      maxAttempts: config.worker.maxAttempts,
    });
    queue.on('error', (error) => logger.warn({ err: error.message, channel }, 'delivery queue error'));
    return queue;
  };
  const queues: Record<Channel, DeliveryQueue> = {
    email: deliveryQueue('email'),
    sms: deliveryQueue('sms'),
    push: deliveryQueue('push'),
  };
  const fanOutQueue = createFanOutQueue(redis, config.redis.queuePrefix);
  fanOutQueue.on('error', (error) => logger.warn({ err: error.message }, 'fan-out queue error'));
  const feedbackWebhookQueue = createFeedbackWebhookQueue(redis, config.redis.queuePrefix);
  feedbackWebhookQueue.on('error', (error) =>
    logger.warn({ err: error.message }, 'feedback webhook queue error'),
  );
  // Previews, test-sends, dry runs and activation render in threads: a slow template never holds
  // the event loop. One core is left to the event loop itself.
  const templates = new PooledTemplateEngine({
    threads: Math.max(1, Math.min(RENDER_THREADS_MAX, availableParallelism() - 1)),
    maxHeapMb: RENDER_THREAD_HEAP_MB,
  });
  const versions = new CampaignVersions(store);
  const bootstrap = await bootstrapAdminKey(store, config.auth.adminKey, logger);
  const backpressure = new QueueBackpressure({ queues, maxWaiting: config.api.queueMaxWaiting, logger });
  // One of each for every trigger endpoint: a requestId is unique across them, and a campaign
  // version's context schema is compiled once.
  const idempotencyPolicy = new IdempotencyPolicy(store.settings);
  const idempotency = new IdempotencyGuard(redis, {
    prefix: config.redis.queuePrefix,
    ttlSeconds: config.api.idempotencyTtlSeconds,
    bodyRequestIdEnabled: (sandbox) => idempotencyPolicy.bodyRequestIdEnabled(sandbox),
  });
  const contextValidators = new ContextValidators(createUserSchemaAjv);
  const deliveryCounters = new DeliveryCounters(redis, config.redis.queuePrefix);
  const { sendGridPublicKey, maxAgeSeconds } = config.webhooks;
  const { sms } = config.providers;
  const accessTokens = new AccessTokens(config.auth.tokenSigningKeys, config.auth.accessTokenTtlSeconds);
  const authenticator = new ApiKeyAuthenticator(store, config.auth.keyCacheSeconds, accessTokens);
  const reportDeps = { store, counters: deliveryCounters, queues };
  const app = createApp({
    logger,
    authenticator,
    maxBodyBytes: config.api.maxBodyBytes,
    maxRecipients: config.api.maxRecipients,
    webhooks: {
      feedback: new ProviderFeedbackService({
        store,
        counters: deliveryCounters,
        softBounces: new SoftBounceCounter(redis, config.redis.queuePrefix),
        softBounceLimit: config.webhooks.softBounceLimit,
        logger,
        feedbackWebhooks: new FeedbackEmitter(
          feedbackWebhookQueue,
          async (sandbox) => (await store.webhookSubscriptions.listEnabled(sandbox)).length > 0,
        ),
      }),
      ...(sendGridPublicKey
        ? {
            sendGridSignature: new SendGridSignatureVerifier({
              verificationKey: sendGridPublicKey,
              maxAgeSeconds,
            }),
          }
        : {}),
      ...(sms.kind === 'twilio' && sms.statusCallbackUrl
        ? {
            twilioSignature: new TwilioSignatureVerifier({
              authToken: sms.authToken,
              callbackUrl: sms.statusCallbackUrl,
            }),
          }
        : {}),
    },
    campaigns: new CampaignService(store, new CampaignValidator(), templates, config.tracking.publicUrl),
    campaignTools: new CampaignToolsService({
      store,
      templates,
      contextValidators,
      // Test sends go to the outbox until provider adapters exist.
      adapter: new OutboxAdapter(config.outbox.dir),
      allowPrivatePushEndpoints: config.allowPrivateUrls,
      trackerBaseUrl: config.tracking.publicUrl,
    }),
    reports: {
      executions: new ExecutionReportService(reportDeps),
      campaigns: new CampaignReportService(reportDeps),
      replays: new ReplayFailuresService({ ...reportDeps, logger }),
    },
    profiles: new ProfileService(store.profiles, { allowPrivatePushEndpoints: config.allowPrivateUrls }),
    audiences: new AudienceService(store),
    suppressions: new SuppressionService(store.suppressions),
    settings: new SettingsService(store.settings, idempotencyPolicy),
    apiKeys: new ApiKeyService(store.apiKeys, authenticator),
    apiCredentials: new ApiCredentialService(store.apiCredentials, authenticator, config.auth.orgId),
    imsTokens: new ImsTokenService(store.apiCredentials, accessTokens),
    feedbackWebhooks: new FeedbackWebhookService({
      subscriptions: store.webhookSubscriptions,
      deliveries: store.webhookDeliveries,
      queue: feedbackWebhookQueue,
      allowPrivateUrls: config.allowPrivateUrls,
    }),
    apiKeyRateLimit: apiKeyRateLimit({
      redis,
      prefix: config.redis.queuePrefix,
      limitPerSecond: config.api.rateLimitPerSecond,
      scope: 'executions',
      logger,
    }),
    authorToolsRateLimit: apiKeyRateLimit({
      redis,
      prefix: config.redis.queuePrefix,
      limitPerSecond: config.api.authorToolsRateLimitPerSecond,
      scope: 'author-tools',
      logger,
    }),
    highThroughputExecutions: new HighThroughputExecutionService({
      store,
      versions,
      emailQueue: queues.email,
      contextValidators,
      idempotency,
      backpressure,
      templates,
      limits: { maxRecipients: config.api.maxRecipients, maxContextBytes: config.api.maxContextBytes },
      logger,
    }),
    audienceExecutions: new AudienceExecutionService({
      store,
      versions,
      fanOutQueue,
      contextValidators,
      idempotency,
      logger,
      maxContextBytes: config.api.maxContextBytes,
    }),
    unitaryExecutions: new UnitaryExecutionService({
      store,
      versions,
      queues,
      allowPrivatePushEndpoints: config.allowPrivateUrls,
      contextValidators,
      limits: { maxRecipients: config.api.maxRecipients, maxContextBytes: config.api.maxContextBytes },
      idempotency,
      backpressure,
      templates,
      logger,
    }),
    boardQueues: [...Object.values(queues), fanOutQueue, feedbackWebhookQueue],
    bullBoardReadOnly: config.api.bullBoardReadOnly,
    readinessChecks: [
      { name: 'store', check: () => store.ping() },
      { name: 'redis', check: async () => void (await redis.ping()) },
    ],
  });
  return {
    app,
    ...(bootstrap.generatedKey ? { generatedAdminKey: bootstrap.generatedKey } : {}),
    close: async () => {
      await Promise.all(
        [...Object.values(queues), fanOutQueue, feedbackWebhookQueue].map((queue) => queue.close()),
      );
      redis.disconnect();
      await store.close();
      await templates.close();
    },
  };
}

async function main(): Promise<void> {
  let config: HeraldConfig;
  try {
    config = loadConfig(process.env);
    // Checked with the rest of the configuration, so a mistyped key stops the API here.
    if (config.webhooks.sendGridPublicKey) sendGridWebhookKey(config.webhooks.sendGridPublicKey);
  } catch (error) {
    process.stderr.write(
      `herald ingest-api: ${error instanceof HeraldError ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  const logger = createLogger({ level: config.log.level, service: 'ingest-api' });
  installFatalHandlers(logger);
  let runtime: ApiRuntime;
  try {
    runtime = await buildApi(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'cannot start: is Redis reachable at REDIS_URL and the store at STORE_URL?');
    flushAndExit(logger, 1);
    return;
  }
  if (runtime.generatedAdminKey) {
    // Printed once, to the terminal only: it is not kept anywhere but as a hash.
    process.stderr.write(
      `\nHerald generated the first admin API key. It is shown only this once; store it safely:\n\n  ${runtime.generatedAdminKey}\n\n`,
    );
  }
  // Express 5 hands a listen error (port taken, address not available) to this callback.
  const server: Server = runtime.app.listen(config.api.port, config.api.host, (error) => {
    if (error) {
      const where = `${config.api.host}:${config.api.port}`;
      logger.fatal({ err: error, host: config.api.host, port: config.api.port }, `cannot listen on ${where}`);
      flushAndExit(logger, 1);
      return;
    }
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.api.port;
    logger.info(
      { host: config.api.host, port, store: config.store.url.startsWith('mongodb') ? 'mongodb' : 'embedded' },
      'ingest-api listening',
    );
  });
  server.on('clientError', answerClientError);
  server.keepAliveTimeout = config.api.keepAliveTimeoutMs;
  // Never shorter than the idle wait, so that no other timer closes an idle connection first.
  server.headersTimeout = config.api.keepAliveTimeoutMs + 1000;
  stopOnSignals(logger, {
    service: 'ingest-api',
    stopping: 'no new connections, finishing requests in flight',
    timedOut: 'exiting',
    timeoutMs: config.shutdownTimeoutMs,
    stop: async () => {
      await closeHttpServer(server);
      await runtime.close();
    },
  });
}

if (require.main === module) void main();
