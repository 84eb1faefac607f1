/**
 * TransactWriteItems for dynalite, which (as of 4.0) does not implement transactions. Built from
 * dynalite's own GetItem/PutItem/UpdateItem/DeleteItem in wire format, so conditions and updates
 * are evaluated by dynalite's expression engine, not re-implemented here. It is atomic only because
 * the proxy in front of dynalite (transaction-proxy.ts) runs one request at a time.
 *
 * Steps: snapshot every target item (consistent GetItem); evaluate each condition with a probe
 * write of the unchanged item (or of the bare key, removed again) carrying the condition; if any
 * failed, answer TransactionCanceledException with one reason per item, in order (and the old item
 * for ReturnValuesOnConditionCheckFailure ALL_OLD); otherwise apply the writes without conditions,
 * restoring the snapshots if one of them fails.
 *
 * ClientRequestToken (which the SDK always sets) makes a committed transaction idempotent, as in
 * DynamoDB: the same token with the same request answers success again without writing; with a
 * different request, IdempotentParameterMismatchException. Tokens are kept for the emulator's life
 * (DynamoDB keeps them 10 minutes). Unsupported parts fail loudly with a ValidationException
 * naming them: ReturnConsumedCapacity and ReturnItemCollectionMetrics other than NONE.
 */

export type Wire = Record<string, unknown>;
export interface WireReply {
  status: number;
  body: Wire;
}
/** Sends one DynamoDB operation (wire-format JSON) to dynalite. */
export type WireCall = (operation: string, body: Wire) => Promise<WireReply>;

const KINDS = ['Put', 'Update', 'Delete', 'ConditionCheck'] as const;
type Kind = (typeof KINDS)[number];

interface Operation {
  kind: Kind;
  spec: Wire;
  table: string;
  key: Wire;
}

const MAX_ITEMS = 100;

function validation(message: string): WireReply {
  return { status: 400, body: { __type: 'com.amazon.coral.validate#ValidationException', message } };
}

const isWire = (value: unknown): value is Wire => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Only the placeholders an expression uses: DynamoDB rejects unused names and values. */
function placeholders(spec: Wire, expressions: (unknown | undefined)[]): Wire {
  const text = expressions.filter((expression) => typeof expression === 'string').join(' ');
  const pick = (field: string, pattern: RegExp): Wire => {
    const all = spec[field];
    if (!isWire(all)) return {};
    const used = new Set(text.match(pattern) ?? []);
    const kept = Object.fromEntries(Object.entries(all).filter(([name]) => used.has(name)));
    return Object.keys(kept).length > 0 ? { [field]: kept } : {};
  };
  return {
    ...pick('ExpressionAttributeNames', /#[A-Za-z0-9_]+/g),
    ...pick('ExpressionAttributeValues', /:[A-Za-z0-9_]+/g),
  };
}

export class TransactWriteEmulator {
  private readonly keyNames = new Map<string, string[]>();
  /** ClientRequestToken → the request (minus the token) of a committed transaction. */
  private readonly committed = new Map<string, string>();

  constructor(private readonly call: WireCall) {}

  async transactWrite(request: Wire): Promise<WireReply> {
    const { ClientRequestToken: token, ...rest } = request;
    const fingerprint = JSON.stringify(rest);
    const earlier = typeof token === 'string' ? this.committed.get(token) : undefined;
    if (earlier !== undefined) {
      if (earlier === fingerprint) return { status: 200, body: {} };
      return {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException',
          message: 'The request uses the same client token as a previous, but non-identical request.',
        },
      };
    }
    const reply = await this.execute(rest);
    if (reply.status === 200 && typeof token === 'string') this.committed.set(token, fingerprint);
    return reply;
  }

  private async execute(request: Wire): Promise<WireReply> {
    const items = request['TransactItems'];
    if (!Array.isArray(items) || items.length < 1 || items.length > MAX_ITEMS) {
      return validation(`TransactItems must hold 1 to ${MAX_ITEMS} items.`);
    }
    for (const field of ['ReturnConsumedCapacity', 'ReturnItemCollectionMetrics']) {
      const value = request[field];
      if (value !== undefined && value !== 'NONE')
        return validation(`dynalite transaction emulator: ${field} is not supported.`);
    }
    const operations: Operation[] = [];
    const targets = new Set<string>();
    for (const item of items) {
      const parsed = await this.parse(item);
      if ('status' in parsed) return parsed;
      const target = JSON.stringify([parsed.table, Object.entries(parsed.key).sort(([a], [b]) => a.localeCompare(b))]);
      if (targets.has(target)) return validation('Transaction request cannot include multiple operations on one item');
      targets.add(target);
      operations.push(parsed);
    }

    const snapshots: (Wire | undefined)[] = [];
    for (const operation of operations) {
      const reply = await this.call('GetItem', {
        TableName: operation.table,
        Key: operation.key,
        ConsistentRead: true,
      });
      if (reply.status !== 200) return reply;
      snapshots.push(isWire(reply.body['Item']) ? reply.body['Item'] : undefined);
    }

    const reasons: Wire[] = [];
    for (const [index, operation] of operations.entries()) {
      const condition = operation.spec['ConditionExpression'];
      if (typeof condition !== 'string') {
        reasons.push({ Code: 'None' });
        continue;
      }
      const snapshot = snapshots[index];
      const probe = await this.call('PutItem', {
        TableName: operation.table,
        Item: snapshot ?? operation.key,
        ConditionExpression: condition,
        ...placeholders(operation.spec, [condition]),
      });
      if (probe.status === 200) {
        if (!snapshot) await this.call('DeleteItem', { TableName: operation.table, Key: operation.key });
        reasons.push({ Code: 'None' });
      } else if (String(probe.body['__type']).endsWith('#ConditionalCheckFailedException')) {
        const allOld = operation.spec['ReturnValuesOnConditionCheckFailure'] === 'ALL_OLD';
        reasons.push({
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          ...(allOld && snapshot ? { Item: snapshot } : {}),
        });
      } else {
        return probe;
      }
    }
    if (reasons.some((reason) => reason['Code'] !== 'None')) {
      return {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason['Code']).join(', ')}]`,
          CancellationReasons: reasons,
        },
      };
    }

    for (const [index, operation] of operations.entries()) {
      const reply = await this.apply(operation);
      if (reply && reply.status !== 200) {
        await this.restore(operations.slice(0, index + 1), snapshots);
        return reply;
      }
    }
    return { status: 200, body: {} };
  }

  private async parse(item: unknown): Promise<Operation | WireReply> {
    if (!isWire(item)) return validation('A TransactItem must be an object.');
    const kinds = KINDS.filter((kind) => item[kind] !== undefined);
    const kind = kinds[0];
    if (kind === undefined || kinds.length !== 1) return validation('A TransactItem must hold exactly one operation.');
    const spec = item[kind];
    if (!isWire(spec) || typeof spec['TableName'] !== 'string') return validation(`${kind} needs a TableName.`);
    const table = spec['TableName'];
    if (kind !== 'Put') {
      return isWire(spec['Key']) ? { kind, spec, table, key: spec['Key'] } : validation(`${kind} needs a Key.`);
    }
    if (!isWire(spec['Item'])) return validation('Put needs an Item.');
    const names = await this.keyNamesOf(table);
    if (!Array.isArray(names)) return names;
    const entity = spec['Item'];
    return { kind, spec, table, key: Object.fromEntries(names.map((name) => [name, entity[name]])) };
  }

  private async keyNamesOf(table: string): Promise<string[] | WireReply> {
    const cached = this.keyNames.get(table);
    if (cached) return cached;
    const reply = await this.call('DescribeTable', { TableName: table });
    if (reply.status !== 200) return reply;
    const schema = (reply.body['Table'] as { KeySchema?: { AttributeName: string }[] } | undefined)?.KeySchema ?? [];
    const names = schema.map((element) => element.AttributeName);
    this.keyNames.set(table, names);
    return names;
  }

  private async apply(operation: Operation): Promise<WireReply | undefined> {
    const { spec, table, key } = operation;
    switch (operation.kind) {
      case 'Put':
        return this.call('PutItem', { TableName: table, Item: spec['Item'] });
      case 'Update':
        return this.call('UpdateItem', {
          TableName: table,
          Key: key,
          UpdateExpression: spec['UpdateExpression'],
          ...placeholders(spec, [spec['UpdateExpression']]),
        });
      case 'Delete':
        return this.call('DeleteItem', { TableName: table, Key: key });
      case 'ConditionCheck':
        return undefined;
    }
  }

  private async restore(operations: Operation[], snapshots: (Wire | undefined)[]): Promise<void> {
    for (const [index, operation] of operations.entries()) {
      const snapshot = snapshots[index];
      if (snapshot) await this.call('PutItem', { TableName: operation.table, Item: snapshot });
      else await this.call('DeleteItem', { TableName: operation.table, Key: operation.key });
    }
  }
}
