import { createInterface } from 'node:readline/promises';
import type { Message } from '../../agent/messages.ts';
import { runAgent } from '../../agent/run-agent.ts';
import { humanRenderer } from '../render-events.ts';
import type { Session } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';

/**
 * `agentry chat <agent>`: one conversation kept in memory for the session. Lines starting with `/`
 * are commands (/exit, /reset). Ctrl-C during a reply cancels that reply; at the prompt it exits.
 */
export async function chatCommand(
  session: Session,
  terminal: Terminal,
  agentName: string,
  input: NodeJS.ReadableStream & { isTTY?: boolean },
): Promise<number> {
  const agent = session.agent(agentName);
  const style = styler(terminal.err, terminal.env);
  const interactive = Boolean(input.isTTY);
  const lines = createInterface({ input, output: terminal.err, terminal: interactive });
  let history: Message[] = [];
  let current: AbortController | undefined;
  lines.on('SIGINT', () => {
    if (current) current.abort();
    else lines.close();
  });
  terminal.err.write(
    style('dim', `Chatting with ${agent.name} on ${agent.model.id}. /reset starts over, /exit quits.\n`),
  );
  lines.setPrompt(style('bold', 'you › '));
  lines.prompt();
  try {
    // The iterator ends on EOF, /exit, or Ctrl-C at the prompt (which closes `lines`).
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === '/exit' || line === '/quit') break;
      if (line === '/reset') {
        history = [];
        terminal.err.write(style('dim', 'Conversation cleared.\n'));
      } else if (line) {
        if (!interactive) terminal.err.write(`${line}\n`);
        current = new AbortController();
        const render = humanRenderer(terminal);
        const result = await runAgent(agent, { query: line, history, signal: current.signal, onEvent: render });
        render.stop();
        current = undefined;
        // A failed or cancelled turn still leaves a valid history (every tool call answered), so keep it.
        history = [...history, ...result.messages];
      }
      lines.prompt();
    }
  } finally {
    lines.close();
  }
  return 0;
}
