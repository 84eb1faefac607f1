import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { loadModelScript } from '../../testing/model-script.ts';
import { ScriptedModel } from '../../testing/scripted-model.ts';
import type { ModelProvider, ProviderContext } from '../provider.ts';

/** The project folder wins; the current folder is the fallback (so `--model scripted:./mine.json` works). */
function scriptPath(target: string, { baseDir, fallbackDir }: ProviderContext): string {
  const inProject = resolve(baseDir, target);
  if (existsSync(inProject) || !fallbackDir) return inProject;
  const inCwd = resolve(fallbackDir, target);
  return existsSync(inCwd) ? inCwd : inProject;
}

/** `scripted:<file>`: the offline model for tests and demos. */
export const scriptedProvider: ModelProvider = {
  name: 'scripted',
  create(target, context) {
    const file = scriptPath(target, context);
    return new ScriptedModel(loadModelScript(file), { name: basename(file) });
  },
  checkConfiguration(target, context) {
    const file = scriptPath(target, context);
    return existsSync(file)
      ? { ok: true, message: `scripted model from ${file} (offline, no credentials needed)` }
      : { ok: false, message: `Model script ${target} exists neither in the project nor in the current folder.` };
  },
};
