// A child process for workflow crash tests: starts (or resumes) one execution and exits; the parent kills
// it with SIGKILL at random points. Usage: tsx workflow-crash-child.ts <name> <effectsFile> <executionsFile>
// with the store chosen by AGENTRY_STORE / AGENTRY_DATA_DIR / DATABASE_URL.
import { openStore } from '../../store/open-store.ts';
import { LOCAL_SCOPE } from '../../store/scope.ts';
import { sleep } from '../../util/sleep.ts';
import { CRASH_WORKFLOW_INPUT, crashWorkflowRunner } from './workflow-crash.ts';

const [name, effectsFile, executionsFile] = process.argv.slice(2);
if (!name || !effectsFile || !executionsFile)
  throw new Error('usage: workflow-crash-child <name> <effectsFile> <executionsFile>');
const store = await openStore({ config: {}, projectDir: process.cwd(), env: process.env });
const leaseTtlMs = Number(process.env.CRASH_LEASE_TTL_MS ?? 300);
const runner = crashWorkflowRunner(store, effectsFile, executionsFile, leaseTtlMs);
process.stdout.write('ready\n');
// Starting the same name again is idempotent: a restarted process finds the execution the killed one began.
const started = await runner.start(LOCAL_SCOPE, { workflow: 'crash', name, input: CRASH_WORKFLOW_INPUT });
if (started.created) await started.done;
// The killed process's lease must expire first; poll until this process takes the execution over.
for (;;) {
  const execution = await store.workflows.getExecutionById(started.execution.id);
  if (execution?.status !== 'RUNNING') break;
  if ((await runner.resume(started.execution.id))?.status !== 'RUNNING') continue;
  await sleep(25);
}
const final = await store.workflows.getExecutionById(started.execution.id);
await store.close();
process.stdout.write(`done ${final?.status}\n`);
