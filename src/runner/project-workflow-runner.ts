import type { Project } from '../config/load-project.ts';
import { assertValidDefinition } from '../config/project-workflows.ts';
import { AgentryError } from '../errors.ts';
import type { Store } from '../store/store.ts';
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
      assertValidDefinition(file.definition, file.file);
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
