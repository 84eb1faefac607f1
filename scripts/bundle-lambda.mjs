#!/usr/bin/env node
/**
 * Bundles the Lambda entry points into one deployable folder (default dist/lambda/):
 *
 *   http-handler.mjs      handler `http-handler.handler`    (API Gateway REST v1 / HTTP API v2)
 *   agent-executor.mjs    handler `agent-executor.handler`  (ai-agent-executor: proxy events + direct invocations)
 *   chunk-*.mjs           code shared by both, and lazily loaded parts (store backends)
 *   examples/             the default project (AGENTRY_PROJECT_DIR overrides it)
 *   migrations/           SQL migrations, read relative to the chunk that runs them (AGENTRY_STORE=postgres)
 *   *.map                 external source maps: keep them out of the deployment zip
 *
 * Usage: node scripts/bundle-lambda.mjs [--outdir <dir>]
 *
 * Externals: `@electric-sql/pglite` (the embedded store: Lambda uses DynamoDB, and its WebAssembly
 * assets do not survive bundling; only the lazily loaded SQL-store chunk imports it, so the
 * handlers load without it) and `pg-native` (pg's optional native binding, never installed).
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROJECT_PARTS = ['agentry.config.yaml', 'agents', 'scripts', 'knowledge', 'workflows', 'tools'];

function parseArgs(argv) {
  const index = argv.indexOf('--outdir');
  if (index >= 0 && !argv[index + 1]) throw new Error('--outdir needs a folder');
  return { outdir: resolve(index >= 0 ? argv[index + 1] : join(ROOT, 'dist', 'lambda')) };
}

function files(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Bytes on disk, and an estimate of the deployment zip (deflate per file plus zip headers), without maps. */
function measure(outdir) {
  let raw = 0;
  let zipped = 0;
  for (const file of files(outdir)) {
    if (file.endsWith('.map')) continue;
    const content = readFileSync(file);
    const name = relative(outdir, file);
    raw += content.length;
    zipped += Math.min(deflateRawSync(content, { level: 9 }).length, content.length) + 76 + 2 * name.length;
  }
  return { raw, zipped: zipped + 22 };
}

export async function bundleLambda({ outdir }) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: {
      'http-handler': 'src/lambda/http-handler.ts',
      'agent-executor': 'src/lambda/agent-executor.ts',
    },
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    // Prefer packages' ES modules (the AWS SDK's tree-shake better); CommonJS ones still work:
    mainFields: ['module', 'main'],
    // CommonJS dependencies call require() for Node built-ins; ES module output has no require.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    external: ['@electric-sql/pglite', 'pg-native'],
    minify: true,
    sourcemap: 'external',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const project = join(outdir, 'examples');
  for (const part of PROJECT_PARTS) {
    const from = join(ROOT, 'examples', part);
    if (existsSync(from)) cpSync(from, join(project, part), { recursive: true });
  }
  cpSync(join(ROOT, 'src', 'store', 'sql', 'migrations'), join(outdir, 'migrations'), { recursive: true });
  const outputs = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.mjs'));
  return { outdir, outputs, ...measure(outdir) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const { outdir, outputs, raw, zipped } = await bundleLambda(parseArgs(process.argv.slice(2)));
  const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
  const largest = outputs
    .map((file) => ({ file: relative(outdir, resolve(ROOT, file)), size: statSync(resolve(ROOT, file)).size }))
    .sort((a, b) => b.size - a.size)
    .slice(0, 3)
    .map(({ file, size }) => `${file} ${kib(size)}`);
  process.stdout.write(
    `Bundled ${outputs.length} modules into ${relative(process.cwd(), outdir) || '.'} in ${Math.round(performance.now() - started)} ms: ` +
      `${kib(raw)} raw, ~${kib(zipped)} zipped (without source maps). Largest: ${largest.join(', ')}\n`,
  );
}
