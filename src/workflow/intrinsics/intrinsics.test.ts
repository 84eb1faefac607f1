import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  evaluateIntrinsic,
  INTRINSIC_FAILURE,
  INTRINSIC_FUNCTIONS,
  type IntrinsicScope,
  isIntrinsic,
  MAX_NESTING_DEPTH,
  parseIntrinsic,
  STATES_RUNTIME,
} from './index.ts';

/** The inputs of the AWS documentation examples, in one state input. */
const input = {
  Id: 123456,
  name: 'Arnav',
  template: 'Hello, my name is {}.',
  escapedJsonString: '{"foo": "bar"}',
  unescapedJson: { foo: 'bar' },
  inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9],
  dupes: [1, 2, 3, 3, 3, 3, 3, 3, 4],
  lookingFor: 5,
  index: 5,
  input: 'Data to encode',
  base64: 'RGF0YSB0byBlbmNvZGU=',
  Data: 'input data',
  Algorithm: 'SHA-1',
  json1: { a: { a1: 1, a2: 2 }, b: 2 },
  json2: { a: { a3: 1, a4: 2 }, c: 3 },
  start: 1,
  end: 999,
  value1: 111,
  step: -1,
  inputString: '1,2,3,4,5',
  splitter: ',',
  multi: 'This.is+a,test=string',
  multiSplitter: '.+,=',
  ImageRecipe: { Arn: 'arn:aws:imagebuilder:us-east-1:123:image-recipe/my-recipe/2.15.7' },
  'def ghi': 'spaced',
  items: [{ id: 'a' }, { id: 'b' }],
  nothing: null,
};

const scope: IntrinsicScope = {
  input,
  context: { Execution: { Id: 'arn:aws:states:us-east-1:123:execution:sm:run-1', Name: 'run-1' } },
  variables: { greeting: 'hey', nums: [2, 4], cfg: { retries: 3 } },
};

const run = (expression: string, random?: () => number): unknown => evaluateIntrinsic(expression, scope, random);

/** Returns the error thrown by `fn`, failing the test when nothing is thrown. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error('threw a non-Error');
  }
  throw new Error('expected an error, but nothing was thrown');
}

function expectFailure(expression: string, name: string, message: RegExp, random?: () => number): void {
  const error = thrown(() => run(expression, random));
  expect(error.name).toBe(name);
  expect(error.message).toMatch(message);
  expect(error.message).not.toMatch(/\n\s+at /);
}

/** A source that cycles through fixed draws. */
function sequence(...draws: number[]): () => number {
  let i = 0;
  return () => draws[i++ % draws.length]!;
}

describe('isIntrinsic', () => {
  it('recognizes a States function call', () => {
    expect(isIntrinsic('States.Array($.Id)')).toBe(true);
    expect(isIntrinsic('States.UUID()')).toBe(true);
    expect(isIntrinsic('States.NotAFunction(1)')).toBe(true);
  });

  it('rejects paths and look-alikes', () => {
    expect(isIntrinsic('$.States.Array')).toBe(false);
    expect(isIntrinsic('States.Array')).toBe(false);
    expect(isIntrinsic('States.(1)')).toBe(false);
    expect(isIntrinsic(' States.Array(1)')).toBe(false);
    expect(isIntrinsic('states.Array(1)')).toBe(false);
  });
});

describe('AWS documentation examples', () => {
  it.each([
    ["States.Format('Hello, my name is {}.', $.name)", 'Hello, my name is Arnav.'],
    ['States.Format($.template, $.name)', 'Hello, my name is Arnav.'],
    ['States.StringToJson($.escapedJsonString)', { foo: 'bar' }],
    ['States.JsonToString($.unescapedJson)', '{"foo":"bar"}'],
    ['States.Array($.Id)', [123456]],
    ['States.ArrayPartition($.inputArray,4)', [[1, 2, 3, 4], [5, 6, 7, 8], [9]]],
    ['States.ArrayContains($.inputArray, $.lookingFor)', true],
    ['States.ArrayRange(1, 9, 2)', [1, 3, 5, 7, 9]],
    ['States.ArrayGetItem($.inputArray, $.index)', 6],
    ['States.ArrayLength($.inputArray)', 9],
    ['States.ArrayUnique($.dupes)', [1, 2, 3, 4]],
    ['States.Base64Encode($.input)', 'RGF0YSB0byBlbmNvZGU='],
    ['States.Base64Decode($.base64)', 'Data to encode'],
    ['States.Hash($.Data, $.Algorithm)', 'aaff4a450a104cd177d28d18d74485e8cae074b7'],
    ['States.JsonMerge($.json1, $.json2, false)', { a: { a3: 1, a4: 2 }, b: 2, c: 3 }],
    ['States.MathAdd($.value1, $.step)', 110],
    ['States.StringSplit($.inputString, $.splitter)', ['1', '2', '3', '4', '5']],
    ['States.StringSplit($.multi, $.multiSplitter)', ['This', 'is', 'a', 'test', 'string']],
  ])('%s', (expression, expected) => {
    expect(run(expression)).toEqual(expected);
  });

  it('evaluates the nested myArn example (with as many placeholders as values)', () => {
    const expression =
      "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit(" +
      "$.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(" +
      "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))";
    expect(run(expression)).toBe('2.15');
    // The documentation prints '{}.{}.{}' with two values, which the placeholder rule refuses.
    expectFailure(expression.replace("'{}.{}'", "'{}.{}.{}'"), INTRINSIC_FAILURE, /3 \{\} placeholder\(s\) but 2/);
  });
});

describe('syntax', () => {
  it('parses literals: strings, integers, decimals, negatives, exponents, booleans and null', () => {
    expect(run("States.Array('a', 1, -2, 2.5, 1e3, true, false, null)")).toEqual([
      'a',
      1,
      -2,
      2.5,
      1000,
      true,
      false,
      null,
    ]);
    expect(run('States.Array()')).toEqual([]);
    expect(run('  States.Array(  1 ,\n 2  )  ')).toEqual([1, 2]);
  });

  it('evaluates nested calls', () => {
    expect(run('States.ArrayLength(States.Array(1,2,3))')).toBe(3);
    expect(run("States.ArrayGetItem(States.StringSplit('a-b-c', '-'), 2)")).toBe('c');
  });

  it("unescapes \\' \\{ \\} and \\\\ in string literals", () => {
    expect(run("States.Array('it\\'s', '\\{x\\}', 'back\\\\slash')")).toEqual(["it's", '{x}', 'back\\slash']);
  });

  it('keeps commas, parentheses and $ inside string literals as text', () => {
    expect(run("States.Array('a, b)', '$.name')")).toEqual(['a, b)', '$.name']);
  });

  it('records placeholders only for unescaped {}', () => {
    const call = parseIntrinsic("States.Format('a{}b\\{\\}c{}', 1, 2)");
    const template = call.args[0];
    expect(template).toEqual({ kind: 'string', value: 'a{}b{}c{}', template: ['a', 'b{}c', ''] });
  });

  it('rejects an open escape backslash with States.Runtime', () => {
    expectFailure("States.Array('bad \\n escape')", STATES_RUNTIME, /Open escape backslash at position 18/);
    expectFailure("States.Array('trailing \\", STATES_RUNTIME, /Open escape/);
  });

  it.each([
    ["States.Array('unterminated)", /Unterminated string literal starting at position 13/],
    ['States.Array(1, 2', /Unexpected end of intrinsic expression.*',' or '\)'/],
    ['States.Array(1,)', /Unexpected '\)' at position 15: expected an argument/],
    ['States.Array(,1)', /Unexpected ',' at position 13/],
    ['States.Array(1 2)', /Unexpected number at position 15/],
    ['States.Array(1))', /Unexpected '\)' at position 15: expected the end/],
    ['States.Array(1) States.Array(2)', /expected the end of the expression/],
    ['States.Array(foo)', /Unexpected identifier 'foo'/],
    ['States.Array(01)', /Invalid number at position 13/],
    ['States.Array(1abc)', /Invalid number/],
    ['States.Array(1e999)', /Number out of range/],
    ['States.Array(#)', /Unexpected character '#'/],
    ['States.Array($.a[0)', /Unterminated '\['/],
    ['States.Array($.a])', /Unbalanced '\]'/],
    ['States.Array($.a(1))', /Unexpected '\('/],
    ['States.Array', /expected '\(' after States.Array/],
    ['$.name', /Unexpected path at position 0: expected a States function name/],
    ['', /Unexpected end of intrinsic expression/],
  ])('rejects %s', (expression, message) => {
    expectFailure(expression, INTRINSIC_FAILURE, message);
  });

  it('rejects unknown functions and wrong argument counts, naming the function', () => {
    expectFailure('States.Nope(1)', INTRINSIC_FAILURE, /Unknown intrinsic function States.Nope/);
    expectFailure('States.ArrayLength()', INTRINSIC_FAILURE, /States.ArrayLength expects 1 argument, got 0/);
    expectFailure('States.Hash($.Data)', INTRINSIC_FAILURE, /States.Hash expects 2 arguments, got 1/);
    expectFailure('States.MathRandom(1)', INTRINSIC_FAILURE, /States.MathRandom expects 2 to 3 arguments, got 1/);
    expectFailure('States.UUID(1)', INTRINSIC_FAILURE, /States.UUID expects 0 arguments, got 1/);
    expectFailure('States.Format()', INTRINSIC_FAILURE, /States.Format expects at least 1 argument, got 0/);
  });
});

describe('hostile input', () => {
  const nest = (depth: number) => `${'States.Array('.repeat(depth)}1${')'.repeat(depth)}`;

  it(`allows ${MAX_NESTING_DEPTH} levels of nesting and refuses more`, () => {
    expect(run(nest(MAX_NESTING_DEPTH))).toEqual(JSON.parse(`${'['.repeat(MAX_NESTING_DEPTH)}1${']'.repeat(10)}`));
    expectFailure(nest(MAX_NESTING_DEPTH + 1), INTRINSIC_FAILURE, /nested deeper than 10 levels/);
  });

  it('fails fast, without a stack overflow, on very deep unbalanced nesting', () => {
    expectFailure('States.Array('.repeat(4000), INTRINSIC_FAILURE, /nested deeper than 10 levels/);
  });

  it('refuses oversized expressions', () => {
    expectFailure(`States.Array('${'x'.repeat(70_000)}')`, INTRINSIC_FAILURE, /longer than 65536 characters/);
  });

  it('does not echo argument values in error messages', () => {
    const secret = { input: { token: 'sk-very-secret' }, context: {}, variables: {} };
    const error = thrown(() => evaluateIntrinsic('States.ArrayLength($.token)', secret));
    expect(error.message).toBe('States.ArrayLength: argument 1 (array) must be an array, got string');
  });

  it('never reaches prototype properties through paths', () => {
    expectFailure('States.Array($.constructor)', STATES_RUNTIME, /could not be found/);
    expectFailure('States.Array($.__proto__)', STATES_RUNTIME, /could not be found/);
    expectFailure('States.Array($.inputArray.length)', STATES_RUNTIME, /could not be found/);
  });

  it('refuses filter and script expressions instead of evaluating them', () => {
    expectFailure('States.Array($.items[?(@.id == "a")])', INTRINSIC_FAILURE, /script and filter expressions/);
  });

  it('does not mutate the input when merging', () => {
    const json1 = { a: 1 };
    const merged = evaluateIntrinsic('States.JsonMerge($.x, $.y, false)', {
      input: { x: json1, y: { b: 2 } },
      context: {},
      variables: {},
    });
    expect(merged).toEqual({ a: 1, b: 2 });
    expect(json1).toEqual({ a: 1 });
  });

  it('keeps a "__proto__" key from parsed JSON as plain data', () => {
    const parsed = run('States.StringToJson(\'\\{"__proto__": \\{"polluted": true\\}\\}\')') as Record<string, unknown>;
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('path arguments', () => {
  it('resolves the state input, the context object and variables', () => {
    expect(run('States.Array($)')).toEqual([input]);
    expect(run('States.Array($$.Execution.Id, $$.Execution.Name)')).toEqual([
      'arn:aws:states:us-east-1:123:execution:sm:run-1',
      'run-1',
    ]);
    expect(run('States.Format($greeting)')).toBe('hey');
    expect(run('States.ArrayGetItem($nums, 1)')).toBe(4);
    expect(run('States.MathAdd($cfg.retries, 1)')).toBe(4);
  });

  it("supports indices and bracket notation, including the $.abc.['def ghi'] form", () => {
    expect(run('States.Array($.inputArray[0], $.items[1].id)')).toEqual([1, 'b']);
    expect(run("States.Array($['def ghi'], $.['def ghi'], $[\"name\"])")).toEqual(['spaced', 'spaced', 'Arnav']);
  });

  it('passes null values through', () => {
    expect(run('States.Array($.nothing)')).toEqual([null]);
  });

  it('returns every match of a wildcard, slice or recursive path', () => {
    expect(run('States.Array($.items[*].id)')).toEqual([['a', 'b']]);
    expect(run('States.ArrayLength($.inputArray[0:3])')).toBe(3);
    expect(run('States.Array($..a1)')).toEqual([[1]]);
    expect(run('States.ArrayLength($.missing[*])')).toBe(0);
  });

  it('fails with States.Runtime when a path or variable does not exist', () => {
    expectFailure('States.Array($.missing)', STATES_RUNTIME, /path argument '\$.missing' could not be found/);
    expectFailure('States.Array($.inputArray[99])', STATES_RUNTIME, /could not be found/);
    expectFailure('States.Array($$.Nope)', STATES_RUNTIME, /could not be found/);
    expectFailure('States.Array($undefinedVar)', STATES_RUNTIME, /Variable '\$undefinedVar'.*not defined/);
  });

  it('rejects malformed paths', () => {
    expectFailure('States.Array($.a..)', INTRINSIC_FAILURE, /Empty name/);
    expectFailure('States.Array($.)', INTRINSIC_FAILURE, /Empty name/);
    expectFailure('States.Array($-x)', INTRINSIC_FAILURE, /Invalid path argument/);
  });
});

describe('States.Format', () => {
  it('formats numbers, booleans and null as JSON', () => {
    expect(run("States.Format('{} {} {} {}', 1.5, true, null, 'x')")).toBe('1.5 true null x');
  });

  it('treats escaped braces as text, not placeholders', () => {
    expect(run("States.Format('escaped \\{\\} and {}', $.name)")).toBe('escaped {} and Arnav');
    expect(run("States.Format('\\{{}\\}', 7)")).toBe('{7}');
  });

  it('requires as many values as placeholders', () => {
    expectFailure("States.Format('{} {}', 1)", INTRINSIC_FAILURE, /2 \{\} placeholder\(s\) but 1 value\(s\)/);
    expectFailure("States.Format('none', 1)", INTRINSIC_FAILURE, /0 \{\} placeholder\(s\) but 1 value/);
  });

  it('rejects objects and arrays as values, and a non-string template', () => {
    expectFailure("States.Format('{}', $.json1)", INTRINSIC_FAILURE, /argument 2 \(value\) .* got object/);
    expectFailure("States.Format('{}', $.inputArray)", INTRINSIC_FAILURE, /got array/);
    expectFailure('States.Format(1)', INTRINSIC_FAILURE, /argument 1 \(template\) must be a string, got number/);
  });
});

describe('JSON functions', () => {
  it('States.StringToJson parses any JSON value and rejects invalid JSON', () => {
    expect(run("States.StringToJson('[1,2]')")).toEqual([1, 2]);
    expect(run("States.StringToJson('null')")).toBeNull();
    expectFailure(
      "States.StringToJson('\\{oops')",
      INTRINSIC_FAILURE,
      /States.StringToJson: argument 1 .* not valid JSON/,
    );
    expectFailure('States.StringToJson(1)', INTRINSIC_FAILURE, /must be a string, got number/);
  });

  it('States.JsonToString serializes any value compactly and round-trips', () => {
    expect(run('States.JsonToString($.json1)')).toBe('{"a":{"a1":1,"a2":2},"b":2}');
    expect(run('States.JsonToString(States.Array(1, null))')).toBe('[1,null]');
    expect(run('States.StringToJson(States.JsonToString($.json2))')).toEqual(input.json2);
  });

  it('States.JsonMerge refuses deep merge and non-objects', () => {
    expectFailure('States.JsonMerge($.json1, $.json2, true)', INTRINSIC_FAILURE, /deep merge.*must be false/);
    expectFailure("States.JsonMerge($.json1, $.json2, 'false')", INTRINSIC_FAILURE, /must be a boolean, got string/);
    expectFailure('States.JsonMerge($.inputArray, $.json2, false)', INTRINSIC_FAILURE, /argument 1 .* got array/);
    expectFailure('States.JsonMerge($.json1, null, false)', INTRINSIC_FAILURE, /argument 2 .* got null/);
  });
});

describe('array functions', () => {
  it('States.ArrayPartition handles remainders, empty arrays and rounds the chunk size', () => {
    expect(run('States.ArrayPartition($.inputArray, 9)')).toEqual([input.inputArray]);
    expect(run('States.ArrayPartition(States.Array(), 2)')).toEqual([]);
    expect(run('States.ArrayPartition(States.Array(1,2,3), 1.6)')).toEqual([[1, 2], [3]]);
    expectFailure('States.ArrayPartition($.inputArray, 0)', INTRINSIC_FAILURE, /chunk size\) must be a positive/);
    expectFailure('States.ArrayPartition($.inputArray, -2)', INTRINSIC_FAILURE, /positive integer/);
    expectFailure("States.ArrayPartition('abc', 2)", INTRINSIC_FAILURE, /argument 1 \(array\) must be an array/);
  });

  it('States.ArrayContains compares structurally', () => {
    expect(run('States.ArrayContains($.inputArray, 10)')).toBe(false);
    expect(run('States.ArrayContains($.items, States.StringToJson(\'\\{"id":"b"\\}\'))')).toBe(true);
    expect(run("States.ArrayContains(States.Array(1, '1'), '1')")).toBe(true);
    expect(run("States.ArrayContains(States.Array(1), '1')")).toBe(false);
  });

  it('States.ArrayRange counts up, down, and stops at the end', () => {
    expect(run('States.ArrayRange(9, 1, -3)')).toEqual([9, 6, 3]);
    expect(run('States.ArrayRange(1, 10, 4)')).toEqual([1, 5, 9]);
    expect(run('States.ArrayRange(5, 5, 1)')).toEqual([5]);
    expect(run('States.ArrayRange(5, 1, 1)')).toEqual([]);
    expect(run('States.ArrayRange(0.6, 2.4, 1)')).toEqual([1, 2]);
  });

  it('States.ArrayRange allows 1,000 items and refuses 1,001 without building them', () => {
    expect(run('States.ArrayRange(1, 1000, 1)')).toHaveLength(1000);
    expectFailure('States.ArrayRange(1, 1001, 1)', INTRINSIC_FAILURE, /1001 items; at most 1000/);
    expectFailure('States.ArrayRange(0, 1e15, 1)', INTRINSIC_FAILURE, /at most 1000/);
    expectFailure('States.ArrayRange(1, 9, 0)', INTRINSIC_FAILURE, /step\) must not be zero/);
    expectFailure("States.ArrayRange('1', 9, 1)", INTRINSIC_FAILURE, /argument 1 \(start\) must be a number/);
  });

  it('States.ArrayGetItem refuses bad and out-of-range indices', () => {
    expect(run('States.ArrayGetItem($.inputArray, 0)')).toBe(1);
    expectFailure('States.ArrayGetItem($.inputArray, 9)', INTRINSIC_FAILURE, /out of bounds for an array of length 9/);
    expectFailure('States.ArrayGetItem($.inputArray, -1)', INTRINSIC_FAILURE, /non-negative integer/);
    expectFailure('States.ArrayGetItem($.inputArray, 1.5)', INTRINSIC_FAILURE, /non-negative integer/);
  });

  it('States.ArrayLength and States.ArrayUnique check their argument', () => {
    expect(run('States.ArrayLength(States.Array())')).toBe(0);
    expectFailure('States.ArrayLength($.json1)', INTRINSIC_FAILURE, /States.ArrayLength: argument 1 .* got object/);
    expectFailure('States.ArrayUnique(null)', INTRINSIC_FAILURE, /got null/);
  });

  it('States.ArrayUnique compares objects structurally and keeps first occurrences', () => {
    const unique = evaluateIntrinsic('States.ArrayUnique($.a)', {
      input: { a: [{ x: 1, y: 2 }, { y: 2, x: 1 }, 'x', 1, '1', 'x', [1], [1], null, null] },
      context: {},
      variables: {},
    });
    expect(unique).toEqual([{ x: 1, y: 2 }, 'x', 1, '1', [1], null]);
  });
});

describe('encoding and hashing', () => {
  it('Base64 round-trips UTF-8 text', () => {
    expect(run("States.Base64Encode('héllo ✓')")).toBe(Buffer.from('héllo ✓').toString('base64'));
    expect(run("States.Base64Decode(States.Base64Encode('héllo ✓'))")).toBe('héllo ✓');
    expect(run("States.Base64Encode('')")).toBe('');
  });

  it('Base64Decode rejects malformed input and non-UTF-8 bytes', () => {
    expectFailure("States.Base64Decode('not base64!')", INTRINSIC_FAILURE, /not valid Base64/);
    expectFailure("States.Base64Decode('abc')", INTRINSIC_FAILURE, /not valid Base64/);
    expectFailure("States.Base64Decode('/w==')", INTRINSIC_FAILURE, /does not decode to UTF-8/);
  });

  it('enforces the 10,000 character limit', () => {
    const at = { input: { s: 'a'.repeat(10_000), t: 'a'.repeat(10_001) }, context: {}, variables: {} };
    expect(evaluateIntrinsic('States.Base64Encode($.s)', at)).toHaveLength(13_336);
    expect(evaluateIntrinsic("States.Hash($.s, 'MD5')", at)).toHaveLength(32);
    for (const fn of ['States.Base64Encode($.t)', 'States.Base64Decode($.t)', "States.Hash($.t, 'MD5')"]) {
      const error = thrown(() => evaluateIntrinsic(fn, at));
      expect(error.name).toBe(INTRINSIC_FAILURE);
      expect(error.message).toMatch(/longer than 10,000 characters/);
    }
  });

  it.each([
    ['MD5', 'md5'],
    ['SHA-1', 'sha1'],
    ['SHA-256', 'sha256'],
    ['SHA-384', 'sha384'],
    ['SHA-512', 'sha512'],
  ])('States.Hash supports %s', (algorithm, nodeName) => {
    expect(run(`States.Hash($.Data, '${algorithm}')`)).toBe(createHash(nodeName).update('input data').digest('hex'));
  });

  it('States.Hash refuses unknown algorithms and non-string data', () => {
    expectFailure("States.Hash($.Data, 'sha-1')", INTRINSIC_FAILURE, /must be one of MD5, SHA-1, SHA-256, SHA-384/);
    expectFailure("States.Hash($.Data, 'toString')", INTRINSIC_FAILURE, /must be one of/);
    expectFailure("States.Hash($.json1, 'MD5')", INTRINSIC_FAILURE, /argument 1 \(data\) must be a string, got object/);
  });
});

describe('math', () => {
  it('States.MathRandom draws from [start, end) with the injected source', () => {
    expect(run('States.MathRandom($.start, $.end)', () => 0)).toBe(1);
    expect(run('States.MathRandom($.start, $.end)', () => 0.999999)).toBe(998);
    expect(run('States.MathRandom(10, 20)', () => 0.5)).toBe(15);
  });

  it('States.MathRandom with a seed repeats and ignores the injected source', () => {
    const first = run('States.MathRandom(1, 999, 42)', () => 0);
    expect(run('States.MathRandom(1, 999, 42)', () => 0.9)).toBe(first);
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThan(999);
    const draws = new Set(Array.from({ length: 20 }, (_, seed) => run(`States.MathRandom(0, 1000000, ${seed})`)));
    expect(draws.size).toBeGreaterThan(15);
  });

  it('States.MathRandom without a source still stays in range', () => {
    for (let i = 0; i < 50; i++) {
      const value = run('States.MathRandom(-3, 3)') as number;
      expect(Number.isInteger(value) && value >= -3 && value < 3).toBe(true);
    }
  });

  it('States.MathRandom validates its arguments and the source', () => {
    expectFailure('States.MathRandom(5, 5)', INTRINSIC_FAILURE, /end\) must be greater than start/);
    expectFailure("States.MathRandom(1, 9, 'seed')", INTRINSIC_FAILURE, /argument 3 \(seed\) must be a number/);
    expectFailure('States.MathRandom(1, 9)', INTRINSIC_FAILURE, /outside \[0, 1\)/, () => 1);
  });

  it('States.MathAdd rounds to integers and enforces the 32-bit range', () => {
    expect(run('States.MathAdd(1.4, 2.6)')).toBe(4);
    expect(run('States.MathAdd(2147483647, -2147483648)')).toBe(-1);
    expectFailure('States.MathAdd(2147483648, 0)', INTRINSIC_FAILURE, /first number\) must be between/);
    expectFailure('States.MathAdd(0, -2147483649)', INTRINSIC_FAILURE, /second number\) must be between/);
    expectFailure("States.MathAdd('1', 2)", INTRINSIC_FAILURE, /must be a number, got string/);
  });
});

describe('States.StringSplit', () => {
  it('drops empty pieces and handles a missing delimiter', () => {
    expect(run("States.StringSplit(',,a,,b,', ',')")).toEqual(['a', 'b']);
    expect(run("States.StringSplit(',,,', ',')")).toEqual([]);
    expect(run("States.StringSplit('abc', ',')")).toEqual(['abc']);
    expect(run("States.StringSplit('abc', '')")).toEqual(['abc']);
    expect(run("States.StringSplit('a✓b', '✓')")).toEqual(['a', 'b']);
  });

  it('rejects non-string arguments', () => {
    expectFailure("States.StringSplit(1, ',')", INTRINSIC_FAILURE, /argument 1 \(string\) must be a string/);
    expectFailure("States.StringSplit('a', null)", INTRINSIC_FAILURE, /argument 2 \(delimiter\) must be a string/);
  });
});

describe('States.UUID', () => {
  const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('is deterministic with an injected source', () => {
    expect(run('States.UUID()', () => 0)).toBe('00000000-0000-4000-8000-000000000000');
    expect(run('States.UUID()', () => 0.999)).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(run('States.UUID()', sequence(0.1, 0.5, 0.9))).toMatch(V4);
  });

  it('uses crypto without a source', () => {
    const a = run('States.UUID()');
    expect(a).toMatch(V4);
    expect(run('States.UUID()')).not.toBe(a);
  });
});

describe('registry', () => {
  it('holds exactly the 18 intrinsics of the Amazon States Language', () => {
    expect([...INTRINSIC_FUNCTIONS.keys()].sort()).toEqual([
      'States.Array',
      'States.ArrayContains',
      'States.ArrayGetItem',
      'States.ArrayLength',
      'States.ArrayPartition',
      'States.ArrayRange',
      'States.ArrayUnique',
      'States.Base64Decode',
      'States.Base64Encode',
      'States.Format',
      'States.Hash',
      'States.JsonMerge',
      'States.JsonToString',
      'States.MathAdd',
      'States.MathRandom',
      'States.StringSplit',
      'States.StringToJson',
      'States.UUID',
    ]);
  });
});
