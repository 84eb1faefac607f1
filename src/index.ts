/** Agentry's public API. Test helpers live in `agentry/testing`. */
export type { Agent } from './agent/agent.ts';
export { buildAgent, chooseModelString, getAgentConfig } from './agent/build-agent.ts';
export type { RunEvent, RunEventListener, RunEventType, RunStatus } from './agent/events.ts';
export { DEFAULT_LIMITS, type RunLimits } from './agent/limits.ts';
export type {
  AssistantMessage,
  ContentBlock,
  Message,
  TextBlock,
  ToolCallBlock,
  ToolMessage,
  ToolResultBlock,
  UserMessage,
} from './agent/messages.ts';
export { type RunInput, type RunResult, runAgent, type StepRecord } from './agent/run-agent.ts';
export type { TokenUsage } from './agent/usage.ts';
export { findProjectDir, loadProject, type Project } from './config/load-project.ts';
export { AgentryError, type AgentryErrorJSON, type ErrorCode, isAgentryError } from './errors.ts';
export { DEFAULT_MODEL_SPEC, parseModelSpec } from './model/model-spec.ts';
export type { ModelCallSettings, ModelProvider, ProviderContext } from './model/provider.ts';
export { ModelRegistry, type ResolvedModel } from './model/registry.ts';
export { calculatorTool, evaluateExpression } from './tools/builtin/calculator/calculator-tool.ts';
export { createClockTool } from './tools/builtin/clock.ts';
export { type AnyTool, defineTool, type Tool, type ToolContext, type ToolRisk } from './tools/define-tool.ts';
