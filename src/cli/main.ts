import { parseArgs } from 'node:util';
import { AgentryError, isAgentryError } from '../errors.ts';
import { agentsCommand } from './commands/agents.ts';
import { exportCommand, importCommand } from './commands/backup.ts';
import { chatCommand } from './commands/chat.ts';
import { conversationsCommand } from './commands/conversations.ts';
import { demoCommand } from './commands/demo.ts';
import { doctorCommand } from './commands/doctor.ts';
import { keysCommand } from './commands/keys.ts';
import { runCommand } from './commands/run.ts';
import { runsCommand } from './commands/runs.ts';
import { serveCommand } from './commands/serve.ts';
import { startCommand } from './commands/start.ts';
import { validateWorkflowCommand, WORKFLOW_USAGE, WorkflowUsageError, workflowCommand } from './commands/workflow.ts';
import { openSession, type Session, type SessionOptions } from './session.ts';
import type { Terminal } from './terminal.ts';

const USAGE = `Usage: agentry <command> [options]

Commands:
  start                     Serve the HTTP API (like serve; in demo mode on a scripted model without a provider)
  serve [--port N] [--host H]  Serve the HTTP API (default 127.0.0.1:8787)
  demo                      Run the project's demo queries in the terminal, then chat
  run <agent> "<query>"     Run an agent once and stream its answer
  chat <agent>              Interactive chat with an agent
  agents                    List the project's agents
  conversations [list]      List conversations; also: show <id>, delete <id>
  runs [list]               List runs; also: show <id>, resume [<id>]
  doctor                    Check configuration and credentials (calls no model)
  export [--out FILE]       Write every conversation, message and run of the store as JSON lines (default: stdout)
  import FILE               Read an export into the store (FILE - reads stdin); never merges into existing data
  keys create --tenant T --user U  Create an API key (shown once); also: keys list [--tenant T], keys revoke <id>
  workflow [list]           List the project's workflows (workflows/*.asl.json)
  workflow validate FILE    Check a state machine definition; lists each problem's state and field
  workflow run <name> [--input JSON] [--name N] [--callbacks]  Run a workflow, showing its states live; prints its
                            output; --callbacks (or a terminal) answers waiting tasks from stdin
  workflow executions [--workflow W] [--status S]  List executions; also: describe <id>, history <id>
  workflow task-success <token> --output JSON  Complete a waiting task; task-failure <token> [--error E] [--cause C]

Options:
  --project <dir>           Project folder (default: current folder if it has agentry.config.yaml, else the examples)
  --model <provider:model>  Override the model (also AGENTRY_MODEL), e.g. scripted:scripts/demo.json
  --conversation <id>       run, chat: continue this conversation
  --json                    run, workflow run, workflow history: print events as JSON lines; lists, import: print JSON
  --out <file>              export: write to this file instead of stdout
  --skip-existing           import: leave conversations and runs that already exist as they are
  --tenant <id>, --user <id>  keys: the key's tenant and user (list: filter by --tenant)
  --name <text>             keys create: a label for people; workflow run: the execution's name (again with the same input: that execution)
  --scopes <a,b>            keys create: agents:run, conversations:read (default: both)
  --admin                   keys create: add the admin scope
  --on-behalf               keys create: the key may name another user of its tenant per request (user_id)
  --plan <name>             keys create: usage plan for rate limits (default: default)
  --input <json>            workflow run: the execution's input (default {})
  --workflow <name>, --status <status>  workflow executions: filters
  --output <json>           workflow task-success: the task's result
  --error <name>, --cause <text>  workflow task-failure: the error (default States.TaskFailed) and its cause
  -h, --help                Show this help
`;

export interface CliIo extends Terminal {
  in: NodeJS.ReadableStream & { isTTY?: boolean };
  cwd: string;
}

/** Runs the CLI and returns the exit code: 0 success, 1 failure, 2 usage error, 130 interrupted. */
export async function main(argv: string[], io: CliIo, signal: AbortSignal): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    io.out.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const options = { project: values.project, model: values.model, env: io.env, cwd: io.cwd };
  try {
    switch (command) {
      case 'start':
        return await startCommand(options, io, listenOptions(values, signal));
      case 'serve':
        return await withSession(options, (session) => serveCommand(session, io, listenOptions(values, signal)));
      case 'demo':
        return await demoCommand(options, io, io.in, signal);
      case 'run': {
        const [agent, ...words] = rest;
        if (!agent || words.length === 0)
          return usageError(io, 'run needs an agent and a query: agentry run assistant "What is 25 * 47?"');
        const query = words.join(' ');
        const json = values.json ?? false;
        return await withSession(options, (session) =>
          runCommand(session, io, agent, query, { json, conversationId: values.conversation, signal }),
        );
      }
      case 'chat': {
        const [agent] = rest;
        if (!agent) return usageError(io, 'chat needs an agent: agentry chat assistant');
        return await withSession(options, (session) => chatCommand(session, io, agent, io.in, values.conversation));
      }
      case 'agents':
        return await withSession(options, async (session) => agentsCommand(session, io, values.json ?? false));
      case 'conversations':
        return await withSession(options, (session) => conversationsCommand(session, io, rest, values.json ?? false));
      case 'runs':
        return await withSession(options, (session) => runsCommand(session, io, rest, values.json ?? false));
      case 'doctor':
        return await withSession(options, async (session) => doctorCommand(session, io));
      case 'export':
        return await withSession(options, (session) => exportCommand(session, io, { out: values.out, cwd: io.cwd }));
      case 'import': {
        const [file] = rest;
        if (!file) return usageError(io, 'import needs a file: agentry import backup.jsonl (or - to read stdin)');
        const importOptions = {
          cwd: io.cwd,
          stdin: io.in,
          skipExisting: values['skip-existing'] ?? false,
          json: values.json ?? false,
        };
        return await withSession(options, (session) => importCommand(session, io, file, importOptions));
      }
      case 'keys': {
        const keysOptions = {
          tenant: values.tenant,
          user: values.user,
          name: values.name,
          scopes: values.scopes,
          admin: values.admin ?? false,
          onBehalf: values['on-behalf'] ?? false,
          plan: values.plan,
          json: values.json ?? false,
        };
        return await withSession(options, (session) => keysCommand(session, io, rest, keysOptions));
      }
      case 'workflow': {
        const [action = 'list', ...args] = rest;
        const json = values.json ?? false;
        if (action === 'validate') {
          const [file] = args;
          if (!file)
            return usageError(io, 'workflow validate needs a file: agentry workflow validate workflows/x.asl.json');
          return validateWorkflowCommand(io, io.cwd, file, json);
        }
        const workflowOptions = {
          json,
          input: values.input,
          output: values.output,
          name: values.name,
          workflow: values.workflow,
          status: values.status,
          error: values.error,
          cause: values.cause,
          signal,
          callbacks: values.callbacks || io.in.isTTY ? io.in : undefined,
        };
        return await withSession(options, (session) =>
          workflowCommand(session, io, [action, ...args], workflowOptions),
        );
      }
      default:
        return usageError(io, `Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof WorkflowUsageError) {
      io.err.write(`${error.message}\n\n${WORKFLOW_USAGE}`);
      return 2;
    }
    const failure = isAgentryError(error)
      ? error
      : new AgentryError('INTERNAL', 'Unexpected failure.', { cause: error });
    io.err.write(`error ${failure.code}: ${failure.message}\n`);
    if (!isAgentryError(error) && io.env.AGENTRY_DEBUG) io.err.write(`${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

/** Opens the session, runs the command, and always closes the store (PGlite flushes on close). */
async function withSession(options: SessionOptions, command: (session: Session) => Promise<number>): Promise<number> {
  const session = await openSession(options);
  try {
    return await command(session);
  } finally {
    await session.close();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      project: { type: 'string' },
      model: { type: 'string' },
      conversation: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'skip-existing': { type: 'boolean' },
      tenant: { type: 'string' },
      user: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      admin: { type: 'boolean' },
      'on-behalf': { type: 'boolean' },
      plan: { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string' },
      workflow: { type: 'string' },
      status: { type: 'string' },
      error: { type: 'string' },
      cause: { type: 'string' },
      callbacks: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function listenOptions(values: { port?: string | undefined; host?: string | undefined }, signal: AbortSignal) {
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new AgentryError('INPUT_INVALID', `--port must be 0-65535 (got ${values.port}).`);
  return { port, host: values.host ?? '127.0.0.1', signal };
}

function usageError(io: CliIo, message: string): number {
  io.err.write(`${message}\n\n${USAGE}`);
  return 2;
}
