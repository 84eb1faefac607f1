/** Amazon States Language definition shapes (only the fields the engine reads). */

export type QueryLanguage = 'JSONPath' | 'JSONata';
export type JsonObject = { [key: string]: unknown };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
  Output?: unknown;
  Assign?: JsonObject;
}

export interface CommonFields {
  Type: string;
  Comment?: string;
  QueryLanguage?: QueryLanguage;
  Next?: string;
  End?: boolean;
  InputPath?: string | null;
  OutputPath?: string | null;
  ResultPath?: string | null;
  Parameters?: unknown;
  ResultSelector?: unknown;
  Arguments?: unknown;
  Output?: unknown;
  Assign?: JsonObject;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface PassState extends CommonFields {
  Type: 'Pass';
  Result?: unknown;
}

export interface TaskState extends CommonFields {
  Type: 'Task';
  Resource: string;
  TimeoutSeconds?: number | string;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number | string;
  HeartbeatSecondsPath?: string;
}

export interface ChoiceRule extends JsonObject {
  Next?: string;
}

export interface ChoiceState extends CommonFields {
  Type: 'Choice';
  Choices: ChoiceRule[];
  Default?: string;
}

export interface WaitState extends CommonFields {
  Type: 'Wait';
  Seconds?: number | string;
  Timestamp?: string;
  SecondsPath?: string;
  TimestampPath?: string;
}

export interface SucceedState extends CommonFields {
  Type: 'Succeed';
}

export interface FailState extends CommonFields {
  Type: 'Fail';
  Error?: string;
  Cause?: string;
  ErrorPath?: string;
  CausePath?: string;
}

export interface SubMachine {
  StartAt: string;
  States: Record<string, State>;
  QueryLanguage?: QueryLanguage;
  ProcessorConfig?: JsonObject;
}

export interface ParallelState extends CommonFields {
  Type: 'Parallel';
  Branches: SubMachine[];
}

export interface MapState extends CommonFields {
  Type: 'Map';
  ItemProcessor?: SubMachine;
  Iterator?: SubMachine;
  ItemsPath?: string;
  Items?: unknown;
  ItemSelector?: unknown;
  MaxConcurrency?: number | string;
  MaxConcurrencyPath?: string;
  ToleratedFailurePercentage?: number | string;
  ToleratedFailurePercentagePath?: string;
  ToleratedFailureCount?: number | string;
  ToleratedFailureCountPath?: string;
}

export type State =
  | PassState
  | TaskState
  | ChoiceState
  | WaitState
  | SucceedState
  | FailState
  | ParallelState
  | MapState;

export interface StateMachineDefinition extends SubMachine {
  Comment?: string;
  Version?: string;
  TimeoutSeconds?: number;
}
