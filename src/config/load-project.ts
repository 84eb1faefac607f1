import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentryError } from '../errors.ts';
import type { KnowledgeStore } from '../store/knowledge.ts';
import { builtinTools } from '../tools/builtin/index.ts';
import type { AnyTool } from '../tools/define-tool.ts';
import { loadProjectTools } from './project-tools.ts';
import { loadProjectWorkflows, type WorkflowFile } from './project-workflows.ts';
import { readYamlFile } from './read-yaml.ts';
import { type AgentFile, agentFileSchema, type ProjectFile, projectFileSchema } from './schemas.ts';

export const PROJECT_FILE = 'agentry.config.yaml';

/** The examples project shipped with Agentry; what `--project` defaults to outside a project. */
export const BUNDLED_EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

export interface AgentConfig extends AgentFile {
  name: string;
  /** Relative to the project, for messages. */
  file: string;
}

export interface Project {
  dir: string;
  name: string;
  config: ProjectFile;
  agents: Map<string, AgentConfig>;
  tools: Map<string, AnyTool>;
  /** `workflows/<name>.asl.json`, by name. */
  workflows: Map<string, WorkflowFile>;
}

/** `--project`, else the current folder if it is a project, else the bundled examples. */
export function findProjectDir(explicit: string | undefined, cwd: string = process.cwd()): string {
  if (explicit) return resolve(cwd, explicit);
  if (existsSync(join(cwd, PROJECT_FILE))) return cwd;
  return BUNDLED_EXAMPLES_DIR;
}

export interface LoadProjectOptions {
  /** Backs the built-in `search_knowledge` tool. */
  knowledge?: KnowledgeStore;
}

export async function loadProject(dir: string, options: LoadProjectOptions = {}): Promise<Project> {
  const projectFile = join(dir, PROJECT_FILE);
  if (!existsSync(projectFile)) {
    throw new AgentryError('CONFIG_NOT_FOUND', `${dir} is not an Agentry project: ${PROJECT_FILE} is missing.`);
  }
  const config = readYamlFile(projectFile, projectFileSchema, dir);
  const agents = new Map<string, AgentConfig>();
  const agentsDir = join(dir, 'agents');
  const files = existsSync(agentsDir)
    ? readdirSync(agentsDir)
        .filter((file) => /\.ya?ml$/.test(file))
        .sort()
    : [];
  for (const file of files) {
    const data = readYamlFile(join(agentsDir, file), agentFileSchema, dir);
    const name = data.name ?? basename(file).replace(/\.ya?ml$/, '');
    if (agents.has(name)) {
      throw new AgentryError(
        'CONFIG_INVALID',
        `agents/${file}: agent name "${name}" is already used by ${agents.get(name)!.file}.`,
      );
    }
    agents.set(name, { ...data, name, file: `agents/${file}` });
  }

  const tools = builtinTools(options.knowledge ? { knowledge: options.knowledge } : {});
  for (const tool of await loadProjectTools(dir)) {
    if (tools.has(tool.name))
      throw new AgentryError('CONFIG_INVALID', `tools/: tool name "${tool.name}" is defined twice.`);
    tools.set(tool.name, tool);
  }
  for (const agent of agents.values()) {
    agent.tools.forEach((toolName, index) => {
      if (!tools.has(toolName)) {
        throw new AgentryError(
          'CONFIG_INVALID',
          `${agent.file}: tools.${index}: unknown tool "${toolName}". Known tools: ${[...tools.keys()].join(', ')}.`,
        );
      }
    });
  }
  const workflows = loadProjectWorkflows(dir);
  return { dir, name: config.name ?? basename(dir), config, agents, tools, workflows };
}
