// A child process for crash tests: runs (or resumes) one durable run and exits; the parent kills it
// with SIGKILL at random points. Usage: tsx crash-child.ts <runId> <effectsFile> <executionsFile>
// with the store chosen by AGENTRY_STORE / AGENTRY_DATA_DIR / DATABASE_URL.
import { openStore } from '../../store/open-store.ts';
import { LOCAL_SCOPE } from '../../store/scope.ts';
import { AgentRunner } from '../agent-runner.ts';
import { CRASH_QUERY, crashAgent } from './crash-agent.ts';

const [runId, effectsFile, executionsFile] = process.argv.slice(2);
if (!runId || !effectsFile || !executionsFile)
  throw new Error('usage: crash-child <runId> <effectsFile> <executionsFile>');
const store = await openStore({ config: {}, projectDir: process.cwd(), env: process.env });
const agent = crashAgent(effectsFile, executionsFile);
const leaseTtlMs = Number(process.env.CRASH_LEASE_TTL_MS ?? 300);
const runner = new AgentRunner({ store, agent: () => agent, leaseTtlMs });
process.stdout.write('ready\n');
const existing = await store.runs.getRunById(runId);
if (!existing) {
  await runner.run(LOCAL_SCOPE, { agent: 'crash', query: CRASH_QUERY, runId, conversationId: `conversation-${runId}` });
} else {
  // The killed process's lease must expire first; poll until this process takes the run over.
  for (let run = existing; run.status === 'running'; run = (await store.runs.getRunById(runId))!) {
    if (await runner.resume(runId)) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
const final = await store.runs.getRunById(runId);
await store.close();
process.stdout.write(`done ${final?.status}\n`);
