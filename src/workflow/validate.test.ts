import { describe, expect, it } from 'vitest';
import { validateDefinition } from './validate.ts';

describe('validateDefinition', () => {
  it('accepts a valid machine, including handler-name resources', () => {
    const definition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'local:echo', End: true } } };
    expect(validateDefinition(definition)).toEqual({ valid: true, issues: [] });
    expect(definition).not.toHaveProperty('States.T.QueryLanguage');
  });

  it('reports the state and field of schema errors', () => {
    const { valid, issues } = validateDefinition({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'x', TimeoutSeconds: 'soon', End: true } },
    });
    expect(valid).toBe(false);
    expect(issues[0]).toMatchObject({ code: 'SCHEMA_VALIDATION_FAILED', state: 'T', field: 'TimeoutSeconds' });
  });

  it('reports missing transition targets', () => {
    const { valid, issues } = validateDefinition({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
    expect(valid).toBe(false);
    expect(issues.map((issue) => issue.code)).toContain('MISSING_TRANSITION_TARGET');
  });
});
