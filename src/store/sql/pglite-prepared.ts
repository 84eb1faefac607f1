import { type PGlite, parse, protocol } from '@electric-sql/pglite';

/** Distinct statement texts are few (the stores use constants); beyond this, stop naming new ones. */
const MAX_NAMED_STATEMENTS = 1000;

interface Prepared {
  name: string;
  /** Parameter type OIDs from Describe, which pick PGlite's serializer for each value. */
  parameterTypes: number[];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Named prepared statements on PGlite's one connection, over its public wire-protocol API.
 * PGlite's own `query()` sends every call through the unnamed statement: parse, describe, bind,
 * describe, execute and sync, six exchanges with the WebAssembly backend and a fresh parse and plan
 * each time. Here each SQL text is parsed and described once; a call is then one exchange of bind,
 * describe portal, execute and sync, and PostgreSQL reuses the statement's cached plan.
 *
 * Callers must hold PGlite's query lock (`db.runExclusive`), and outside a transaction block also
 * exclude every transaction (the client's gate): the protocol calls here take no lock themselves.
 * Prepared statements belong to the session, not to a transaction: a rollback keeps them. A
 * statement whose parse failed is not remembered. A statement that fails later is forgotten and
 * closed, so a statement left invalid (a migration changed a table under its cached plan) is
 * parsed afresh on its next use.
 */
export class PglitePreparedStatements {
  private readonly statements = new Map<string, Prepared>();
  private next = 0;

  constructor(private readonly db: PGlite) {}

  /** Whether `sql` can run here, or must go through PGlite's unnamed path. */
  accepts(sql: string): boolean {
    return this.statements.has(sql) || this.statements.size < MAX_NAMED_STATEMENTS;
  }

  async query<T>(sql: string, params: readonly unknown[]): Promise<{ rows: T[] }> {
    if (this.db.closed) throw new Error('PGlite is closed');
    const prepared = this.statements.get(sql) ?? (await this.prepare(sql));
    const values = params.map((value, index) => {
      if (value === null || value === undefined) return null;
      const serializer = this.db.serializers[prepared.parameterTypes[index] ?? 0];
      return serializer ? serializer(value) : String(value);
    });
    const { serialize } = protocol;
    try {
      const messages = await this.db.execProtocolStream(
        concat([
          serialize.bind({ statement: prepared.name, values }),
          serialize.describe({ type: 'P' }),
          serialize.execute({}),
          serialize.sync(),
        ]),
        { syncToFs: false },
      );
      const [result] = parse.parseResults(messages, this.db.parsers);
      return { rows: (result?.rows ?? []) as T[] };
    } catch (error) {
      this.statements.delete(sql);
      await this.close(prepared.name);
      throw error;
    }
  }

  private async prepare(sql: string): Promise<Prepared> {
    const name = `agentry_${++this.next}`;
    const { serialize } = protocol;
    const messages = await this.db.execProtocolStream(
      concat([serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()]),
      { syncToFs: false },
    );
    const description = messages.find((message) => message.name === 'parameterDescription') as
      | { dataTypeIDs: number[] }
      | undefined;
    const prepared = { name, parameterTypes: description?.dataTypeIDs ?? [] };
    this.statements.set(sql, prepared);
    return prepared;
  }

  private async close(name: string): Promise<void> {
    const { serialize } = protocol;
    await this.db
      .execProtocolStream(concat([serialize.close({ type: 'S', name }), serialize.sync()]), { syncToFs: false })
      .catch(() => {});
  }
}
