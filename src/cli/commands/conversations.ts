import { textOf } from '../../agent/messages.ts';
import type { Session } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';

/** `agentry conversations [list] | show <id> | delete <id>`, for the local user. */
export async function conversationsCommand(
  session: Session,
  terminal: Terminal,
  args: string[],
  json: boolean,
): Promise<number> {
  const [action = 'list', id] = args;
  const store = await session.store();
  const style = styler(terminal.out, terminal.env);
  const print = (value: unknown) => terminal.out.write(`${JSON.stringify(value)}\n`);
  switch (action) {
    case 'list': {
      const page = await store.conversations.listConversations(session.scope, { limit: 50 });
      if (json) print(page.items);
      else if (page.items.length === 0) terminal.out.write('No conversations yet.\n');
      for (const conversation of json ? [] : page.items) {
        terminal.out.write(
          `${style('bold', conversation.id)}  ${style('dim', `${conversation.updatedAt} · ${conversation.lastSeq} messages`)}  ${conversation.title}\n`,
        );
      }
      return 0;
    }
    case 'show': {
      if (!id) return missingId(terminal, action);
      const conversation = await store.conversations.getConversation(session.scope, id);
      if (!conversation) return notFound(terminal, id);
      const messages = await store.conversations.loadMessages(session.scope, id);
      if (json) {
        print({ conversation, messages });
        return 0;
      }
      for (const { seq, message } of messages) {
        const label =
          message.role === 'user'
            ? style('bold', 'you')
            : message.role === 'assistant'
              ? style('cyan', 'agent')
              : style('dim', 'tool');
        const text =
          message.role === 'tool'
            ? message.content.map((block) => `${block.toolName} → ${JSON.stringify(block.output)}`).join('\n')
            : textOf(message);
        const calls =
          message.role === 'assistant'
            ? message.content
                .filter((block) => block.type === 'tool-call')
                .map((block) => `→ ${block.toolName} ${JSON.stringify(block.input)}`)
            : [];
        terminal.out.write(
          `${style('dim', String(seq).padStart(4))} ${label} ${[text, ...calls].filter(Boolean).join('\n       ')}\n`,
        );
      }
      return 0;
    }
    case 'delete': {
      if (!id) return missingId(terminal, action);
      if (!(await store.conversations.deleteConversation(session.scope, id))) return notFound(terminal, id);
      terminal.out.write(`Deleted conversation ${id}.\n`);
      return 0;
    }
    default:
      terminal.err.write(`Unknown action "${action}". Use: agentry conversations [list] | show <id> | delete <id>\n`);
      return 2;
  }
}

function missingId(terminal: Terminal, action: string): number {
  terminal.err.write(`conversations ${action} needs a conversation id.\n`);
  return 2;
}

function notFound(terminal: Terminal, id: string): number {
  terminal.err.write(`error CONVERSATION_NOT_FOUND: Conversation ${id} does not exist.\n`);
  return 1;
}
