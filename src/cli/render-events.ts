import type { RunEvent, RunEventListener } from '../agent/events.ts';
import { Spinner, styler, type Terminal } from './terminal.ts';

/** `--json`: one JSON object a line, each with `type`; tool events carry `toolName`, `input`, `output`. */
export function jsonLinesRenderer(terminal: Terminal): RunEventListener {
  return (event) => {
    terminal.out.write(`${JSON.stringify(event)}\n`);
  };
}

function preview(value: unknown, max = 160): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * People's view: the answer streams to stdout; tool calls, results and the spinner go to stderr so
 * `agentry run … > answer.txt` captures only the answer.
 */
export function humanRenderer(terminal: Terminal): RunEventListener & { stop(): void } {
  const style = styler(terminal.err, terminal.env);
  const spinner = new Spinner(terminal.err);
  let atLineStart = true;
  const render = (event: RunEvent) => {
    switch (event.type) {
      case 'run-start':
      case 'usage':
        spinner.start('thinking…');
        break;
      case 'text-delta':
        spinner.stop();
        terminal.out.write(event.delta);
        atLineStart = event.delta.endsWith('\n');
        break;
      case 'tool-call':
        spinner.stop();
        if (!atLineStart) terminal.out.write('\n');
        atLineStart = true;
        terminal.err.write(
          `${style('cyan', '→')} ${style('bold', event.toolName)} ${style('dim', preview(event.input))}\n`,
        );
        break;
      case 'tool-result':
        terminal.err.write(
          `${event.isError ? style('red', '✗') : style('green', '←')} ${event.toolName} ${style('dim', preview(event.output))}\n`,
        );
        spinner.start('thinking…');
        break;
      case 'error':
        spinner.stop();
        if (!atLineStart) terminal.out.write('\n');
        atLineStart = true;
        terminal.err.write(`${style('red', 'error')} ${event.error.code}: ${event.error.message}\n`);
        break;
      case 'run-end':
        spinner.stop();
        if (!atLineStart) terminal.out.write('\n');
        atLineStart = true;
        terminal.err.write(
          style('dim', `[${event.status} · ${event.usage.inputTokens} in / ${event.usage.outputTokens} out tokens]\n`),
        );
        break;
    }
  };
  return Object.assign(render, { stop: () => spinner.stop() });
}
