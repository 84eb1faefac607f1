import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { AgentryError } from '../errors.ts';

/** Reads and validates one YAML file; errors name the file (relative to `root`) and each bad field. */
export function readYamlFile<Schema extends z.ZodType>(file: string, schema: Schema, root: string): z.infer<Schema> {
  const shown = relative(root, file) || file;
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : 'unreadable';
    throw new AgentryError('CONFIG_INVALID', `${shown}: ${reason}`, { cause, details: { file: shown } });
  }
  const parsed = schema.safeParse(data ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
  throw new AgentryError('CONFIG_INVALID', `${shown}: ${issues.join('; ')}`, { details: { file: shown, issues } });
}
