import { describe, expect, it } from 'vitest';
import { AgentryError, isAgentryError } from '../errors.ts';
import { createMemoryStore } from '../store/memory/memory-store.ts';
import type { Scope } from '../store/scope.ts';
import type { Store } from '../store/store.ts';
import { scriptedAgent } from '../testing/scripted-agent.ts';
import { createTaskHandler } from '../workflow/tasks/create-task-handler.ts';
import { projectFunctions } from '../workflow/tasks/project-functions.ts';
import type { WorkflowFunction } from '../workflow/tasks/task-services.ts';
import type { StateMachineDefinition } from '../workflow/types.ts';
import { AgentRunner } from './agent-runner.ts';
import { durableAgentInvoker } from './agent-task.ts';
import { WorkflowRunner } from './workflow-runner.ts';

const alice: Scope = { tenantId: 't1', userId: 'alice' };

/** The reference design's three-agent chain, through the `ai-agent-executor` function. */
const researchChain: StateMachineDefinition = {
  StartAt: 'ResearchAgent',
  States: {
    ResearchAgent: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:ai-agent-executor',
      Parameters: { body: { 'user_id.$': '$.user_id', 'query.$': '$.query', agent_type: 'researcher' } },
      ResultPath: '$.research',
      Next: 'AnalysisAgent',
    },
    AnalysisAgent: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:ai-agent-executor',
      Parameters: {
        body: {
          'user_id.$': '$.user_id',
          'query.$': "States.Format('Analyze: {}', $.research.response)",
          agent_type: 'analyst',
        },
      },
      ResultPath: '$.analysis',
      Next: 'SummaryAgent',
    },
    SummaryAgent: {
      Type: 'Task',
      Resource: 'agent:summarizer',
      Parameters: { 'query.$': "States.Format('Summarize: {}', $.analysis.response)" },
      ResultSelector: { 'summary.$': '$.response' },
      End: true,
    },
  },
};

const approval: StateMachineDefinition = {
  StartAt: 'AskApprover',
  States: {
    AskApprover: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token', 'doc.$': '$.doc' } },
      ResultPath: '$.decision',
      End: true,
    },
  },
};

interface Harness {
  store: Store;
  modelCalls: () => number;
  notified: unknown[];
  runner: (owner: string, options?: { hang?: string }) => WorkflowRunner;
}

function harness(store: Store = createMemoryStore()): Harness {
  let calls = 0;
  const notified: unknown[] = [];
  const agent = (name: string) => {
    const built = scriptedAgent({
      name,
      script: { replies: [{ when: '.', steps: [{ text: `${name} says ok` }] }] },
    });
    const original = built.model.model.doStream.bind(built.model.model);
    built.model.model.doStream = async (options) => {
      calls++;
      return original(options);
    };
    return built;
  };
  const agentRunner = new AgentRunner({ store, agent, owner: 'agents', leaseTtlMs: 1_000 });
  const notify: WorkflowFunction = async (event) => {
    notified.push(event);
    return null;
  };
  const base = projectFunctions('/nonexistent');
  return {
    store,
    modelCalls: () => calls,
    notified,
    runner: (owner, options = {}) =>
      new WorkflowRunner({
        store,
        owner,
        leaseTtlMs: 1_000,
        tokenPollMs: 20,
        workflow: (name) => {
          const definition = { chain: researchChain, approval }[name];
          if (!definition) throw new AgentryError('WORKFLOW_NOT_FOUND', name);
          return { name, text: JSON.stringify(definition), definition };
        },
        tasks: (execution, tokens) => {
          const scope = { tenantId: execution.tenantId, userId: execution.userId };
          const invokeAgent = durableAgentInvoker(agentRunner, store, scope, { pollMs: 20 });
          return createTaskHandler({
            invokeAgent: async (request, context) => {
              if (request.agent === options.hang) {
                return new Promise((_resolve, reject) =>
                  context.signal.addEventListener('abort', () => reject(context.signal.reason)),
                );
              }
              return invokeAgent(request, context);
            },
            functionNamed: (name) => (name === 'notify' ? notify : base(name)),
            tokens: tokens.forExecution(execution.id, scope),
            userId: execution.userId,
          });
        },
      }),
  };
}

/** Runner 'a' starts the chain and hangs in its second task (the analyst), once that is scheduled. */
async function startedUntilAnalysis(h: Harness) {
  const first = h.runner('a', { hang: 'analyst' });
  const started = await first.start(alice, { workflow: 'chain', input: { user_id: 'alice', query: 'q' } });
  await waitFor(async () =>
    (await h.store.workflows.loadEvents(started.execution.id)).some(
      (event) => event.type === 'TaskScheduled' && event.state === 'AnalysisAgent',
    ),
  );
  return { first, started };
}

describe('WorkflowRunner', () => {
  it('runs the three-agent chain durably and records its history', async () => {
    const h = harness();
    const done = await h.runner('a').run(alice, {
      workflow: 'chain',
      name: 'first',
      input: { user_id: 'alice', query: 'Amazon SageMaker' },
    });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toEqual({ summary: 'summarizer says ok' });
    const stored = await h.store.workflows.getExecution(alice, done.id);
    expect(stored).toMatchObject({ status: 'SUCCEEDED', output: { summary: 'summarizer says ok' } });
    const history = await h.store.workflows.loadEvents(done.id);
    expect(history.map((event) => event.id)).toEqual(history.map((_, index) => index + 1));
    expect(history.filter((event) => event.type === 'TaskSucceeded')).toHaveLength(3);
    expect(history.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(h.modelCalls()).toBe(3);
    // Agent tasks are runs of the execution's user, in conversations of their own.
    const runs = await h.store.runs.listRuns(alice);
    expect(runs.items.map((run) => run.agent).sort()).toEqual(['analyst', 'researcher', 'summarizer']);
  });

  it('starting the same name twice is idempotent; another input is refused', async () => {
    const h = harness();
    const runner = h.runner('a');
    const input = { user_id: 'alice', query: 'x' };
    const first = await runner.start(alice, { workflow: 'chain', name: 'same', input });
    const second = await runner.start(alice, { workflow: 'chain', name: 'same', input });
    expect(second.created).toBe(false);
    expect(second.execution.id).toBe(first.execution.id);
    await first.done;
    expect((await second.done).status).toBe('SUCCEEDED');
    expect(h.modelCalls()).toBe(3);
    const error = await runner.start(alice, { workflow: 'chain', name: 'same', input: { query: 'y' } }).catch((e) => e);
    expect(isAgentryError(error) && error.code).toBe('EXECUTION_ALREADY_EXISTS');
    // Another user's execution of the same name is their own.
    const bob = await runner.start({ tenantId: 't1', userId: 'bob' }, { workflow: 'chain', name: 'same', input });
    expect(bob.created).toBe(true);
    await bob.done;
  });

  it('a resumed execution does not run finished tasks again', async () => {
    const h = harness();
    const { first, started } = await startedUntilAnalysis(h);
    expect(await first.interruptAll()).toBe(1);
    expect((await started.done).status).toBe('RUNNING');
    expect(h.modelCalls()).toBe(1);
    const second = h.runner('b');
    const resumed = await second.resume(started.execution.id);
    expect(resumed?.status).toBe('SUCCEEDED');
    expect(h.modelCalls()).toBe(3); // researcher once, analyst and summarizer once each
    const history = await h.store.workflows.loadEvents(started.execution.id);
    expect(history.filter((event) => event.type === 'TaskScheduled')).toHaveLength(3);
    expect(history.map((event) => event.id)).toEqual(history.map((_, index) => index + 1));
  });

  it('a stop requested while no process ran the execution aborts it on resume, running nothing more', async () => {
    const h = harness();
    const { first, started } = await startedUntilAnalysis(h);
    await first.interruptAll();
    expect(await h.store.workflows.requestStop(alice, started.execution.id)).toBe(true);
    const resumed = await h.runner('b').resume(started.execution.id);
    expect(resumed?.status).toBe('ABORTED');
    expect(h.modelCalls()).toBe(1); // the researcher only
    const history = await h.store.workflows.loadEvents(started.execution.id);
    expect(history.at(-1)?.type).toBe('ExecutionAborted');
  });

  it('an agent run that finished before its task success was recorded is not run again', async () => {
    const store = createMemoryStore();
    // The write that would record the researcher's success fails (the database went away): the execution
    // is interrupted with the researcher's run finished but its task still "in flight" in the history.
    let failed = false;
    const flaky = withWorkflowStore(store, {
      appendEvents: (original) => async (id, owner, last, events, finish) => {
        if (!failed && events.some((event) => event.type === 'TaskSucceeded')) {
          failed = true;
          throw new AgentryError('STORE_UNAVAILABLE', 'connection lost', { retryable: true });
        }
        return original(id, owner, last, events, finish);
      },
    });
    const h = harness(flaky);
    const started = await h.runner('a').start(alice, { workflow: 'chain', input: { user_id: 'alice', query: 'q' } });
    expect((await started.done).status).toBe('RUNNING');
    expect(h.modelCalls()).toBe(1);
    const resumed = await harness(store).runner('b').resume(started.execution.id);
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', output: { summary: 'summarizer says ok' } });
    const history = await store.workflows.loadEvents(started.execution.id);
    const research = history.filter((event) => event.type === 'TaskScheduled' && event.state === 'ResearchAgent');
    expect(research).toHaveLength(1); // the in-flight attempt was re-run under its recorded id…
    const runs = await store.runs.listRuns(alice);
    expect(runs.items.filter((run) => run.agent === 'researcher')).toHaveLength(1); // …and found its run
    expect(await harness(store).runner('c').resume(started.execution.id)).toBeUndefined();
  });

  it('waits for a task token that an API call completes, once', async () => {
    const h = harness();
    const runner = h.runner('a');
    const started = await runner.start(alice, { workflow: 'approval', input: { doc: 'contract.pdf' } });
    await waitFor(() => h.notified.length === 1);
    const { token } = h.notified[0] as { token: string; doc: string };
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const otherTenant = await runner
      .completeTaskToken({ tenantId: 't2', userId: 'mallory' }, token, { status: 'succeeded', output: {} })
      .catch((error: unknown) => error);
    expect(isAgentryError(otherTenant) && otherTenant.code).toBe('TASK_TOKEN_INVALID');
    await runner.completeTaskToken(alice, token, { status: 'succeeded', output: { approved: true } });
    const twice = await runner
      .completeTaskToken(alice, token, { status: 'failed', error: 'Rejected', cause: 'late' })
      .catch((error: unknown) => error);
    expect(isAgentryError(twice) && twice.code).toBe('TASK_TOKEN_ALREADY_COMPLETED');
    const done = await started.done;
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: { doc: 'contract.pdf', decision: { approved: true } } });
  });

  it('a task token completed while no process ran the execution is seen on resume, without notifying again', async () => {
    const h = harness();
    const first = h.runner('a');
    const started = await first.start(alice, { workflow: 'approval', input: { doc: 'a' } });
    await waitFor(() => h.notified.length === 1);
    await first.interruptAll();
    const { token } = h.notified[0] as { token: string };
    await first.completeTaskToken(alice, token, { status: 'failed', error: 'Approval.Rejected', cause: 'no' });
    const resumed = await h.runner('b').resume(started.execution.id);
    expect(resumed).toMatchObject({ status: 'FAILED', error: 'Approval.Rejected', cause: 'no' });
    expect(h.notified).toHaveLength(1);
  });
});

describe('WorkflowRunner.resumeAbandoned', () => {
  it('takes over executions whose process went away and returns while they run', async () => {
    const h = harness();
    const first = h.runner('a');
    const started = await first.start(alice, { workflow: 'approval', input: { doc: 'b' } });
    await waitFor(() => h.notified.length === 1);
    await first.interruptAll(); // hands the lease over at once
    const second = h.runner('b');
    expect(await second.resumeAbandoned()).toBe(1); // returns although the execution waits for its token
    expect(second.isRunningHere(started.execution.id)).toBe(true);
    expect(await h.runner('c').resumeAbandoned()).toBe(0); // b holds the lease
    const { token } = h.notified[0] as { token: string };
    await second.completeTaskToken(alice, token, { status: 'succeeded', output: 'yes' });
    await waitFor(
      async () => (await h.store.workflows.getExecution(alice, started.execution.id))?.status === 'SUCCEEDED',
    );
    expect(h.notified).toHaveLength(1);
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The store with some WorkflowStore methods wrapped. */
function withWorkflowStore(
  store: Store,
  wrap: { [K in keyof Store['workflows']]?: (original: Store['workflows'][K]) => Store['workflows'][K] },
): Store {
  const workflows = new Proxy(store.workflows, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const bound = value.bind(target);
      const wrapper = wrap[property as keyof typeof wrap] as ((original: unknown) => unknown) | undefined;
      return wrapper ? wrapper(bound) : bound;
    },
  });
  return new Proxy(store, {
    get: (target, property, receiver) =>
      property === 'workflows' ? workflows : Reflect.get(target, property, receiver),
  });
}
