import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, type DeliveryJobData } from '@herald/contracts';
import { openStore, type Store } from '@herald/store';
import { createTempDir, type ServiceProcess, type TempDir } from '@herald/testing';
import { startSendGridStandin, type SendGridStandin } from '@herald/channels/test-support';
import {
  createLiveCampaign,
  heraldEnv,
  postJson,
  startApiProcess,
  startWorkerProcess,
  type JsonResponse,
} from './herald-processes';

export interface SystemHarnessOptions {
  /** Added to the environment of every process (overriding the defaults). */
  env?: Record<string, string>;
  /** Worker processes started beside the API; `startWorker` starts more later. */
  workers?: number;
  /** Starts a SendGrid stand-in and sends the system's e-mail to it. */
  sendgrid?: boolean;
}

export interface UnitaryTrigger {
  requestId: string;
  campaignId: string;
  recipients: unknown[];
}

/**
 * An API process and worker processes sharing a temporary data folder, the store they write and a
 * Redis connection to their e-mail queue: the set-up of the cross-service tests, one per test file.
 */
export interface SystemHarness {
  dir: TempDir;
  env: Record<string, string>;
  apiUrl: string;
  api: ServiceProcess;
  /** Every worker started so far, the stopped and killed ones included. */
  workers: ServiceProcess[];
  store: Store;
  emailQueue: Queue<DeliveryJobData>;
  /** The SendGrid stand-in; there is one only when started with `sendgrid: true`. */
  readonly standin: SendGridStandin;
  startWorker(): Promise<ServiceProcess>;
  /** Creates and activates a campaign; returns its id. */
  createLiveCampaign(definition: unknown): Promise<string>;
  triggerUnitary(body: UnitaryTrigger): Promise<JsonResponse>;
  /** Stops the processes still running with `signal`, then empties the e-mail queue and removes the rest. */
  close(signal?: NodeJS.Signals): Promise<void>;
}

/** `count` external recipients `<prefix>-<index>`, each with its e-mail address, for the order-shipped campaign. */
export function orderRecipients(prefix: string, count: number, orderId: (index: number) => string) {
  return Array.from({ length: count }, (_, index) => ({
    type: 'external',
    namespace: 'crmId',
    userId: `${prefix}-${index}`,
    channelData: { emailAddress: `${prefix}-${index}@example.com` },
    context: { orderId: orderId(index), total: index },
  }));
}

export async function startSystemHarness(
  name: string,
  options: SystemHarnessOptions = {},
): Promise<SystemHarness> {
  const dir = createTempDir(name);
  let standin: SendGridStandin | undefined;
  let api: ServiceProcess | undefined;
  const workers: ServiceProcess[] = [];
  let store: Store | undefined;
  let connection: Redis | undefined;
  let emailQueue: Queue<DeliveryJobData> | undefined;

  // Tolerates a set-up that failed halfway, so that a failed start leaks no process or connection.
  const close = async (signal: NodeJS.Signals = 'SIGTERM') => {
    await Promise.all([api, ...workers].map((service) => service?.stop(signal)));
    await emailQueue?.obliterate({ force: true });
    await emailQueue?.close();
    connection?.disconnect();
    await store?.close();
    await standin?.close();
    dir.remove();
  };

  try {
    standin = options.sendgrid ? await startSendGridStandin() : undefined;
    const env: Record<string, string> = await heraldEnv(name, dir.path, {
      ...(standin && {
        EMAIL_PROVIDER: 'sendgrid',
        SENDGRID_API_KEY: standin.apiKey,
        SENDGRID_API_URL: standin.url,
      }),
      ...options.env,
    });
    const startWorker = async () => {
      const worker = await startWorkerProcess(env);
      workers.push(worker);
      return worker;
    };
    const startingApi = startApiProcess(env).then((started) => (api = started));
    await Promise.all([startingApi, ...Array.from({ length: options.workers ?? 0 }, startWorker)]);
    const apiUrl = `http://127.0.0.1:${env.API_PORT}`;
    store = await openStore({ url: path.join(dir.path, 'herald.sqlite') });
    connection = new Redis(env.REDIS_URL ?? '', { maxRetriesPerRequest: null });
    emailQueue = new Queue<DeliveryJobData>(QUEUE_NAMES.email, { connection, prefix: env.QUEUE_PREFIX });
    const started = standin;
    return {
      dir,
      env,
      apiUrl,
      api: await startingApi,
      workers,
      store,
      emailQueue,
      get standin() {
        if (!started) throw new Error(`the ${name} system was started without sendgrid: true`);
        return started;
      },
      startWorker,
      createLiveCampaign: (definition) => createLiveCampaign(apiUrl, definition),
      triggerUnitary: (body) => postJson(`${apiUrl}/im/executions/unitary`, body),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
