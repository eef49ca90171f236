import { PortaError } from './errors.js';

/**
 * Bounds on decoded request bodies. Kratos has only its 5 MiB body cap; Porta also bounds what a body
 * may expand into, so that no later step (schema validation, JSON serialisation, hashing, storage) ever
 * sees a value big or deep enough to cost more than linear time or to overflow the stack.
 */
export const INPUT_LIMITS = {
  /** Characters of one string value: far above any real trait, password or token, far below 1 MiB. */
  maxValueLength: 64 * 1024,
  /** Characters of one key (a dotted form key counts whole). */
  maxKeyLength: 1024,
  /** Nesting of objects and arrays, and segments of a dotted form key. */
  maxDepth: 32,
  /** Keys, values and array elements of one body, counted together. */
  maxFields: 1000,
} as const;

/**
 * A body beyond INPUT_LIMITS. Flows answer it with this 400 as it is, without writing it into the
 * flow: a hostile request must not be able to change or grow stored state.
 */
export class InputLimitError extends PortaError {
  constructor(reason: string) {
    super(400, { reason });
  }
}

/**
 * Walks a decoded JSON value iteratively (no recursion, so no stack to overflow) and throws
 * InputLimitError at the first bound it crosses. `depthOfKey` lets form bodies count dotted keys as depth.
 */
export function checkInputLimits(value: unknown, depthOfKey: (key: string) => number = () => 1): void {
  const L = INPUT_LIMITS;
  let fields = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (++fields > L.maxFields) throw new InputLimitError(`The request body has more than ${L.maxFields} fields.`);
    if (typeof v === 'string') {
      if (v.length > L.maxValueLength) throw new InputLimitError(`A value in the request body is longer than ${L.maxValueLength} characters.`);
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      if (depth + 1 > L.maxDepth) throw new InputLimitError(`The request body is nested deeper than ${L.maxDepth} levels.`);
      if (v.length > L.maxFields) throw new InputLimitError(`The request body has more than ${L.maxFields} fields.`);
      for (const item of v) stack.push([item, depth + 1]);
      continue;
    }
    for (const [k, child] of Object.entries(v)) {
      if (k.length > L.maxKeyLength) throw new InputLimitError(`A key in the request body is longer than ${L.maxKeyLength} characters.`);
      const d = depth + depthOfKey(k);
      if (d > L.maxDepth) throw new InputLimitError(`The request body is nested deeper than ${L.maxDepth} levels.`);
      stack.push([child, d]);
    }
  }
}
