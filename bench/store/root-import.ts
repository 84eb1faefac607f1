// Imports a package the way Agentry's source sees it: resolved by Node from the repository root.
//
// A file under bench/ that imports 'zod' gets bench/node_modules/zod (the peers' copy), but
// define-tool.ts converts schemas with root's zod: schemas of another instance keep their metadata
// (`.describe()`) in that instance's registry, silently lost in the JSON Schema the model sees.
// Likewise the tracer provider must be registered through the @opentelemetry/api instance that
// Agentry's spans use. bench/build.mjs solves the same problem for the bundled overhead bench.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Node's own ESM resolution of `specifier` from the repository root (a module evaluated there). */
export function resolveFromRoot(specifier: string): string {
  const code = `process.stdout.write(import.meta.resolve(${JSON.stringify(specifier)}))`;
  try {
    return execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  } catch {
    throw new Error(`Cannot resolve "${specifier}" from ${ROOT}: run \`npm install\` at the repository root first.`);
  }
}

/** The module instance Agentry's source imports; the type parameter names its types (`typeof import('zod')`). */
export async function importFromRoot<Module>(specifier: string): Promise<Module> {
  return (await import(resolveFromRoot(specifier))) as Module;
}
