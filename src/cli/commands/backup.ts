import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ExportCounts } from '../../backup/export-records.ts';
import { exportStore, type WriteLine } from '../../backup/export-store.ts';
import { importStore } from '../../backup/import-store.ts';
import { AgentryError } from '../../errors.ts';
import type { Session } from '../session.ts';
import type { Terminal } from '../terminal.ts';

/**
 * `agentry export [--out FILE]`: every conversation and run of the session's store as JSON lines,
 * on stdout by default. A file is written beside its final name and renamed into place once
 * complete and synced, so a failed export never leaves a file that looks like a backup.
 */
export async function exportCommand(
  session: Session,
  terminal: Terminal,
  options: { out: string | undefined; cwd: string },
): Promise<number> {
  const store = await session.store();
  if (options.out === undefined) {
    const out = chunkedLines(streamSink(terminal.out));
    const counts = await exportStore(store, out.write);
    await out.flush();
    terminal.err.write(`Exported ${describe(counts)}.\n`);
    return 0;
  }
  const target = resolve(options.cwd, options.out);
  const partial = join(dirname(target), `.${basename(target)}.${randomUUID().slice(0, 8)}.partial`);
  const handle = await openFile(partial, 'wx', options.out);
  try {
    // writeFile on a handle writes all of the text at the current position (write may stop short).
    const file = chunkedLines((text) => handle.writeFile(text));
    const counts = await exportStore(store, file.write);
    await file.flush();
    await handle.sync();
    await handle.close();
    await rename(partial, target);
    terminal.out.write(`Exported ${describe(counts)} to ${options.out}.\n`);
    return 0;
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
}

/** `agentry import FILE` (`-` reads stdin): an export into the session's store. */
export async function importCommand(
  session: Session,
  terminal: Terminal,
  file: string,
  options: { cwd: string; stdin: NodeJS.ReadableStream; skipExisting: boolean; json: boolean },
): Promise<number> {
  const handle = file === '-' ? undefined : await openFile(resolve(options.cwd, file), 'r', file);
  try {
    const store = await session.store();
    // Created only now and iterated at once: readline drops lines emitted before iteration starts.
    const lines = handle
      ? handle.readLines()
      : createInterface({ input: options.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    const result = await importStore(store, lines, { skipExisting: options.skipExisting });
    if (options.json) {
      terminal.out.write(`${JSON.stringify(result)}\n`);
      return 0;
    }
    terminal.out.write(`Imported ${describe(result.imported)}.\n`);
    const { conversations, runs } = result.skipped;
    if (conversations + runs > 0) {
      terminal.out.write(`Skipped ${conversations} existing conversation(s) and ${runs} existing run(s).\n`);
    }
    return 0;
  } finally {
    await handle?.close().catch(() => {});
  }
}

async function openFile(path: string, flags: 'r' | 'wx', shown: string): Promise<FileHandle> {
  try {
    return await open(path, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new AgentryError('INPUT_INVALID', `Cannot ${flags === 'r' ? 'read' : 'write'} ${shown} (${code}).`, {
      cause: error,
      details: { file: shown },
    });
  }
}

/** Writes to a stream, waiting whenever it asks for a pause; a stream error fails the next write. */
function streamSink(stream: NodeJS.WritableStream): (text: string) => Promise<void> {
  let failure: unknown;
  stream.on('error', (error) => {
    failure ??= error;
  });
  return async (text) => {
    if (failure !== undefined) throw failure;
    if (!stream.write(text)) await once(stream, 'drain');
  };
}

/** Lines gathered into chunks of about CHUNK_CHARS: one write call per chunk, not per line. */
const CHUNK_CHARS = 64 * 1024;

function chunkedLines(sink: (text: string) => Promise<unknown>): { write: WriteLine; flush: () => Promise<void> } {
  let chunk = '';
  const flush = async () => {
    if (chunk === '') return;
    const text = chunk;
    chunk = '';
    await sink(text);
  };
  return {
    write: async (line) => {
      chunk += `${line}\n`;
      if (chunk.length >= CHUNK_CHARS) await flush();
    },
    flush,
  };
}

function describe(counts: ExportCounts): string {
  return (
    `${counts.conversations} conversation(s) (${counts.messages} message(s), ${counts.summaries} summary(ies)) ` +
    `and ${counts.runs} run(s) (${counts.journalEntries} journal entries)`
  );
}
