import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AgentryError } from '../errors.ts';
import type { AnyTool } from '../tools/define-tool.ts';

function isTool(value: unknown): value is AnyTool {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AnyTool).name === 'string' &&
    typeof (value as AnyTool).run === 'function' &&
    typeof (value as AnyTool).inputJsonSchema === 'object'
  );
}

/**
 * Loads the project's own tools: every `tools/*.ts` (or .js/.mjs) file's exports that were made with
 * `defineTool`. This imports project code, which is trusted like any dependency; nothing a model
 * produced is ever loaded this way.
 */
export async function loadProjectTools(projectDir: string): Promise<AnyTool[]> {
  const dir = join(projectDir, 'tools');
  let files: string[];
  try {
    files = readdirSync(dir).filter(
      (file) => /\.(ts|mts|js|mjs)$/.test(file) && !/\.(test|spec)\./.test(file) && !file.endsWith('.d.ts'),
    );
  } catch {
    return [];
  }
  const tools: AnyTool[] = [];
  for (const file of files.sort()) {
    const path = join(dir, file);
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (cause) {
      throw new AgentryError(
        'CONFIG_INVALID',
        `${relative(projectDir, path)}: cannot load (${(cause as Error).message})`,
        { cause },
      );
    }
    const found = Object.values(module).filter(isTool);
    if (found.length === 0) {
      throw new AgentryError(
        'CONFIG_INVALID',
        `${relative(projectDir, path)}: exports no tool made with defineTool().`,
      );
    }
    tools.push(...found);
  }
  return tools;
}
