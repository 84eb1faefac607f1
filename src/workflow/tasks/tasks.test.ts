import { describe, expect, it } from 'vitest';
import { StatesError } from '../errors.ts';
import type { StateMachineDefinition } from '../types.ts';
import { checkResources } from './check-resources.ts';
import { createTaskHandler } from './create-task-handler.ts';
import { projectFunctions } from './project-functions.ts';
import { functionNameOf, parseResource } from './resources.ts';
import type { AgentTaskRequest, TaskTokens } from './task-services.ts';

describe('parseResource', () => {
  it('recognizes agents, Lambda ARNs and the lambda:invoke integration', () => {
    expect(parseResource('agent:researcher')).toEqual({ kind: 'agent', agent: 'researcher' });
    expect(parseResource('arn:aws:lambda:us-east-1:123456789012:function:ai-agent-executor')).toEqual({
      kind: 'function',
      functionName: 'ai-agent-executor',
    });
    expect(parseResource('arn:aws:lambda:eu-west-1:123456789012:function:notify:prod')).toEqual({
      kind: 'function',
      functionName: 'notify',
    });
    expect(parseResource('arn:aws:states:::lambda:invoke')).toEqual({ kind: 'lambda-invoke', waitForTaskToken: false });
    expect(parseResource('arn:aws:states:::lambda:invoke.waitForTaskToken')).toEqual({
      kind: 'lambda-invoke',
      waitForTaskToken: true,
    });
    expect(parseResource('arn:aws:states:::sqs:sendMessage').kind).toBe('unsupported');
    expect(parseResource('agent:').kind).toBe('unsupported');
    expect(functionNameOf('notify:$LATEST')).toBe('notify');
    expect(functionNameOf('not a name')).toBeUndefined();
  });
});

describe('checkResources', () => {
  it('reports unknown agents, functions and integrations with state and field, in nested machines too', () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: 'agent:ghost', Next: 'B' },
        B: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'C',
              States: {
                C: {
                  Type: 'Task',
                  Resource: 'arn:aws:states:::lambda:invoke',
                  Parameters: { FunctionName: 'missing', Payload: {} },
                  End: true,
                },
              },
            },
          ],
          Next: 'D',
        },
        D: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Next: 'E' },
        E: { Type: 'Task', Resource: 'agent:researcher', Next: 'F' },
        F: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:1:function:ai-agent-executor', End: true },
      },
    } as StateMachineDefinition;
    const functions = projectFunctions('/nowhere');
    const issues = checkResources(definition, {
      hasAgent: (name) => name === 'researcher',
      hasFunction: (name) => functions(name) !== undefined,
    });
    expect(issues.map((issue) => [issue.state, issue.field])).toEqual([
      ['A', 'Resource'],
      ['C', 'FunctionName'],
      ['D', 'Resource'],
    ]);
  });
});

describe('createTaskHandler', () => {
  const signal = new AbortController().signal;
  const context = { signal, stateName: 'S', taskId: 'exec#7' };
  function handler(tokens?: Partial<TaskTokens>) {
    const agentCalls: AgentTaskRequest[] = [];
    const notified: unknown[] = [];
    const functions = projectFunctions('/nowhere');
    const handle = createTaskHandler({
      invokeAgent: async (request, { taskId }) => {
        agentCalls.push(request);
        if (request.agent === 'ghost') {
          const { AgentryError } = await import('../../errors.ts');
          throw new AgentryError('AGENT_NOT_FOUND', 'No agent named "ghost".');
        }
        return {
          response: `${request.agent}: ${request.query} (${taskId})`,
          conversation_id: 'c1',
          usage: {} as never,
        };
      },
      functionNamed: (name) =>
        name === 'notify'
          ? async (event) => {
              notified.push(event);
              return { sent: true };
            }
          : functions(name),
      tokens: {
        register: async () => true,
        wait: async () => ({ approved: true }),
        ...tokens,
      },
      userId: 'alice',
    });
    return { handle, agentCalls, notified };
  }

  it('runs agents from a string or an object query, with the task id', async () => {
    const { handle, agentCalls } = handler();
    expect(await handle('agent:researcher', 'SageMaker', context)).toMatchObject({
      response: 'researcher: SageMaker (exec#7)',
    });
    await handle('agent:researcher', { query: 'q', conversation_id: 'c9', user_id: 'mallory' }, context);
    expect(agentCalls[1]).toEqual({ agent: 'researcher', query: 'q', conversationId: 'c9' });
    await expect(handle('agent:researcher', { nope: 1 }, context)).rejects.toMatchObject({ name: 'REQUEST_INVALID' });
    await expect(handle('agent:ghost', 'x', context)).rejects.toMatchObject({ name: 'AGENT_NOT_FOUND' });
  });

  it('the reference executor takes the string, object and bare body shapes and echoes user_id', async () => {
    const { handle, agentCalls } = handler();
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:ai-agent-executor';
    const bodies = [
      { body: JSON.stringify({ user_id: 'u1', query: 'one', agent_type: 'analyst' }) },
      { body: { user_id: 'u1', query: 'two', agent_type: 'summarizer' } },
      { query: 'three' },
    ];
    const replies = [];
    for (const body of bodies) replies.push(await handle(arn, body, context));
    expect(agentCalls.map((call) => call.agent)).toEqual(['analyst', 'summarizer', 'assistant']);
    expect(replies[0]).toEqual({ response: 'analyst: one (exec#7)', conversation_id: 'c1', user_id: 'u1' });
    expect(replies[2]).toMatchObject({ user_id: 'alice' });
    await expect(handle(arn, { body: { user_id: 'u1' } }, context)).rejects.toEqual(
      new StatesError('REQUEST_INVALID', 'Query is required'),
    );
  });

  it('lambda:invoke wraps the result as Step Functions does; unknown functions fail by code', async () => {
    const { handle } = handler();
    expect(
      await handle('arn:aws:states:::lambda:invoke', { FunctionName: 'notify', Payload: { a: 1 } }, context),
    ).toEqual({ ExecutedVersion: '$LATEST', Payload: { sent: true }, StatusCode: 200 });
    await expect(
      handle('arn:aws:states:::lambda:invoke', { FunctionName: 'missing', Payload: {} }, context),
    ).rejects.toMatchObject({ name: 'WORKFLOW_INVALID' });
    await expect(handle('arn:aws:states:::lambda:invoke', { Payload: {} }, context)).rejects.toMatchObject({
      name: 'REQUEST_INVALID',
    });
    await expect(handle('arn:aws:states:::sns:publish', {}, context)).rejects.toMatchObject({
      name: 'States.TaskFailed',
    });
  });

  it('.waitForTaskToken notifies only when the token is new, then returns the callback output', async () => {
    let fresh = true;
    const { handle, notified } = handler({ register: async () => fresh });
    const resource = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
    const input = { FunctionName: 'notify', Payload: { token: 'tok' } };
    expect(await handle(resource, input, { ...context, taskToken: 'tok' })).toEqual({ approved: true });
    fresh = false; // a resumed attempt: the notification already went out
    expect(await handle(resource, input, { ...context, taskToken: 'tok' })).toEqual({ approved: true });
    expect(notified).toHaveLength(1);
  });
});
