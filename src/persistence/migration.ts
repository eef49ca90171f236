/** One schema step. Versions sort lexically; each is applied in its own transaction and recorded. */
export interface Migration {
  version: string;
  sql: string;
}

export function pendingOf(all: Migration[], applied: Set<string>): Migration[] {
  return all.filter((m) => !applied.has(m.version));
}
