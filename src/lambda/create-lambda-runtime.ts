import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { ApiKeyVerifier } from '../auth/api-keys.ts';
import { openSession } from '../cli/session.ts';
import { BUNDLED_EXAMPLES_DIR, PROJECT_FILE } from '../config/load-project.ts';
import { createApp } from '../server/app.ts';
import type { AppEnv } from '../server/app-env.ts';
import { createServerRuntime } from '../server/create-runtime.ts';
import { createLogger, type Logger } from '../server/logger.ts';
import { type RequestLimiter, type ServerRuntime, serverOptionsFromEnv } from '../server/runtime.ts';
import { type Authenticate, GATEWAY_TENANT_ENV, trustGatewayIdentity, trustsGateway } from './gateway-identity.ts';

export type LambdaEnv = Readonly<Record<string, string | undefined>>;

/** Everything a Lambda container serves with, built once per container. */
export interface LambdaRuntime {
  server: ServerRuntime;
  /** The same Hono app `agentry serve` runs, over `server`. */
  app: Hono<AppEnv>;
  /** The tenant of direct invocations (AGENTRY_DIRECT_TENANT, default `default`). */
  directTenant: string;
}

export interface LambdaRuntimeOptions {
  env: LambdaEnv;
  /** Raw API key → identity. Default: Agentry's own keys in the store (ApiKeyVerifier over `store.apiKeys`). */
  authenticate?: Authenticate;
  /** Per-key usage plans in the app. Default none: behind API Gateway its usage plans throttle. */
  limiter?: RequestLimiter;
  /** Default: JSON lines on stdout, which Lambda sends to CloudWatch Logs. */
  logger?: Logger;
}

/** `examples/` next to the bundle (scripts/bundle-lambda.mjs copies it there), else the repository's. */
function defaultProjectDir(): string {
  const beside = fileURLToPath(new URL('./examples/', import.meta.url));
  return existsSync(join(beside, PROJECT_FILE)) ? beside : BUNDLED_EXAMPLES_DIR;
}

/**
 * Assembles the runtime from the environment: the project (AGENTRY_PROJECT_DIR, default the bundled
 * examples), the store (`openStore`: AGENTRY_STORE=dynamodb in Lambda, tables from the project),
 * the model registry and runner (as the CLI's session does: AGENTRY_MODEL overrides every agent's
 * model), and authentication. Lambda has no graceful shutdown, so `shutdown` never aborts.
 */
export async function createLambdaRuntime(options: LambdaRuntimeOptions): Promise<LambdaRuntime> {
  const { env } = options;
  const trustGateway = trustsGateway(env);
  const logger =
    options.logger ??
    createLogger((line) => process.stdout.write(line), env.AGENTRY_LOG_LEVEL === 'debug' ? 'debug' : 'info');
  const projectDir = env.AGENTRY_PROJECT_DIR || defaultProjectDir();
  const session = await openSession({ project: projectDir, env, cwd: projectDir });
  const store = await session.store();
  let authenticate: Authenticate = options.authenticate ?? verifierOf(new ApiKeyVerifier(store.apiKeys));
  if (trustGateway) authenticate = trustGatewayIdentity(authenticate, env[GATEWAY_TENANT_ENV] || 'default');
  const server = await createServerRuntime(session, {
    authenticate,
    limiter: options.limiter,
    logger,
    // Step Functions runs the workflows on AWS; a frozen container could not.
    options: { ...serverOptionsFromEnv(env), hostsWorkflows: false },
  });
  logger.log('info', 'lambda runtime ready', {
    project: session.project.name,
    store: session.storeDescription,
    trustGateway,
  });
  return { server, app: createApp(server), directTenant: env.AGENTRY_DIRECT_TENANT || 'default' };
}

function verifierOf(verifier: ApiKeyVerifier): Authenticate {
  return (rawKey) => verifier.verify(rawKey);
}

let shared: Promise<LambdaRuntime> | undefined;

/**
 * The container's runtime from `process.env`, built on the first invocation (never at import) and
 * reused while the container lives. A failed build is forgotten, so the next invocation retries.
 */
export function sharedLambdaRuntime(): Promise<LambdaRuntime> {
  shared ??= createLambdaRuntime({ env: process.env }).catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}
