import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';

export interface RunningServer {
  port: number;
  host: string;
  /** Stops accepting connections; resolves when open connections have ended or `forceAfterMs` passed. */
  close(forceAfterMs: number): Promise<void>;
}

/** Serves the app on Node's HTTP server. Keep-alive sockets are closed on shutdown so it ends promptly. */
export function startHttpServer(app: Hono<AppEnv>, options: { port: number; host: string }): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info: AddressInfo) => {
      resolve({
        port: info.port,
        host: options.host,
        close: (forceAfterMs) =>
          new Promise<void>((done) => {
            const force = setTimeout(() => {
              if ('closeAllConnections' in server) server.closeAllConnections();
              done();
            }, forceAfterMs);
            force.unref();
            server.close(() => {
              clearTimeout(force);
              done();
            });
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
