import type { AnyTool } from '../define-tool.ts';
import { calculatorTool } from './calculator/calculator-tool.ts';
import { createClockTool } from './clock.ts';

/** The built-in tools by name; agents list the ones they use. A fresh set per call: tools hold no shared state. */
export function builtinTools(): Map<string, AnyTool> {
  const tools: AnyTool[] = [createClockTool(), calculatorTool];
  return new Map(tools.map((tool) => [tool.name, tool]));
}
