/**
 * Asks a person to approve a draft. The `human-approval` workflow calls this through
 * `arn:aws:states:::lambda:invoke.waitForTaskToken` with `{token, request, draft}` and then waits until
 * the token is completed, so this function only delivers the request and returns at once.
 *
 * Here the request is printed on stderr. In production, send it where approvers look (email, chat, a
 * ticket) with links that complete the token. The token is a secret: whoever holds it decides.
 * The same file works as a Lambda handler on AWS (Node.js runtime), where the approver answers with
 * SendTaskSuccess / SendTaskFailure instead.
 */
export async function handler(event) {
  const { token, request, draft } = event ?? {};
  if (typeof token !== 'string' || token === '') {
    throw new Error('request-approval needs "token" in its Payload ("token.$": "$$.Task.Token").');
  }
  console.error(
    [
      'Approval requested',
      `  request: ${request ?? '(none)'}`,
      '  draft:',
      ...String(draft ?? '')
        .split('\n')
        .map((line) => `    ${line}`),
      `  token: ${token}`,
      `Approve: agentry workflow task-success ${token} --output '{"approved": true}'`,
      `     or: POST /v1/task-tokens/${token}/success with {"output": {"approved": true}}`,
      'Reject:  the same with {"approved": false, "comment": "..."}',
    ].join('\n'),
  );
  return { notified: true };
}
