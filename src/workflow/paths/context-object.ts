/** The context object (`$$` in JSONPath, `$states.context` in JSONata). */
export interface ContextObject {
  Execution: { Id: string; Input: unknown; Name: string; StartTime: string; RoleArn?: string };
  State: { Name: string; EnteredTime: string; RetryCount: number };
  StateMachine: { Id: string; Name: string };
  Map?: { Item: { Index: number; Value: unknown } };
  Task?: { Token: string };
}

export interface ExecutionInfo {
  executionId: string;
  executionName: string;
  executionInput: unknown;
  startTime: string;
  stateMachineId: string;
  stateMachineName: string;
}

export interface StateInfo {
  name: string;
  enteredTime: string;
  retryCount: number;
  mapItem?: { index: number; value: unknown };
  taskToken?: string;
}

export function buildContextObject(execution: ExecutionInfo, state: StateInfo): ContextObject {
  const context: ContextObject = {
    Execution: {
      Id: execution.executionId,
      Input: execution.executionInput,
      Name: execution.executionName,
      StartTime: execution.startTime,
    },
    State: { Name: state.name, EnteredTime: state.enteredTime, RetryCount: state.retryCount },
    StateMachine: { Id: execution.stateMachineId, Name: execution.stateMachineName },
  };
  if (state.mapItem) context.Map = { Item: { Index: state.mapItem.index, Value: state.mapItem.value } };
  if (state.taskToken !== undefined) context.Task = { Token: state.taskToken };
  return context;
}
