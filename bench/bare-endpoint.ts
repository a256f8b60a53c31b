import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import addFormats from 'ajv-formats';
import express from 'express';
import type { Redis } from 'ioredis';
import {
  deliveryJobId,
  newId,
  unitaryExecutionSchema,
  type DeliveryJobData,
  type UnitaryExecutionRequest,
} from '@herald/contracts';
import { createLogger } from '@herald/logger';
import { connectRedis, createDeliveryQueue } from '@herald/queues';

export interface BareEndpointOptions {
  redisUrl: string;
  queuePrefix: string;
  port: number;
  maxRecipients: number;
  maxBodyBytes: number;
  maxAttempts: number;
}

type Ajv = Parameters<typeof addFormats>[0];

/**
 * The root `node_modules` holds ajv 6 (eslint's); Herald runs on ajv 8, which ajv-formats is
 * built against, so the bench takes that one.
 */
const Ajv8 = (
  createRequire(require.resolve('ajv-formats'))('ajv') as {
    default: new (options: Record<string, boolean>) => Ajv;
  }
).default;

/** The options and formats the API's own request Ajv uses (services are not imported). */
function requestAjv(): Ajv {
  const ajv = new Ajv8({
    allErrors: true,
    strict: true,
    strictRequired: false,
    useDefaults: true,
    $data: false,
  });
  addFormats(ajv, ['email', 'date-time', 'uri']);
  return ajv;
}

/**
 * The ceiling the API is measured against: what a unitary call costs with nothing but body
 * parsing, the request schema (compiled once, with the API's Ajv options) and one `addBulk`
 * of the same jobs, under the same job ids, on the same kind of Redis connection. No auth, no
 * store, no campaign, no per-recipient checks.
 */
export async function startBareEndpoint(options: BareEndpointOptions): Promise<{ close(): Promise<void> }> {
  const logger = createLogger({ level: 'warn', service: 'bench-bare-endpoint' });
  const redis: Redis = await connectRedis(options.redisUrl, {
    role: 'producer',
    connectionName: 'herald-bench-bare',
    logger,
  });
  const queue = createDeliveryQueue('email', {
    connection: redis,
    prefix: options.queuePrefix,
    maxAttempts: options.maxAttempts,
  });
  const validate = requestAjv().compile<UnitaryExecutionRequest>(
    unitaryExecutionSchema(options.maxRecipients),
  );
  const app = express();
  app.disable('x-powered-by');
  app.post('/im/executions/unitary', express.json({ limit: options.maxBodyBytes }), async (req, res) => {
    const body: unknown = req.body;
    if (!validate(body)) {
      res.status(400).json({ errors: validate.errors });
      return;
    }
    const executionId = newId();
    const queuedAt = new Date().toISOString();
    const jobs = body.recipients.map((recipient, index) => {
      const jobId = deliveryJobId(executionId, index);
      const data: DeliveryJobData = {
        executionId,
        deliveryId: jobId,
        sandbox: 'prod',
        campaignId: body.campaignId,
        campaignVersion: 1,
        channel: 'email',
        recipientIndex: index,
        recipient,
        queuedAt,
      };
      return { name: 'deliver', data, opts: { jobId } };
    });
    try {
      await queue.addBulk(jobs);
    } catch {
      res.status(503).json({ detail: 'queue unavailable' });
      return;
    }
    res.status(202).json({
      executionId,
      requestId: body.requestId,
      createdAt: queuedAt,
      createdBy: 'anonymous',
      modifiedAt: queuedAt,
      modifiedBy: 'anonymous',
    });
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(options.port, '127.0.0.1', () => resolve(listening));
  });
  return {
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.close();
      redis.disconnect();
    },
  };
}

/** Run as a child process: options as JSON in argv[2]; stops on SIGTERM. */
async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as BareEndpointOptions;
  const endpoint = await startBareEndpoint(options);
  process.once('SIGTERM', () => {
    void endpoint.close().then(() => process.exit(0));
  });
}

if (require.main === module) void main();
