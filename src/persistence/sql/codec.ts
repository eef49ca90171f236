/*
 * How each dialect hands back the columns whose representation differs: SQLite stores dates as ms
 * integers, booleans as 0/1 and JSON as text; node-postgres returns Date, boolean and parsed JSON. The
 * row mappers in this folder are written once against `Codec`, so both backends produce identical
 * domain objects from the same code.
 */

/** The JavaScript types of one dialect's date, boolean and JSON columns. */
export interface ColumnTypes {
  date: unknown;
  bool: unknown;
  json: unknown;
}

export interface SqliteColumns {
  date: number;
  bool: number;
  json: string;
}

export interface PgColumns {
  date: Date;
  bool: boolean;
  json: unknown;
}

export interface Codec<C extends ColumnTypes> {
  date(v: C['date']): Date;
  dateOrNull(v: C['date'] | null): Date | null;
  bool(v: C['bool']): boolean;
  /** The parsed value; SQL NULL stays null. */
  json(v: C['json'] | null): unknown;
}

export const SQLITE: Codec<SqliteColumns> = {
  date: (v) => new Date(v),
  dateOrNull: (v) => (v == null ? null : new Date(v)),
  bool: (v) => v === 1,
  json: (v) => (v == null ? null : (JSON.parse(v) as unknown)),
};

export const PG: Codec<PgColumns> = {
  date: (v) => v,
  dateOrNull: (v) => v,
  bool: (v) => v,
  json: (v) => v ?? null,
};
