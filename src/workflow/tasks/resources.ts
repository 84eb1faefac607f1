/**
 * What a Task's `Resource` names. Agentry runs the resources a multi-agent workflow needs locally:
 * - `agent:<name>`: an agent of the project;
 * - `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`: a function by name (region,
 *   account and qualifier are ignored, so the same file deploys to any account);
 * - `arn:aws:states:::lambda:invoke` (optionally `.waitForTaskToken`): the Lambda service integration,
 *   with `FunctionName` and `Payload` in the input.
 */
export type TaskResource =
  | { kind: 'agent'; agent: string }
  | { kind: 'function'; functionName: string }
  | { kind: 'lambda-invoke'; waitForTaskToken: boolean }
  | { kind: 'unsupported'; resource: string };

const LAMBDA_FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]*:\d*:function:([A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9$_-]+)?$/;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke(\.waitForTaskToken)?$/;

export function parseResource(resource: string): TaskResource {
  if (resource.startsWith('agent:')) {
    const agent = resource.slice('agent:'.length);
    return agent ? { kind: 'agent', agent } : { kind: 'unsupported', resource };
  }
  const invoke = LAMBDA_INVOKE.exec(resource);
  if (invoke) return { kind: 'lambda-invoke', waitForTaskToken: invoke[1] !== undefined };
  const functionName = functionNameOf(resource);
  return functionName ? { kind: 'function', functionName } : { kind: 'unsupported', resource };
}

/** A `FunctionName` as Lambda accepts it: a name, a partial or full ARN, optionally qualified. */
export function functionNameOf(value: string): string | undefined {
  const arn = LAMBDA_FUNCTION_ARN.exec(value);
  if (arn) return arn[1];
  const bare = /^([A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9$_-]+)?$/.exec(value);
  return bare?.[1];
}
