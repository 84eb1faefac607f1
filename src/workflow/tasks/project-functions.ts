import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkflowFunctionConfig } from '../../config/schemas.ts';
import { AgentryError } from '../../errors.ts';
import { referenceExecutor } from './reference-executor.ts';
import type { WorkflowFunction } from './task-services.ts';

/** The reference design's agent executor, available to every project under its Lambda name. */
export const REFERENCE_EXECUTOR_NAME = 'ai-agent-executor';

/**
 * The functions workflows may invoke: `ai-agent-executor` built in, plus the project's
 * `workflows.functions` (which may also override it). Module functions are project code, trusted like
 * tools/, imported on first use; they must stay inside the project folder.
 */
export function projectFunctions(
  projectDir: string,
  config: Record<string, WorkflowFunctionConfig> = {},
): (name: string) => WorkflowFunction | undefined {
  const cache = new Map<string, WorkflowFunction>();
  return (name) => {
    const cached = cache.get(name);
    if (cached) return cached;
    const entry = Object.hasOwn(config, name) ? config[name] : undefined;
    let fn: WorkflowFunction | undefined;
    if (!entry) fn = name === REFERENCE_EXECUTOR_NAME ? referenceExecutor() : undefined;
    else if ('agent' in entry) fn = referenceExecutor(entry.agent);
    else fn = moduleFunction(projectDir, name, entry.module, entry.export ?? 'handler');
    if (fn) cache.set(name, fn);
    return fn;
  };
}

function moduleFunction(projectDir: string, name: string, module: string, exportName: string): WorkflowFunction {
  const path = isAbsolute(module) ? module : resolve(projectDir, module);
  if (relative(projectDir, path).startsWith('..')) {
    throw new AgentryError('CONFIG_INVALID', `workflows.functions.${name}: ${module} is outside the project.`);
  }
  let loaded: Promise<WorkflowFunction> | undefined;
  const load = async (): Promise<WorkflowFunction> => {
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (cause) {
      throw new AgentryError('CONFIG_INVALID', `workflows.functions.${name}: cannot load ${module}.`, { cause });
    }
    const fn = exports[exportName];
    if (typeof fn !== 'function') {
      throw new AgentryError('CONFIG_INVALID', `workflows.functions.${name}: ${module} exports no ${exportName}().`);
    }
    return async (event, context) => (fn as WorkflowFunction)(event, context);
  };
  return async (event, context) => {
    loaded ??= load();
    return (await loaded)(event, context);
  };
}
