type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Merges `over` into a copy of `base`: objects merge key by key, anything else (arrays too) replaces. */
export function deepMerge<T extends Json>(base: T, over: Json): T {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Json, v) : v;
  return out as T;
}
