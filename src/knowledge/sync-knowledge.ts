import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { AgentryError } from '../errors.ts';
import type { KnowledgeStore } from '../store/knowledge.ts';
import { type ChunkOptions, chunkDocument, hashContent } from './chunk-document.ts';

/** Files above this size are skipped: knowledge/ holds documents, not data dumps. */
export const MAX_KNOWLEDGE_FILE_BYTES = 1024 * 1024;
const KNOWLEDGE_EXTENSIONS = /\.(md|markdown|txt)$/i;

export interface SyncKnowledgeOptions extends ChunkOptions {
  maxFileBytes?: number;
}

export interface SyncKnowledgeResult {
  /** New or changed documents, (re)chunked and upserted. */
  indexed: string[];
  unchanged: string[];
  /** Documents deleted from the store: their file vanished or is now skipped. */
  removed: string[];
  /** Files with a knowledge extension that were not indexed, with why (for a warning). */
  skipped: { source: string; reason: string }[];
}

/**
 * Brings the store in line with the folder: every .md/.markdown/.txt file below it (recursively,
 * hidden files and folders excluded) is indexed under its `/`-separated relative path, re-indexed
 * only when its content hash changed; documents without a readable file are deleted. A missing
 * folder means an empty knowledge base, not an error. Lists are sorted by source.
 */
export async function syncKnowledge(
  store: KnowledgeStore,
  knowledgeDir: string,
  options: SyncKnowledgeOptions = {},
): Promise<SyncKnowledgeResult> {
  const maxFileBytes = options.maxFileBytes ?? MAX_KNOWLEDGE_FILE_BYTES;
  const result: SyncKnowledgeResult = { indexed: [], unchanged: [], removed: [], skipped: [] };
  const existing = await store.listDocuments();
  const seen = new Set<string>();

  for (const file of await listKnowledgeFiles(knowledgeDir, result.skipped)) {
    const source = relative(knowledgeDir, file).split(sep).join('/');
    const text = await readKnowledgeFile(file, source, maxFileBytes, result.skipped);
    if (text === undefined) continue;
    seen.add(source);
    const hash = hashContent(text);
    if (existing.get(source) === hash) {
      result.unchanged.push(source);
      continue;
    }
    await store.upsertDocument({ source, hash, chunks: chunkDocument(source, text, options) });
    result.indexed.push(source);
  }

  for (const source of [...existing.keys()].sort()) {
    if (seen.has(source)) continue;
    await store.deleteDocument(source);
    result.removed.push(source);
  }
  return result;
}

/** Sorted absolute paths of candidate files. Symlinks to files are followed, to folders not (no cycles). */
async function listKnowledgeFiles(root: string, skipped: SyncKnowledgeResult['skipped']): Promise<string[]> {
  try {
    const rootStat = await stat(root);
    if (!rootStat.isDirectory()) {
      throw new AgentryError('CONFIG_INVALID', `The knowledge path "${root}" is not a folder.`);
    }
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  const files: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries.sort((left, right) => (left.name < right.name ? -1 : 1))) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
      } else if (KNOWLEDGE_EXTENSIONS.test(entry.name)) {
        if (entry.isFile()) files.push(path);
        else if (entry.isSymbolicLink()) await addSymlink(path);
      }
    }
  };
  const addSymlink = async (path: string): Promise<void> => {
    const target = await stat(path).catch(() => undefined);
    if (target?.isFile()) files.push(path);
    else skipped.push({ source: relative(root, path).split(sep).join('/'), reason: 'not a regular file' });
  };
  await walk(root);
  return files;
}

/** The file's text, or undefined (with a skipped entry) when it is too large, binary or unreadable. */
async function readKnowledgeFile(
  path: string,
  source: string,
  maxFileBytes: number,
  skipped: SyncKnowledgeResult['skipped'],
): Promise<string | undefined> {
  try {
    const { size } = await stat(path);
    if (size > maxFileBytes) {
      skipped.push({ source, reason: `larger than ${maxFileBytes} bytes (${size} bytes)` });
      return undefined;
    }
    const bytes = await readFile(path);
    if (bytes.includes(0)) {
      skipped.push({ source, reason: 'binary content (NUL bytes)' });
      return undefined;
    }
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    // Removed between listing and reading: it is simply gone.
    if (isNotFound(error)) return undefined;
    const reason = error instanceof TypeError ? 'not valid UTF-8' : `unreadable (${errorCode(error)})`;
    skipped.push({ source, reason });
    return undefined;
  }
}

function isNotFound(error: unknown): boolean {
  return errorCode(error) === 'ENOENT';
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'error';
}
