import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSession, type Session } from '../src/cli/session.ts';
import { BUNDLED_EXAMPLES_DIR } from '../src/config/load-project.ts';
import { WORKFLOW_FILE_SUFFIX } from '../src/config/project-workflows.ts';
import type { ExecutionRecord } from '../src/store/workflows.ts';
import type { ExecutionEvent } from '../src/workflow/events.ts';
import { runForTest } from '../src/workflow/test-support.ts';
import type { StateMachineDefinition } from '../src/workflow/types.ts';
import { validateDefinition } from '../src/workflow/validate.ts';

/**
 * The example workflows of `examples/workflows/`, run through the real project workflow runner on the memory
 * store with the offline demo model (`examples/scripts/demo.json`), as `agentry workflow run` runs them.
 * The inputs are the ones docs/WORKFLOWS.md shows.
 */
const INPUTS: Record<string, unknown> = {
  'multi-agent-workflow': { user_id: 'demo-user', query: 'Tell me about Amazon SageMaker' },
  'prompt-chaining': { topic: 'DynamoDB partition keys' },
  routing: { question: 'Tell me about Amazon SageMaker' },
  parallelization: {
    proposal: "Move the support assistant's conversation history from one PostgreSQL server to Amazon DynamoDB",
  },
  'orchestrator-workers': {
    task: 'Advise a small team adding AI features to its web app: Amazon Bedrock or Amazon SageMaker?',
  },
  'evaluator-optimizer': { task: 'Describe AWS Lambda in one sentence for a developer who has never used it.' },
  'human-approval': {
    request: 'A two-sentence announcement that the support assistant now answers billing questions.',
  },
};

const WORKFLOWS_DIR = join(BUNDLED_EXAMPLES_DIR, 'workflows');
const names = readdirSync(WORKFLOWS_DIR)
  .filter((file) => file.endsWith(WORKFLOW_FILE_SUFFIX))
  .map((file) => file.slice(0, -WORKFLOW_FILE_SUFFIX.length))
  .sort();

function definitionOf(name: string): StateMachineDefinition {
  return JSON.parse(readFileSync(join(WORKFLOWS_DIR, `${name}${WORKFLOW_FILE_SUFFIX}`), 'utf8'));
}

let session: Session;

beforeAll(async () => {
  session = await openSession({
    project: BUNDLED_EXAMPLES_DIR,
    model: 'scripted:scripts/demo.json',
    env: { AGENTRY_STORE: 'memory' },
    cwd: BUNDLED_EXAMPLES_DIR,
  });
});

afterAll(async () => {
  await session?.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function run(workflow: string, input: unknown = INPUTS[workflow]): Promise<ExecutionRecord> {
  const runner = await session.workflows();
  return runner.run(session.scope, { workflow, input });
}

async function historyOf(execution: ExecutionRecord): Promise<ExecutionEvent[]> {
  return (await session.store()).workflows.loadEvents(execution.id);
}

/** The Task states scheduled, in order, as `State=resource`. */
function tasks(history: ExecutionEvent[]): string[] {
  return history.flatMap((event) => (event.type === 'TaskScheduled' ? [`${event.state}=${event.resource}`] : []));
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('example workflows', () => {
  it('every example has an input here, and every definition is valid', () => {
    expect(names).toEqual(Object.keys(INPUTS).sort());
    for (const name of names) {
      const { valid, issues } = validateDefinition(definitionOf(name));
      expect({ name, valid, issues }).toEqual({ name, valid: true, issues: [] });
      expect(definitionOf(name).Comment, name).toEqual(expect.any(String));
    }
  });

  it('uses both query languages', () => {
    const languages = new Set(names.map((name) => definitionOf(name).QueryLanguage ?? 'JSONPath'));
    expect([...languages].sort()).toEqual(['JSONPath', 'JSONata']);
  });
});

describe('multi-agent-workflow (the reference design)', () => {
  const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:ai-agent-executor';
  const LAMBDA_ERRORS = [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ];

  it('keeps the documented shape of the AWS version', () => {
    const definition = definitionOf('multi-agent-workflow') as unknown as {
      StartAt: string;
      QueryLanguage?: string;
      States: Record<string, Record<string, unknown>>;
    };
    expect(definition.QueryLanguage).toBeUndefined();
    expect(definition.StartAt).toBe('ResearchAgent');
    expect(Object.keys(definition.States)).toEqual(['ResearchAgent', 'AnalysisAgent', 'SummaryAgent', 'HandleError']);
    const steps = [
      ['ResearchAgent', 'researcher', '$.query', '$.research_result', { Next: 'AnalysisAgent' }],
      [
        'AnalysisAgent',
        'analyst',
        expect.stringMatching(/^States\.Format\('[^']*\{\}', \$\.research_result\.response\)$/),
        '$.analysis_result',
        { Next: 'SummaryAgent' },
      ],
      [
        'SummaryAgent',
        'summarizer',
        expect.stringMatching(/^States\.Format\('[^']*\{\}', \$\.analysis_result\.response\)$/),
        '$.summary_result',
        { End: true },
      ],
    ] as const;
    for (const [name, agentType, query, resultPath, transition] of steps) {
      expect(definition.States[name]).toEqual({
        Type: 'Task',
        Resource: ARN,
        Parameters: { body: { 'user_id.$': '$.user_id', 'query.$': query, agent_type: agentType } },
        ResultPath: resultPath,
        Retry: [{ ErrorEquals: LAMBDA_ERRORS, IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'HandleError' }],
        ...transition,
      });
    }
    expect(definition.States.HandleError).toMatchObject({ Type: 'Fail', Error: expect.any(String) });
  });

  it('is plain Step Functions ASL: valid with ARN checks, and aws-local-stepfunctions runs it like Agentry', async () => {
    const definition = definitionOf('multi-agent-workflow');
    const aslValidator = createRequire(import.meta.url)('asl-validator') as (
      definition: unknown,
      options: { checkPaths: boolean; checkArn: boolean },
    ) => { isValid: boolean; errors: unknown[] };
    expect(aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true }).errors).toEqual([]);

    // A stand-in for the agent executor Lambda: the reference reply, naming the agent and its query.
    const executor = (event: unknown) => {
      const body = (event as { body: { user_id: string; query: string; agent_type: string } }).body;
      return {
        response: `${body.agent_type} on [${body.query}]`,
        conversation_id: `c-${body.agent_type}`,
        user_id: body.user_id,
      };
    };
    const input = { user_id: 'u1', query: 'q' };
    const ours = await runForTest(definition, input, { [ARN]: executor });
    const machine = new StateMachine(structuredClone(definition) as never);
    const execution = machine.run(structuredClone(input) as never, {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(
          ['ResearchAgent', 'AnalysisAgent', 'SummaryAgent'].map((state) => [
            state,
            async (event: unknown) => executor(event) as never,
          ]),
        ),
      },
    });
    const oracle = await execution.result;
    expect(ours.status === 'SUCCEEDED' ? ours.output : ours).toEqual(oracle);
    expect(oracle).toMatchObject({
      user_id: 'u1',
      query: 'q',
      research_result: { response: 'researcher on [q]', user_id: 'u1' },
      analysis_result: { response: expect.stringContaining('analyst on [') },
      summary_result: { response: expect.stringContaining('summarizer on [') },
    });
  });

  it('runs research, analysis and summary through the built-in ai-agent-executor', async () => {
    const done = await run('multi-agent-workflow');
    expect(done.status).toBe('SUCCEEDED');
    const output = done.output as Record<string, { response: string; user_id: string; conversation_id: string }>;
    expect(output.research_result?.response).toContain('fully managed machine learning service');
    expect(output.analysis_result?.response).toContain('Key insights:');
    expect(output.summary_result?.response).toContain('Recommendation:');
    expect(output.summary_result?.user_id).toBe('demo-user');
    expect(tasks(await historyOf(done))).toEqual([
      `ResearchAgent=${ARN}`,
      `AnalysisAgent=${ARN}`,
      `SummaryAgent=${ARN}`,
    ]);
  });
});

describe('prompt-chaining', () => {
  it('chains outline, explainer and teaser when the gate passes', async () => {
    const done = await run('prompt-chaining');
    expect(done.status).toBe('SUCCEEDED');
    const output = done.output as Record<string, { text: string }>;
    expect(output.outline?.text).toMatch(/^1\. What a partition key is/);
    expect(output.explainer?.text).toContain('hot partition');
    expect(output.teaser?.text).toContain('DynamoDB item');
    expect(tasks(await historyOf(done))).toEqual([
      'Outline=agent:writer',
      'Explainer=agent:writer',
      'Teaser=agent:writer',
    ]);
  });

  it('stops at the gate, before the later steps run, when the outline step cannot go on', async () => {
    const done = await run('prompt-chaining', { topic: 'my weekend plans' });
    expect(done).toMatchObject({
      status: 'FAILED',
      error: 'Chain.GateFailed',
      cause: expect.stringMatching(/^The chain stopped at the outline gate: CANNOT OUTLINE/),
    });
    expect(tasks(await historyOf(done))).toEqual(['Outline=agent:writer']);
  });
});

describe('routing', () => {
  it.each([
    ['Tell me about Amazon SageMaker', 'research', 'researcher', 'fully managed machine learning service'],
    ['What is 25 * 47?', 'analysis', 'analyst', '1175'],
    ['What time is it?', 'general', 'assistant', 'current time'],
  ])('routes %j to the %s specialist', async (question, category, agent, answer) => {
    const done = await run('routing', { question });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toEqual({ category, agent, answer: expect.stringContaining(answer) });
    const state = { researcher: 'Research', analyst: 'Analysis', assistant: 'General' }[agent];
    expect(tasks(await historyOf(done))).toEqual(['Classify=agent:classifier', `${state}=agent:${agent}`]);
  });
});

describe('parallelization', () => {
  it('sections the job across agents in parallel, then votes once per point of view', async () => {
    const done = await run('parallelization');
    expect(done.status).toBe('SUCCEEDED');
    const output = done.output as Record<string, unknown>;
    expect(output.facts).toContain('three Availability Zones');
    expect(output.risks).toContain('Lock-in');
    expect(output.votes).toEqual([
      { lens: 'cost', vote: 'NO', reason: expect.stringContaining('per-request billing') },
      { lens: 'reliability', vote: 'YES', reason: expect.stringContaining('Availability Zones') },
      { lens: 'security', vote: 'YES', reason: expect.stringContaining('IAM') },
    ]);
    expect(output).toMatchObject({ yes: 2, decision: 'go' });
    const scheduled = tasks(await historyOf(done));
    expect(scheduled.slice(0, 2).sort()).toEqual(['Facts=agent:researcher', 'Risks=agent:analyst']);
    expect(scheduled.slice(2)).toEqual(Array(3).fill('Judge=agent:evaluator'));
  });
});

describe('orchestrator-workers', () => {
  it('runs one worker per planned subtask, then synthesizes their findings', async () => {
    const done = await run('orchestrator-workers');
    expect(done.status).toBe('SUCCEEDED');
    const output = done.output as {
      plan: { subtasks: string[] };
      results: { subtask: string; findings: { text: string } }[];
      answer: { text: string };
    };
    expect(output.plan.subtasks).toHaveLength(3);
    expect(output.results.map((result) => result.subtask)).toEqual(output.plan.subtasks);
    expect(output.results[0]?.findings.text).toContain('(amazon-bedrock.md)');
    expect(output.results[1]?.findings.text).toContain('(amazon-sagemaker.md)');
    expect(output.results[2]?.findings.text).toContain('Bedrock is the shorter path');
    expect(output.answer.text).toMatch(/^Start with Amazon Bedrock\./);
    const history = await historyOf(done);
    expect(history.filter((event) => event.type === 'MapIterationSucceeded')).toHaveLength(3);
    expect(tasks(history)).toEqual([
      'Plan=agent:planner',
      ...Array(3).fill('Worker=agent:researcher'),
      'Synthesize=agent:writer',
    ]);
  });

  it('fails at the plan check when the planner returns no subtasks', async () => {
    const done = await run('orchestrator-workers', { task: 'Plan a birthday party' });
    expect(done).toMatchObject({ status: 'FAILED', error: 'Plan.Empty' });
    expect(tasks(await historyOf(done))).toEqual(['Plan=agent:planner']);
  });
});

describe('evaluator-optimizer', () => {
  it('revises once on the evaluator feedback and stops when the draft passes: exactly two rounds', async () => {
    const done = await run('evaluator-optimizer');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toEqual({
      text: expect.stringMatching(/^AWS Lambda runs your code only when an event arrives/),
      passed: true,
      rounds: 2,
      feedback: 'concrete, accurate and readable for a newcomer.',
    });
    expect(tasks(await historyOf(done))).toEqual([
      'Generate=agent:writer',
      'Evaluate=agent:evaluator',
      'Generate=agent:writer',
      'Evaluate=agent:evaluator',
    ]);
  });

  it('stops after max_rounds even when the evaluator never passes the draft', async () => {
    const done = await run('evaluator-optimizer', { ...(INPUTS['evaluator-optimizer'] as object), max_rounds: 1 });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toMatchObject({
      text: 'AWS Lambda is a serverless compute service.',
      passed: false,
      rounds: 1,
    });
  });
});

describe('human-approval', () => {
  async function startAndWaitForToken() {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const request = () =>
      printed.mock.calls.map((call) => String(call[0])).find((line) => line.startsWith('Approval requested'));
    const runner = await session.workflows();
    const started = await runner.start(session.scope, { workflow: 'human-approval', input: INPUTS['human-approval'] });
    const token = await waitFor(async () => {
      const history = await historyOf(started.execution);
      const scheduled = history.find((event) => event.type === 'TaskScheduled' && event.state === 'RequestApproval');
      return scheduled?.type === 'TaskScheduled' && request() ? scheduled.taskToken : undefined;
    });
    return { runner, started, token: token!, printed: request()! };
  }

  it('waits for the approver, then publishes the approved draft', async () => {
    const { runner, started, token, printed } = await startAndWaitForToken();
    expect(printed).toContain(token);
    expect(printed).toContain('Our support assistant now answers billing questions');
    // Still waiting: nothing completes the token but the approver.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = await (await session.store()).workflows.getExecution(session.scope, started.execution.id);
    expect(waiting?.status).toBe('RUNNING');

    await runner.completeTaskToken(session.scope, token, {
      status: 'succeeded',
      output: { approved: true, comment: 'Ship it.' },
    });
    const done = await started.done;
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toEqual({
      status: 'published',
      text: expect.stringMatching(/^Our support assistant now answers billing questions/),
      approval: { approved: true, comment: 'Ship it.' },
    });
    expect(tasks(await historyOf(done))).toEqual([
      'Draft=agent:writer',
      'RequestApproval=arn:aws:states:::lambda:invoke.waitForTaskToken',
    ]);
  });

  it('ends as Approval.Rejected when the approver says no', async () => {
    const { runner, started, token } = await startAndWaitForToken();
    await runner.completeTaskToken(session.scope, token, {
      status: 'succeeded',
      output: { approved: false, comment: 'Mention the support hours.' },
    });
    expect(await started.done).toMatchObject({ status: 'FAILED', error: 'Approval.Rejected' });
  });
});
