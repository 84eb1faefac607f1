import { argumentError, limitedStringArg } from '../arguments.ts';
import type { IntrinsicFunction } from '../function-types.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export const encodingFunctions: Record<string, IntrinsicFunction> = {
  'States.Base64Encode': {
    minArgs: 1,
    maxArgs: 1,
    run: (call) => Buffer.from(limitedStringArg(call, 0, 'data'), 'utf8').toString('base64'),
  },

  'States.Base64Decode': {
    minArgs: 1,
    maxArgs: 1,
    run(call) {
      const encoded = limitedStringArg(call, 0, 'base64 data');
      if (!BASE64.test(encoded)) throw argumentError(call, 0, 'base64 data', 'is not valid Base64');
      try {
        return UTF8.decode(Buffer.from(encoded, 'base64'));
      } catch {
        throw argumentError(call, 0, 'base64 data', 'does not decode to UTF-8 text');
      }
    },
  },
};
