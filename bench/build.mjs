// Builds dist/ in two parts.
//
// 1. The harness and the peers' adapters, file by file and NOT bundled (as in the reference
//    harness): each framework loads from bench/node_modules exactly as an application would.
// 2. dist/agentry.js: the Agentry adapter bundled with Agentry's TypeScript source (../src), so the
//    workers run plain JavaScript. Every package import in that bundle (zod, @opentelemetry/api,
//    @opentelemetry/sdk-trace-base, @ai-sdk/provider, …) is resolved by Node itself from the
//    repository root and kept external as a relative path to root's node_modules: the adapter and
//    Agentry share one zod and one OpenTelemetry API, the very files Agentry loads when it runs from
//    source, whatever bench/node_modules holds. ./workload.js stays external too, so the adapter
//    shares the worker's counters instead of bundling a copy.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const dist = resolve(here, 'dist');
const common = { format: 'esm', platform: 'node', target: 'node22', logLevel: 'warning' };

const peers = readdirSync(resolve(here, 'src'))
  .filter((f) => f.endsWith('.ts') && f !== 'agentry.ts')
  .map((f) => resolve(here, 'src', f));
await build({ ...common, entryPoints: peers, outdir: dist });

/** Node's own ESM resolution of `specifier` from the repository root (a module evaluated there). */
const resolved = new Map();
function resolveFromRoot(specifier) {
  let url = resolved.get(specifier);
  if (!url) {
    const code = `process.stdout.write(import.meta.resolve(${JSON.stringify(specifier)}))`;
    try {
      url = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
    } catch {
      throw new Error(`Cannot resolve "${specifier}" from ${root}: run \`npm install\` at the repository root first.`);
    }
    resolved.set(specifier, url);
  }
  const file = fileURLToPath(url);
  if (!file.startsWith(resolve(root, 'node_modules'))) throw new Error(`"${specifier}" resolved outside root: ${file}`);
  const path = relative(dist, file).split('\\').join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

const rootPackages = {
  name: 'agentry-root-packages',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (args.path === './workload.js') return { path: './workload.js', external: true };
      if (args.path.startsWith('.') || args.path.startsWith('/')) return undefined; // Agentry's own files: bundled
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      return { path: resolveFromRoot(args.path), external: true };
    });
  },
};
await build({
  ...common,
  entryPoints: [resolve(here, 'src/agentry.ts')],
  outfile: resolve(dist, 'agentry.js'),
  bundle: true,
  sourcemap: true, // only read when profiling (maps dist/agentry.js back to src/…:line)
  plugins: [rootPackages],
});
console.log(
  `built dist/; agentry bundle imports from the repository root: ${[...resolved.keys()]
    .map((s) => `${s} -> ${relative(root, fileURLToPath(resolved.get(s)))}`)
    .join(', ')}`,
);
