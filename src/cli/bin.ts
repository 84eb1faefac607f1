import { main } from './main.ts';

// Entry point: the only place that touches the real process. Ctrl-C cancels the current run; a
// second Ctrl-C exits at once.
const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
});
const code = await main(
  process.argv.slice(2),
  { in: process.stdin, out: process.stdout, err: process.stderr, env: process.env, cwd: process.cwd() },
  controller.signal,
);
process.exitCode = code;
