import { API_KEY_CACHE_TTL_MS, type ApiKeyInfo, createApiKey, describeKey } from '../../auth/api-keys.ts';
import type { ApiScope } from '../../auth/identity.ts';
import { AgentryError } from '../../errors.ts';
import type { Session } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';

export interface KeysOptions {
  tenant: string | undefined;
  user: string | undefined;
  name: string | undefined;
  /** Comma-separated scope names; default `agents:run,conversations:read`. */
  scopes: string | undefined;
  admin: boolean;
  onBehalf: boolean;
  plan: string | undefined;
  json: boolean;
}

const DEFAULT_SCOPES: readonly ApiScope[] = ['agents:run', 'conversations:read'];
const USAGE =
  'Use: agentry keys create --tenant T --user U [--name N] [--scopes a,b] [--admin] [--on-behalf] [--plan P]' +
  ' | list [--tenant T] | revoke <id>';

/**
 * `agentry keys create | list | revoke <id>`: API keys of the HTTP API, in the session's store.
 * A new key is printed once and never again; lists never show secrets or their hashes.
 */
export async function keysCommand(
  session: Session,
  terminal: Terminal,
  args: string[],
  options: KeysOptions,
): Promise<number> {
  const [action = 'list', id] = args;
  switch (action) {
    case 'create':
      return createKey(session, terminal, options);
    case 'list':
      return listKeys(session, terminal, options);
    case 'revoke':
      if (!id) return usage(terminal, 'keys revoke needs a key id (see agentry keys list).');
      return revokeKey(session, terminal, id);
    default:
      return usage(terminal, `Unknown action "${action}".`);
  }
}

function usage(terminal: Terminal, message: string): number {
  terminal.err.write(`${message}\n${USAGE}\n`);
  return 2;
}

async function createKey(session: Session, terminal: Terminal, options: KeysOptions): Promise<number> {
  if (!options.tenant || !options.user) return usage(terminal, 'keys create needs --tenant and --user.');
  const named = options.scopes === undefined ? [...DEFAULT_SCOPES] : options.scopes.split(',').map((s) => s.trim());
  const scopes = [...named.filter(Boolean), ...(options.admin ? ['admin'] : [])] as ApiScope[];
  const store = await session.store();
  const { key, record } = await createApiKey(store.apiKeys, {
    tenantId: options.tenant,
    userId: options.user,
    name: options.name,
    scopes,
    onBehalf: options.onBehalf,
    plan: options.plan ?? 'default',
  });
  if (options.json) {
    terminal.out.write(`${JSON.stringify({ key, ...record })}\n`);
    return 0;
  }
  const style = styler(terminal.out, terminal.env);
  terminal.out.write(
    `Created API key ${style('bold', record.id)} for user ${record.userId} of tenant ${record.tenantId}` +
      ` (${describeAccess(record)}).\n\n  ${style('bold', key)}\n\n` +
      'This key is shown once and cannot be shown again: store it now (it is sent as the x-api-key header).\n',
  );
  return 0;
}

async function listKeys(session: Session, terminal: Terminal, options: KeysOptions): Promise<number> {
  const store = await session.store();
  const keys = (await store.apiKeys.listKeys(options.tenant === undefined ? {} : { tenantId: options.tenant })).map(
    describeKey,
  );
  if (options.json) {
    terminal.out.write(`${JSON.stringify(keys)}\n`);
    return 0;
  }
  if (keys.length === 0) terminal.out.write('No API keys.\n');
  const style = styler(terminal.out, terminal.env);
  for (const key of keys) {
    const state = key.revokedAt === undefined ? style('green', 'active ') : style('dim', 'revoked');
    terminal.out.write(
      `${style('bold', key.id)}  ${state}  ${key.tenantId}/${key.userId}  ${describeAccess(key)}` +
        `${key.name ? `  "${key.name}"` : ''}  ${style('dim', key.revokedAt ?? key.createdAt)}\n`,
    );
  }
  return 0;
}

async function revokeKey(session: Session, terminal: Terminal, id: string): Promise<number> {
  const store = await session.store();
  if (await store.apiKeys.revokeKey(id, new Date().toISOString())) {
    terminal.out.write(
      `Revoked API key ${id}. Running servers refuse it within ${API_KEY_CACHE_TTL_MS / 1000} seconds.\n`,
    );
    return 0;
  }
  const existing = await store.apiKeys.getKey(id);
  if (!existing) throw new AgentryError('API_KEY_NOT_FOUND', `API key ${id} does not exist.`);
  terminal.out.write(`API key ${id} was already revoked at ${existing.revokedAt}.\n`);
  return 0;
}

function describeAccess(key: ApiKeyInfo): string {
  return `scopes ${key.scopes.join(',')}, plan ${key.plan}${key.onBehalf ? ', acts on behalf of users' : ''}`;
}
