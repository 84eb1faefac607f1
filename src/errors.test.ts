import { describe, expect, it } from 'vitest';
import { AgentryError, toAgentryError } from './errors.ts';

describe('AgentryError', () => {
  it('carries a stable code, status and retryability, and serializes without cause or stack', () => {
    const cause = new Error('password=hunter2 at db.internal:5432');
    const error = new AgentryError('MODEL_THROTTLED', 'Model is throttling requests.', {
      retryable: true,
      cause,
      details: { model: 'm' },
    });
    expect(error).toMatchObject({ code: 'MODEL_THROTTLED', status: 429, retryable: true, cause });
    const json = JSON.stringify(error);
    expect(JSON.parse(json)).toEqual({
      code: 'MODEL_THROTTLED',
      message: 'Model is throttling requests.',
      retryable: true,
      details: { model: 'm' },
    });
    expect(json).not.toContain('hunter2');
    expect(json).not.toContain('at ');
  });

  it('wraps unknown errors with a generic message, keeping the original only as cause', () => {
    const original = new Error('ECONNREFUSED 10.0.0.7 secret-token');
    const wrapped = toAgentryError(original);
    expect(wrapped.code).toBe('INTERNAL');
    expect(wrapped.status).toBe(500);
    expect(wrapped.cause).toBe(original);
    expect(JSON.stringify(wrapped)).not.toContain('secret-token');
    const known = new AgentryError('AGENT_NOT_FOUND', 'nope');
    expect(toAgentryError(known)).toBe(known);
  });
});
