import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const HOME = mkdtempSync(join(tmpdir(), 'agentry-keys-home-'));
const DATA_DIR = mkdtempSync(join(tmpdir(), 'agentry-keys-data-'));

/** The real CLI in a child process, on its own PGlite folder. */
function cli(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(TSX, [join(ROOT, 'src/cli/bin.ts'), ...args], {
      cwd: HOME,
      env: { PATH: process.env.PATH ?? '', HOME, AGENTRY_DATA_DIR: DATA_DIR },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

describe('agentry keys', () => {
  it('creates (shown once), lists (never the secret) and revokes keys across processes', async () => {
    const created = await cli(['keys', 'create', '--tenant', 't1', '--user', 'alice', '--name', 'ci', '--json']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const record = JSON.parse(created.stdout);
    expect(record.key).toMatch(/^agk_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({ tenantId: 't1', userId: 'alice', name: 'ci', onBehalf: false, plan: 'default' });
    expect(record.scopes).toEqual(['agents:run', 'conversations:read']);
    expect(record.secretHash).toBeUndefined();
    const secret = record.key.slice(21);

    const human = await cli(['keys', 'create', '--tenant', 't2', '--user', 'svc', '--admin', '--on-behalf']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/shown once/);
    expect(human.stdout).toMatch(/agk_[a-z2-7]{16}_/);
    expect(human.stdout).toContain('acts on behalf of users');

    const listed = await cli(['keys', 'list', '--tenant', 't1', '--json']);
    expect(listed.code).toBe(0);
    const keys = JSON.parse(listed.stdout);
    expect(keys).toEqual([expect.objectContaining({ id: record.id, tenantId: 't1' })]);
    expect(listed.stdout).not.toContain(secret);
    expect(listed.stdout).not.toContain('secretHash');
    const all = await cli(['keys', 'list']);
    expect(all.stdout).toContain(record.id);
    expect(all.stdout).toContain('t2/svc');
    expect(all.stdout).not.toContain(secret);

    const revoked = await cli(['keys', 'revoke', record.id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked API key ${record.id}`);
    const after = JSON.parse((await cli(['keys', 'list', '--tenant', 't1', '--json'])).stdout);
    expect(after[0].revokedAt).toEqual(expect.any(String));
    expect((await cli(['keys', 'revoke', record.id])).stdout).toContain('already revoked');
    const missing = await cli(['keys', 'revoke', 'nosuchkey']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('API_KEY_NOT_FOUND');

    expect((await cli(['keys', 'create', '--tenant', 't1'])).code).toBe(2);
    const badScope = await cli(['keys', 'create', '--tenant', 't1', '--user', 'u', '--scopes', 'root']);
    expect(badScope.code).toBe(1);
    expect(badScope.stderr).toContain('INPUT_INVALID');
  }, 120_000);
});
