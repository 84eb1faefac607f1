import { join } from 'node:path';
import { ApiKeyVerifier } from '../../auth/api-keys.ts';
import { ensureLocalKey } from '../../auth/local-key.ts';
import { createApp } from '../../server/app.ts';
import { createServerRuntime } from '../../server/create-runtime.ts';
import { startHttpServer } from '../../server/http-server.ts';
import { openLimiter } from '../../server/limits/open-limiter.ts';
import { createLogger } from '../../server/logger.ts';
import { serverOptionsFromEnv } from '../../server/runtime.ts';
import type { Session } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';

export interface ServeOptions {
  port: number;
  host: string;
  signal: AbortSignal;
  /** Seconds running runs get to finish on shutdown before they are handed over. */
  graceSeconds?: number;
}

/**
 * `agentry serve`: the HTTP API until SIGINT/SIGTERM, then a graceful shutdown: stop accepting,
 * end streams, let runs finish for the grace period, hand the rest over (their journals stay and
 * another process resumes them), close the store. Logs are JSON lines on stderr.
 */
export async function serveCommand(session: Session, terminal: Terminal, options: ServeOptions): Promise<number> {
  const style = styler(terminal.err, terminal.env);
  const logger = createLogger(
    (line) => terminal.err.write(line),
    terminal.env.AGENTRY_LOG_LEVEL === 'debug' ? 'debug' : 'info',
  );
  const store = await session.store();
  const verifier = new ApiKeyVerifier(store.apiKeys);
  const local =
    session.storeDescription.startsWith('pglite') || store.kind === 'memory'
      ? await ensureLocalKey(store, join(session.project.dir, '.agentry', 'local-api-key'))
      : undefined;
  const limiter = await openLimiter({ project: session.project, env: session.env, logger });
  const runtime = await createServerRuntime(session, {
    authenticate: (key) => verifier.verify(key),
    limiter: limiter?.limiter,
    logger,
    options: serverOptionsFromEnv(session.env),
  });
  const server = await startHttpServer(createApp(runtime), { port: options.port, host: options.host });
  const url = `http://${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`;
  terminal.err.write(
    `${style('bold', 'Agentry API')} on ${url}  ·  store ${session.storeDescription}  ·  agents ${[...session.project.agents.keys()].join(', ')}\n`,
  );
  if (local?.created)
    terminal.err.write(`Local API key (shown once, saved in ${local.file}):\n  ${style('bold', local.key)}\n`);
  else if (local) terminal.err.write(style('dim', `Local API key in ${local.file}\n`));
  terminal.err.write(
    style(
      'dim',
      `Try: curl -s ${url}/agent -H "x-api-key: $(cat ${local?.file ?? '<key file>'})" -H 'content-type: application/json' -d '{"query":"What is 25 * 47?"}'\n`,
    ),
  );
  logger.log('info', 'listening', { url, store: store.kind });

  // Runs a killed predecessor (or a dead replica) left behind: finished in the background while
  // serving, now and then every few seconds.
  void runtime.resumeRuns(5_000, (count) => logger.log('info', 'resumed interrupted runs', { count }));
  // Workflow executions likewise, and then every few seconds: executions of replicas that died,
  // and Waits that outlived a process.
  void runtime.resumeWorkflows().then(
    (resumed) => resumed > 0 && logger.log('info', 'resumed interrupted workflow executions', { count: resumed }),
    () => {},
  );

  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  logger.log('info', 'shutting down', { activeRuns: runtime.live.active().length });
  const closing = server.close(2_000);
  const drained = await runtime.drain((options.graceSeconds ?? 10) * 1_000);
  await closing;
  await limiter?.close();
  logger.log('info', 'stopped', drained);
  return 0;
}
