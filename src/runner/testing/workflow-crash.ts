import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Store } from '../../store/store.ts';
import { sleep } from '../../util/sleep.ts';
import { createTaskHandler } from '../../workflow/tasks/create-task-handler.ts';
import type { WorkflowFunction } from '../../workflow/tasks/task-services.ts';
import type { StateMachineDefinition } from '../../workflow/types.ts';
import { AgentRunner } from '../agent-runner.ts';
import { durableAgentInvoker } from '../agent-task.ts';
import { WorkflowRunner } from '../workflow-runner.ts';
import { CRASH_QUERY, crashAgent } from './crash-agent.ts';

/**
 * The workflow of the workflow crash tests: an agent task with side-effecting tools in parallel with a
 * Map of side-effecting function tasks, then a 1-second Wait (so kills land in timers too), then a
 * `lambda:invoke` task. Its output is deterministic, so every crashed execution must end with the same one.
 */
export const CRASH_WORKFLOW: StateMachineDefinition = {
  StartAt: 'Fan',
  States: {
    Fan: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Chores',
          States: {
            Chores: {
              Type: 'Task',
              Resource: 'agent:crash',
              Parameters: { query: CRASH_QUERY },
              ResultSelector: { 'response.$': '$.response' },
              End: true,
            },
          },
        },
        {
          StartAt: 'Each',
          States: {
            Each: {
              Type: 'Map',
              ItemsPath: '$.items',
              MaxConcurrency: 2,
              ItemProcessor: {
                StartAt: 'Effect',
                States: {
                  Effect: {
                    Type: 'Task',
                    Resource: 'arn:aws:lambda:us-east-1:123456789012:function:effect',
                    End: true,
                  },
                },
              },
              End: true,
            },
          },
        },
      ],
      ResultPath: '$.fan',
      Next: 'Nap',
    },
    Nap: { Type: 'Wait', Seconds: 1, Next: 'Final' },
    Final: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'effect', Payload: { key: 'final' } },
      ResultSelector: { 'final.$': '$.Payload' },
      ResultPath: '$.final',
      End: true,
    },
  },
};

export const CRASH_WORKFLOW_INPUT = { items: [{ key: 'a' }, { key: 'b' }, { key: 'c' }] };

/**
 * A workflow runner for crash children. `effect` is idempotent by task id, as a real function is with an
 * idempotency key: every invocation is logged to `executionsFile`, each task's effect once to `effectsFile`.
 * The agent's tool effects go to `<file>.agent`.
 */
export function crashWorkflowRunner(
  store: Store,
  effectsFile: string,
  executionsFile: string,
  leaseTtlMs: number,
): WorkflowRunner {
  const agent = crashAgent(`${effectsFile}.agent`, `${executionsFile}.agent`);
  const agentRunner = new AgentRunner({ store, agent: () => agent, leaseTtlMs });
  const effect: WorkflowFunction = async (event, { taskId, signal }) => {
    const key = (event as { key?: string }).key ?? '?';
    appendFileSync(executionsFile, `${key} ${taskId}\n`);
    await sleep(20, signal);
    const done = existsSync(effectsFile) ? readFileSync(effectsFile, 'utf8').split('\n') : [];
    if (!done.some((line) => line.endsWith(` ${taskId}`))) appendFileSync(effectsFile, `${key} ${taskId}\n`);
    return { done: key };
  };
  return new WorkflowRunner({
    store,
    leaseTtlMs,
    workflow: (name) => ({ name, text: JSON.stringify(CRASH_WORKFLOW), definition: CRASH_WORKFLOW }),
    tasks: (execution, tokens) => {
      const scope = { tenantId: execution.tenantId, userId: execution.userId };
      return createTaskHandler({
        invokeAgent: durableAgentInvoker(agentRunner, store, scope, { pollMs: 25 }),
        functionNamed: (name) => (name === 'effect' ? effect : undefined),
        tokens: tokens.forExecution(execution.id, scope),
        userId: execution.userId,
      });
    },
  });
}
