import { RE2JS } from 're2js';

/**
 * The regular-expression engine ajv uses for schema `pattern` and `patternProperties`: RE2 (the
 * linear-time engine Go's regexp package implements, which is what Kratos's schema validator runs),
 * instead of V8's backtracking engine. Identity schemas come from the operator, but the values they
 * test come from anyone who can register: with a backtracking engine one careless pattern such as
 * `^(a+)+$` lets a single registration freeze the process. RE2 has no backreferences or lookaround;
 * a schema using them fails to compile at start-up, as it does in Kratos.
 */
function linearRegExp(pattern: string): { test: (s: string) => boolean } {
  const re = RE2JS.compile(RE2JS.translateRegExp(pattern));
  return { test: (s: string) => re.test(s) };
}

/** ajv's RegExpEngine shape: the function plus the name standalone code would call it by. */
export const regExpEngine = Object.assign(linearRegExp, { code: 'linearRegExp' });
