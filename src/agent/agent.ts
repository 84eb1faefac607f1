import type { MemorySettings } from '../memory/settings.ts';
import type { ResolvedModel } from '../model/registry.ts';
import type { AnyTool } from '../tools/define-tool.ts';
import type { RunLimits } from './limits.ts';

/** An agent ready to run: its model resolved and its tools looked up. */
export interface Agent {
  name: string;
  description: string;
  instructions: string;
  model: ResolvedModel;
  /** By name; the names are what the model sees. */
  tools: ReadonlyMap<string, AnyTool>;
  limits: RunLimits;
  memory: MemorySettings;
  temperature?: number;
}
