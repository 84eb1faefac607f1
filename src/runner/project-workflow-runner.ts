import type { Project } from '../config/load-project.ts';
import { assertValidDefinition, type WorkflowFile } from '../config/project-workflows.ts';
import { AgentryError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { checkResources } from '../workflow/tasks/check-resources.ts';
import { createTaskHandler } from '../workflow/tasks/create-task-handler.ts';
import { projectFunctions } from '../workflow/tasks/project-functions.ts';
import type { AgentRunner } from './agent-runner.ts';
import { durableAgentInvoker } from './agent-task.ts';
import { type RunnableWorkflow, WorkflowRunner, type WorkflowRunnerOptions } from './workflow-runner.ts';

/**
 * The workflow runner of a project: its `workflows/*.asl.json` (validated on first use), agent tasks as
 * durable runs of `agentRunner`, and Lambda names mapped by `workflows.functions`.
 */
export function createProjectWorkflowRunner(
  project: Project,
  store: Store,
  agentRunner: AgentRunner,
  options: Omit<WorkflowRunnerOptions, 'store' | 'workflow' | 'tasks'> = {},
): WorkflowRunner {
  const validated = new Map<string, RunnableWorkflow>();
  const functionNamed = projectFunctions(project.dir, project.config.workflows?.functions);
  return new WorkflowRunner({
    ...options,
    store,
    workflow(name) {
      const cached = validated.get(name);
      if (cached) return cached;
      const file = project.workflows.get(name);
      if (!file) {
        const known = [...project.workflows.keys()].join(', ') || 'none';
        throw new AgentryError('WORKFLOW_NOT_FOUND', `No workflow named "${name}" (known: ${known}).`);
      }
      assertRunnableWorkflow(project, file);
      const runnable = { name: file.name, text: file.text, definition: file.definition };
      validated.set(name, runnable);
      return runnable;
    },
    tasks(execution, tokens) {
      const scope = { tenantId: execution.tenantId, userId: execution.userId };
      return createTaskHandler({
        invokeAgent: durableAgentInvoker(agentRunner, store, scope),
        functionNamed,
        tokens: tokens.forExecution(execution.id, scope),
        userId: execution.userId,
      });
    },
  });
}

/**
 * Throws WORKFLOW_INVALID unless the workflow is valid ASL and every Task resource it names statically is
 * one this project runs (its agents, its mapped functions, `ai-agent-executor`).
 */
export function assertRunnableWorkflow(project: Project, file: WorkflowFile): void {
  assertValidDefinition(file.definition, file.file);
  const functionNamed = projectFunctions(project.dir, project.config.workflows?.functions);
  const issues = checkResources(file.definition, {
    hasAgent: (name) => project.agents.has(name),
    hasFunction: (name) => functionNamed(name) !== undefined,
  });
  if (issues.length === 0) return;
  const lines = issues.map((issue) => `  - state "${issue.state}", field ${issue.field}: ${issue.message}`);
  throw new AgentryError('WORKFLOW_INVALID', `${file.file} names resources this project lacks:\n${lines.join('\n')}`, {
    details: { issues },
  });
}
