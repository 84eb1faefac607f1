import { main } from './main.ts';

// Entry point: the only place that touches the real process. Ctrl-C (or SIGTERM) cancels the
// current run or shuts the server down gracefully; a second one exits at once.
const controller = new AbortController();
let interrupted = false;
const interrupt = () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);
const code = await main(
  process.argv.slice(2),
  { in: process.stdin, out: process.stdout, err: process.stderr, env: process.env, cwd: process.cwd() },
  controller.signal,
);
process.exitCode = code;
