import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { loadModelScript } from '../../testing/model-script.ts';
import { ScriptedModel } from '../../testing/scripted-model.ts';
import type { ModelProvider } from '../provider.ts';

/** `scripted:<file>`: the offline model for tests and demos; the file is resolved against the project. */
export const scriptedProvider: ModelProvider = {
  name: 'scripted',
  create(target, { baseDir }) {
    const file = resolve(baseDir, target);
    return new ScriptedModel(loadModelScript(file), { name: basename(file) });
  },
  checkConfiguration(target, { baseDir }) {
    const file = resolve(baseDir, target);
    return existsSync(file)
      ? { ok: true, message: `scripted model from ${file} (offline, no credentials needed)` }
      : { ok: false, message: `Model script ${file} does not exist.` };
  },
};
