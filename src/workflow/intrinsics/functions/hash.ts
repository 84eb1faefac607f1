import { createHash } from 'node:crypto';
import { argumentError, limitedStringArg, stringArg } from '../arguments.ts';
import type { IntrinsicFunction } from '../function-types.ts';

/** The algorithms States.Hash accepts, mapped to Node's digest names. Names are case-sensitive. */
export const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

export const hashFunctions: Record<string, IntrinsicFunction> = {
  'States.Hash': {
    minArgs: 2,
    maxArgs: 2,
    run(call) {
      const data = limitedStringArg(call, 0, 'data');
      const algorithm = stringArg(call, 1, 'algorithm');
      const digest = Object.hasOwn(HASH_ALGORITHMS, algorithm) ? HASH_ALGORITHMS[algorithm] : undefined;
      if (!digest) {
        throw argumentError(call, 1, 'algorithm', `must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
      }
      return createHash(digest).update(data, 'utf8').digest('hex');
    },
  },
};
