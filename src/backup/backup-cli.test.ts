import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { comparable } from './testing/backup-fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const HOME = mkdtempSync(join(tmpdir(), 'agentry-home-'));

/** The real CLI in a child process on the examples project, with its PGlite folder in `dataDir`. */
function cli(args: string[], dataDir: string, stdin = '') {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(TSX, [join(ROOT, 'src/cli/bin.ts'), ...args], {
      cwd: HOME,
      env: { PATH: process.env.PATH ?? '', HOME, AGENTRY_DATA_DIR: dataDir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('agentry export / import', () => {
  it('exports a data folder to a file and imports it into another, once', async () => {
    const first = mkdtempSync(join(tmpdir(), 'agentry-data-'));
    const second = mkdtempSync(join(tmpdir(), 'agentry-data-'));
    const backups = mkdtempSync(join(tmpdir(), 'agentry-backups-'));
    const ran = await cli(['run', 'assistant', 'What is 25 * 47?', '--model', 'scripted:scripts/demo.json'], first);
    expect(ran.code).toBe(0);

    const exported = await cli(['export', '--out', join(backups, 'backup.jsonl')], first);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('Exported 1 conversation(s) (4 message(s), 0 summary(ies)) and 1 run(s)');
    // Written beside its name and renamed into place: no partial file is left.
    expect(readdirSync(backups)).toEqual(['backup.jsonl']);
    const file = lines(readFileSync(join(backups, 'backup.jsonl'), 'utf8'));
    expect(file.map((line) => JSON.parse(line).type)).toEqual([
      'agentry-export',
      'conversation',
      'message',
      'message',
      'message',
      'message',
      'run',
      'journal',
      'journal',
      'journal',
      'journal',
      'end',
    ]);

    const imported = await cli(['import', join(backups, 'backup.jsonl')], second);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('Imported 1 conversation(s) (4 message(s)');

    // Re-exported to stdout from the second folder: the same records.
    const again = await cli(['export'], second);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Exported 1 conversation(s)');
    expect(comparable(lines(again.stdout))).toEqual(comparable(file));

    const twice = await cli(['import', join(backups, 'backup.jsonl')], second);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(
      /^error CONVERSATION_CONFLICT: Line 2: conversation .* already exists with 4 messages/,
    );
    expect(twice.stderr).toContain('--skip-existing');

    const skipping = await cli(['import', join(backups, 'backup.jsonl'), '--skip-existing', '--json'], second);
    expect(skipping.code).toBe(0);
    expect(JSON.parse(skipping.stdout)).toMatchObject({ skipped: { conversations: 1, runs: 1 } });
  }, 120_000);

  it('imports from stdin, and reports unreadable files and bad lines clearly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'agentry-data-'));
    const header = JSON.stringify({ type: 'agentry-export', schemaVersion: 1, exportedAt: new Date().toISOString() });
    const end = JSON.stringify({
      type: 'end',
      counts: { conversations: 0, messages: 0, summaries: 0, runs: 0, journalEntries: 0 },
    });
    const empty = await cli(['import', '-'], dataDir, `${header}\n${end}\n`);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('Imported 0 conversation(s)');

    const broken = await cli(['import', '-'], dataDir, `${header}\n{"type":"conversation","id":1}\n`);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^error INPUT_INVALID: Line 2: invalid conversation record: .*id: /);

    const missing = await cli(['import', join(dataDir, 'nope.jsonl')], dataDir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error INPUT_INVALID: Cannot read');
    expect(missing.stderr).toContain('ENOENT');

    const usage = await cli(['import'], dataDir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('import needs a file');
  }, 120_000);
});
