import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../store/dynamodb/ensure-tables.ts';
import { type DynaliteServer, startDynalite } from '../store/dynamodb/testing/dynalite-server.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.json`, import.meta.url));

/**
 * Invokes the bundled handlers in a fresh Node process, as Lambda does: the bundle sits in a
 * temporary folder outside the repository, so a dependency left out of it cannot be found in
 * node_modules, and the store is DynamoDB (dynalite), as in Lambda.
 */
const INVOKE = `
import { readFileSync } from 'node:fs';
const [executorEvent, httpEvent] = process.argv.slice(1).map((file) => JSON.parse(readFileSync(file, 'utf8')));
httpEvent.body = JSON.stringify({ query: 'What is 25 * 47?' });
const { handler: executor } = await import('./agent-executor.mjs');
const { handler: http } = await import('./http-handler.mjs');
const direct = await executor(executorEvent);
const viaGateway = await http(httpEvent);
let failure;
try { await executor({ user_id: 'u1', query: 'hi', agent_type: 'research' }); } catch (error) { failure = error.name; }
console.log(JSON.stringify({ direct, viaGateway, failure }));
`;

describe('Lambda bundle', () => {
  let outdir: string;
  let dynamo: DynaliteServer;

  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'agentry-lambda-'));
    dynamo = await startDynalite();
    await ensureTables(dynamo.client);
  });

  afterAll(async () => {
    await dynamo?.stop();
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

  it('bundles both handlers, which answer the reference events on DynamoDB', async () => {
    const bundled = await run(process.execPath, ['scripts/bundle-lambda.mjs', '--outdir', outdir], { cwd: ROOT });
    expect(bundled.stdout).toMatch(/KiB zipped/);

    const events = [fixture('direct-reference-test-event'), fixture('apigw-rest-v1-post-agent')];
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', INVOKE, ...events], {
      cwd: outdir,
      env: {
        PATH: process.env.PATH ?? '',
        AGENTRY_STORE: 'dynamodb',
        AGENTRY_MODEL: 'scripted:scripts/demo.json',
        AGENTRY_TRUST_API_GATEWAY_IDENTITY: '1',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDFAKE',
        AWS_SECRET_ACCESS_KEY: 'fake-secret',
      },
    });
    const { direct, viaGateway, failure } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(direct).toMatchObject({ response: '25 × 47 = 1175.', user_id: 'u1' });
    expect(viaGateway.statusCode).toBe(200);
    expect(JSON.parse(viaGateway.body)).toMatchObject({ response: '25 × 47 = 1175.', user_id: 'apigw-a1b2c3d4e5' });
    expect(failure).toBe('AGENT_NOT_FOUND');
  }, 30_000);
});
