// Profiles the in-memory engine on one workload: node --cpu-prof --import tsx bench/workflow/profile-engine.ts <chain|reference>
import { readFileSync } from 'node:fs';
import { runStateMachine } from '../../src/workflow/engine.ts';
import type { StateMachineDefinition } from '../../src/workflow/types.ts';

const which = process.argv[2] ?? 'reference';
const reference = JSON.parse(
  readFileSync(process.argv[3] ?? 'examples/workflows/multi-agent-workflow.asl.json', 'utf8'),
);
const states: Record<string, unknown> = {};
for (let i = 0; i < 99; i++) {
  const next = i + 1 < 99 ? `S${i + 1}` : 'Done';
  states[`S${i}`] =
    i % 2 === 0
      ? { Type: 'Pass', Result: i + 1, ResultPath: '$.step', Next: next }
      : { Type: 'Choice', Choices: [{ Variable: '$.step', NumericGreaterThanEquals: 0, Next: next }], Default: 'Done' };
}
states.Done = { Type: 'Succeed' };
const definition = (which === 'chain' ? { StartAt: 'S0', States: states } : reference) as StateMachineDefinition;
const input = which === 'chain' ? { step: -1 } : { user_id: 'u', query: 'q' };
const reply = { response: 'ok', conversation_id: 'c', user_id: 'u' };
const started = performance.now();
const count = which === 'chain' ? 3000 : 20000;
for (let i = 0; i < count; i++) await runStateMachine(definition, input, { handlers: async () => reply });
console.log(`${((performance.now() - started) * 1000) / count} µs per execution`);
