import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentryError } from '../errors.ts';
import type { StateMachineDefinition } from '../workflow/types.ts';
import { validateDefinition } from '../workflow/validate.ts';

export const WORKFLOW_FILE_SUFFIX = '.asl.json';

/** One `workflows/<name>.asl.json` of a project. */
export interface WorkflowFile {
  name: string;
  /** Relative to the project, for messages. */
  file: string;
  /** The file's text, kept so an execution can store exactly what it started with. */
  text: string;
  definition: StateMachineDefinition;
}

/**
 * Lists the project's workflows. Files are read and parsed here (a malformed one fails the load with
 * its path); validation (asl-validator, slower) happens when a workflow is first used or validated.
 */
export function loadProjectWorkflows(projectDir: string): Map<string, WorkflowFile> {
  const dir = join(projectDir, 'workflows');
  const workflows = new Map<string, WorkflowFile>();
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith(WORKFLOW_FILE_SUFFIX));
  } catch {
    return workflows;
  }
  for (const file of files.sort()) {
    const name = file.slice(0, -WORKFLOW_FILE_SUFFIX.length);
    const text = readFileSync(join(dir, file), 'utf8');
    workflows.set(name, {
      name,
      file: `workflows/${file}`,
      text,
      definition: parseDefinition(text, `workflows/${file}`),
    });
  }
  return workflows;
}

export function parseDefinition(text: string, source: string): StateMachineDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new AgentryError('WORKFLOW_INVALID', `${source}: not valid JSON (${(cause as Error).message}).`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AgentryError('WORKFLOW_INVALID', `${source}: a state machine definition must be a JSON object.`);
  }
  return parsed as StateMachineDefinition;
}

/** Throws WORKFLOW_INVALID listing every problem with its state and field. */
export function assertValidDefinition(definition: unknown, source: string): void {
  const { valid, issues } = validateDefinition(definition);
  if (valid) return;
  const lines = issues.map((issue) => {
    const where = [issue.state && `state "${issue.state}"`, issue.field && `field ${issue.field}`]
      .filter(Boolean)
      .join(', ');
    return `  - ${where ? `${where}: ` : ''}${issue.message}`;
  });
  throw new AgentryError('WORKFLOW_INVALID', `${source} is not a valid state machine:\n${lines.join('\n')}`, {
    details: { issues },
  });
}
