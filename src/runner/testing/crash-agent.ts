import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Agent } from '../../agent/agent.ts';
import type { ModelScript } from '../../testing/model-script.ts';
import { scriptedAgent } from '../../testing/scripted-agent.ts';
import { defineTool } from '../../tools/define-tool.ts';
import { sleep } from '../../util/sleep.ts';

/**
 * The agent of the crash tests: three model steps (with delays, so kills land inside model calls
 * too) and three side-effecting tool calls, two of them in parallel. Replies are routed by the
 * user message, so a fresh process continues from the journal without any script state.
 */
export const CRASH_QUERY = 'Do the three chores.';

const script: ModelScript = {
  replies: [
    {
      when: 'three chores',
      steps: [
        { delayMs: 40, toolCalls: [{ name: 'record_effect', input: { key: 'chore-1' }, id: 'call-1' }] },
        {
          delayMs: 40,
          toolCalls: [
            { name: 'record_effect', input: { key: 'chore-2' }, id: 'call-2' },
            { name: 'record_effect', input: { key: 'chore-3' }, id: 'call-3' },
          ],
          expect: { toolResult: 'chore-1' },
        },
        { delayMs: 40, text: 'All three chores are done.', expect: { toolResult: 'chore-3' } },
      ],
    },
  ],
};

/**
 * `record_effect` performs a side effect (a line in `effectsFile`) idempotently, keyed by the
 * call id, as real idempotent tools do with an idempotency key; every execution, repeated or
 * not, is also logged to `executionsFile` so a test can see re-executions.
 */
export function crashAgent(effectsFile: string, executionsFile: string): Agent {
  const recordEffect = defineTool({
    name: 'record_effect',
    description: 'Records a chore as done.',
    input: z.object({ key: z.string() }),
    idempotent: true,
    async run({ key }, { toolCallId, signal }) {
      appendFileSync(executionsFile, `${toolCallId}\n`);
      await sleep(10, signal);
      const done = existsSync(effectsFile) ? readFileSync(effectsFile, 'utf8').split('\n') : [];
      if (!done.includes(toolCallId)) appendFileSync(effectsFile, `${toolCallId}\n`);
      return { recorded: key };
    },
  });
  return scriptedAgent({ name: 'crash', script, tools: [recordEffect] });
}
