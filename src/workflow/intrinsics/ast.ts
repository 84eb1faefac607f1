/** The parsed form of an intrinsic expression. */
export type IntrinsicNode =
  | { kind: 'call'; name: string; args: readonly IntrinsicNode[]; position: number }
  | { kind: 'string'; value: string; template: readonly string[] }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'path'; path: string };

export type CallNode = Extract<IntrinsicNode, { kind: 'call' }>;
