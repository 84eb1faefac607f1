import { createRequire } from 'node:module';

/** One problem in a definition: `state` is the state's name (innermost for nested machines), `field` the field. */
export interface ValidationIssue {
  code: string;
  message: string;
  state?: string;
  field?: string;
  /** JSON pointer into the definition, when the validator reports one. */
  pointer?: string;
}

interface AslValidatorError {
  'Error code': string;
  Message: string;
  schemaError?: { instancePath: string; schemaPath: string };
}

type AslValidator = (
  definition: unknown,
  options?: { checkPaths: boolean; checkArn: boolean },
) => { isValid: boolean; errors: AslValidatorError[] };

let loaded: AslValidator | undefined;

/**
 * asl-validator ships CommonJS without type declarations; the signature above is its documented API. Loaded on
 * first use, not on import: entry points that never validate (the Lambda bundle, which leaves it out) import
 * this module through the project loader.
 */
function aslValidator(): AslValidator {
  loaded ??= createRequire(import.meta.url)('asl-validator') as AslValidator;
  return loaded;
}

/**
 * Validates a definition with asl-validator (JSON schema, transitions, terminal states, path syntax). ARNs are
 * not checked: Agentry resources are handler names as well as AWS ARNs.
 */
export function validateDefinition(definition: unknown): { valid: boolean; issues: ValidationIssue[] } {
  // asl-validator writes default QueryLanguage fields into what it is given.
  const { isValid, errors } = aslValidator()(structuredClone(definition), { checkPaths: true, checkArn: false });
  const issues = errors.map(toIssue);
  return { valid: isValid && issues.length === 0, issues };
}

function toIssue(error: AslValidatorError): ValidationIssue {
  const pointer = error.schemaError?.instancePath;
  const issue: ValidationIssue = { code: error['Error code'], message: error.Message };
  if (pointer === undefined) return { ...issue, ...locateInMessage(error.Message) };
  const located = locate(pointer);
  return { ...issue, pointer, ...located };
}

/** The innermost `/States/<name>` of a JSON pointer names the state; the segment after it is the field. */
function locate(pointer: string): { state?: string; field?: string } {
  const segments = pointer.split('/').slice(1).map(unescapePointer);
  let result: { state?: string; field?: string } = {};
  for (let i = 0; i < segments.length - 1; i++) {
    if (segments[i] === 'States') {
      const state = segments[i + 1];
      const field = segments[i + 2];
      if (state !== undefined) result = field === undefined ? { state } : { state, field };
    }
  }
  return result;
}

function locateInMessage(message: string): { state?: string } {
  const quoted = /(?:state|State)s?\s*[:"']+\s*([^"']+)["']/.exec(message);
  return quoted?.[1] ? { state: quoted[1] } : {};
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
