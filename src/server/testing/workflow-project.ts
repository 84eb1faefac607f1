import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway project for workflow tests: an agent `writer` on a scripted model (`scripts/writer.json`),
 * two project functions (`shout` upper-cases `text`; `notify` appends its event to `notified.jsonl`) and
 * workflows:
 * - `greet`: Pass → agent task → function task, output `{ text: 'DRAFTED FOR <who>' }`;
 * - `approval`: a `lambda:invoke.waitForTaskToken` task that sends its token through `notify`;
 * - `broken`: parses, but state `First` has a number as `ResultPath` (WORKFLOW_INVALID on start).
 */
export function createWorkflowProject(): { dir: string; script: string; notified(): { token: string }[] } {
  const dir = mkdtempSync(join(tmpdir(), 'agentry-workflows-'));
  for (const folder of ['agents', 'workflows', 'functions', 'scripts']) mkdirSync(join(dir, folder));
  const file = (path: string, text: string) => writeFileSync(join(dir, path), text);
  file(
    'agentry.config.yaml',
    [
      'name: workflow-test',
      'model: scripted:scripts/writer.json',
      'workflows:',
      '  functions:',
      '    notify: { module: functions/notify.mjs }',
      '    shout: { module: functions/shout.mjs }',
      '',
    ].join('\n'),
  );
  file('agents/writer.yaml', 'description: Drafts greetings.\ninstructions: Draft a greeting.\ntools: []\n');
  file(
    'scripts/writer.json',
    JSON.stringify({
      replies: [
        { when: 'Ada', steps: [{ text: 'drafted for Ada' }] },
        { when: '.', steps: [{ text: 'drafted' }] },
      ],
    }),
  );
  file(
    'functions/notify.mjs',
    [
      "import { appendFileSync } from 'node:fs';",
      'export async function handler(event) {',
      "  appendFileSync(new URL('../notified.jsonl', import.meta.url), JSON.stringify(event) + '\\n');",
      '  return { sent: true };',
      '}',
      '',
    ].join('\n'),
  );
  file(
    'functions/shout.mjs',
    'export async function handler(event) {\n  return { text: String(event.text).toUpperCase() };\n}\n',
  );
  file(
    'workflows/greet.asl.json',
    JSON.stringify(
      {
        Comment: 'Drafts a greeting, then shouts it',
        StartAt: 'Prepare',
        States: {
          Prepare: { Type: 'Pass', Parameters: { 'query.$': "States.Format('Greet {}', $.who)" }, Next: 'Write' },
          Write: {
            Type: 'Task',
            Resource: 'agent:writer',
            ResultSelector: { 'text.$': '$.response' },
            Next: 'Shout',
          },
          Shout: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:shout', End: true },
        },
      },
      null,
      2,
    ),
  );
  file(
    'workflows/approval.asl.json',
    JSON.stringify(
      {
        StartAt: 'Ask',
        States: {
          Ask: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token', 'doc.$': '$.doc' } },
            ResultPath: '$.decision',
            End: true,
          },
        },
      },
      null,
      2,
    ),
  );
  file(
    'workflows/broken.asl.json',
    JSON.stringify({ StartAt: 'First', States: { First: { Type: 'Pass', ResultPath: 42, End: true } } }, null, 2),
  );
  return {
    dir,
    script: join(dir, 'scripts/writer.json'),
    notified: () => {
      let text = '';
      try {
        text = readFileSync(join(dir, 'notified.jsonl'), 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { token: string });
    },
  };
}
