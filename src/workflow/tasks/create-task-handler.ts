import { AgentryError, isAgentryError } from '../../errors.ts';
import { StatesError, StatesErrors } from '../errors.ts';
import type { TaskContext, TaskHandler } from '../runtime.ts';
import { functionNameOf, parseResource } from './resources.ts';
import type { InvokeAgent, TaskTokens, WorkflowFunction } from './task-services.ts';

export interface TaskHandlerServices {
  invokeAgent: InvokeAgent;
  /** The function of that Lambda name, or undefined when the project maps none. */
  functionNamed: (name: string) => WorkflowFunction | undefined;
  tokens: TaskTokens;
  userId: string;
}

/**
 * The task handler of one execution: routes each Task resource (see `parseResource`) to an agent or a
 * function. Failures reach Retry/Catch as StatesErrors named by their AgentryError code (MODEL_THROTTLED,
 * AGENT_NOT_FOUND, …), as the agent executor Lambda names them on AWS.
 */
export function createTaskHandler(services: TaskHandlerServices): TaskHandler {
  return async (resource, input, context) => {
    try {
      return await route(services, resource, input, context);
    } catch (error) {
      throw asStatesError(error);
    }
  };
}

async function route(services: TaskHandlerServices, resource: string, input: unknown, context: TaskContext) {
  const parsed = parseResource(resource);
  switch (parsed.kind) {
    case 'agent':
      return services.invokeAgent(
        { agent: parsed.agent, ...agentQuery(input) },
        { taskId: context.taskId, signal: context.signal },
      );
    case 'function':
      return invoke(services, parsed.functionName, input, context);
    case 'lambda-invoke': {
      const { FunctionName, Payload } = lambdaInvokeInput(input);
      if (!parsed.waitForTaskToken) {
        const result = await invoke(services, FunctionName, Payload, context);
        return { ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 };
      }
      const token = context.taskToken;
      if (token === undefined) throw new StatesError(StatesErrors.Runtime, 'No task token for .waitForTaskToken');
      // Registered before the notification goes out, so a callback that arrives at once is not lost; a
      // resumed attempt finds the token registered and does not notify twice.
      if (await services.tokens.register(token, context.stateName)) {
        await invoke(services, FunctionName, Payload, context);
      }
      return services.tokens.wait(token, context.signal);
    }
    case 'unsupported':
      throw new StatesError(StatesErrors.TaskFailed, `Unsupported Task resource '${parsed.resource}'`);
  }
}

async function invoke(services: TaskHandlerServices, name: string, event: unknown, context: TaskContext) {
  const fn = services.functionNamed(name);
  if (!fn) {
    throw new AgentryError('WORKFLOW_INVALID', `No function named "${name}": map it under workflows.functions.`);
  }
  return fn(event, {
    taskId: context.taskId,
    signal: context.signal,
    userId: services.userId,
    invokeAgent: services.invokeAgent,
  });
}

/** An agent task's input: a query string, or `{query, conversation_id?}` (`user_id` is ignored). */
function agentQuery(input: unknown): { query: string; conversationId?: string } {
  if (typeof input === 'string' && input.trim()) return { query: input };
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const { query, conversation_id } = input as Record<string, unknown>;
    if (typeof query === 'string' && query.trim()) {
      if (conversation_id !== undefined && typeof conversation_id !== 'string') {
        throw new AgentryError('REQUEST_INVALID', 'conversation_id must be a string.');
      }
      return conversation_id === undefined ? { query } : { query, conversationId: conversation_id };
    }
  }
  throw new AgentryError(
    'REQUEST_INVALID',
    'An agent task needs a query: a non-empty string, or an object with a non-empty "query".',
  );
}

function lambdaInvokeInput(input: unknown): { FunctionName: string; Payload: unknown } {
  const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const name = typeof record.FunctionName === 'string' ? functionNameOf(record.FunctionName) : undefined;
  if (!name) {
    throw new AgentryError('REQUEST_INVALID', 'lambda:invoke needs "FunctionName": a function name or ARN.');
  }
  return { FunctionName: name, Payload: record.Payload ?? {} };
}

function asStatesError(error: unknown): unknown {
  if (error instanceof StatesError) return error;
  if (isAgentryError(error)) return new StatesError(error.code, error.message);
  return error; // the engine names other errors (States.TaskFailed or the error's own name)
}
