/** Test helpers shipped with Agentry: `import { ScriptedModel } from 'agentry/testing'`. */
export { loadModelScript, type ModelScript, parseModelScript, type ScriptStep } from './model-script.ts';
export { type ScriptedAgentOptions, scriptedAgent } from './scripted-agent.ts';
export { type ScriptedCall, ScriptedModel, type ScriptedModelOptions } from './scripted-model.ts';
