import { AgentryError, toAgentryError } from '../errors.ts';
import { createLogger, errorFields, type Logger } from '../server/logger.ts';
import { startRun } from '../server/start-run.ts';
import type { LambdaRuntime } from './create-lambda-runtime.ts';
import { parseDirectRequest } from './direct-request.ts';
import { InvocationError } from './invocation-error.ts';

/** The reference `/agent` answer as a plain object, so workflow states read `$.response`. */
export interface DirectResponse {
  response: string;
  conversation_id: string;
  user_id: string;
}

/**
 * Runs one direct invocation (Step Functions, `aws lambda invoke`). Its caller is whoever may invoke
 * the function (the workflow's IAM role) and is trusted like an on-behalf key: it names the user
 * (`user_id`) within the deployment's direct tenant (AGENTRY_DIRECT_TENANT). Grant
 * `lambda:InvokeFunction` accordingly. Failures throw an InvocationError named by the error code.
 */
export async function runDirect(runtime: () => Promise<LambdaRuntime>, event: unknown): Promise<DirectResponse> {
  let lambda: LambdaRuntime | undefined;
  try {
    const request = parseDirectRequest(event);
    lambda = await runtime();
    const scope = { tenantId: lambda.directTenant, userId: request.user_id };
    const started = startRun(lambda.server, scope, {
      agent: request.agent_type ?? 'assistant',
      query: request.query,
      conversationId: request.conversation_id,
    });
    const result = await started.done;
    if (result.status !== 'succeeded') throw result.error ?? new AgentryError('INTERNAL', 'The run did not finish.');
    return { response: result.text, conversation_id: result.conversationId, user_id: scope.userId };
  } catch (error) {
    const coded = toAgentryError(error);
    if (coded.status >= 500)
      (lambda?.server.logger ?? stdoutLogger()).log('error', 'direct invocation failed', errorFields(error));
    throw new InvocationError(coded);
  }
}

/** For failures before the runtime (and its logger) exists. */
function stdoutLogger(): Logger {
  return createLogger((line) => process.stdout.write(line));
}
