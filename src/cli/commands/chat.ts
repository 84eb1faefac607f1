import { createInterface } from 'node:readline/promises';
import { humanRenderer } from '../render-events.ts';
import type { Session } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';
import { resumeInterruptedRuns } from './resume-interrupted.ts';

/**
 * `agentry chat <agent> [--conversation <id>]`: a durable conversation, one run a line. Lines
 * starting with `/` are commands (/new, /exit). Ctrl-C during a reply cancels that reply; at the
 * prompt it exits.
 */
export async function chatCommand(
  session: Session,
  terminal: Terminal,
  agentName: string,
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  conversationId?: string,
): Promise<number> {
  const agent = session.agent(agentName);
  const runner = await session.runner();
  await resumeInterruptedRuns(session, terminal);
  const style = styler(terminal.err, terminal.env);
  const interactive = Boolean(input.isTTY);
  const lines = createInterface({ input, output: terminal.err, terminal: interactive });
  let conversation = conversationId;
  let current: AbortController | undefined;
  lines.on('SIGINT', () => {
    if (current) current.abort();
    else lines.close();
  });
  const resumedNote = conversation ? ` Continuing conversation ${conversation}.` : '';
  terminal.err.write(
    style('dim', `Chatting with ${agent.name} on ${agent.model.id}.${resumedNote} /new starts over, /exit quits.\n`),
  );
  lines.setPrompt(style('bold', 'you › '));
  lines.prompt();
  try {
    // The iterator ends on EOF, /exit, or Ctrl-C at the prompt (which closes `lines`).
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === '/exit' || line === '/quit') break;
      if (line === '/new' || line === '/reset') {
        conversation = undefined;
        terminal.err.write(style('dim', 'New conversation.\n'));
      } else if (line) {
        if (!interactive) terminal.err.write(`${line}\n`);
        current = new AbortController();
        const render = humanRenderer(terminal);
        const result = await runner.run(session.scope, {
          agent: agentName,
          query: line,
          signal: current.signal,
          onEvent: render,
          ...(conversation ? { conversationId: conversation } : {}),
        });
        render.stop();
        current = undefined;
        conversation = result.conversationId;
      }
      lines.prompt();
    }
  } finally {
    lines.close();
  }
  if (conversation)
    terminal.err.write(style('dim', `\nconversation ${conversation} (continue with --conversation ${conversation})\n`));
  return 0;
}
