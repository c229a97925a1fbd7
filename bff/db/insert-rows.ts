/**
 * Many rows into one table as compiled SQL text with its parameters: Kysely's builder makes a
 * tree of every value and compiles it again for each statement, which for an import's 10,000
 * invites and mails cost as much as SQLite's insert. The text depends only on the table, its
 * columns, the number of rows and the dialect, so it is made once; on SQLite it repeats, and the
 * driver's statement cache (connect.ts) prepares it once.
 */
import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { dialectOf, type Dialect } from './connect.js';

const statements = new Map<string, string>();

/** `insert into table (columns) values (…), …` for `rows` rows, then `tail` (an `on conflict` clause). */
export function insertStatement(dialect: Dialect, table: keyof Database, columns: readonly string[], rows: number, tail = ''): string {
  const key = `${dialect}\0${table}\0${columns.join(',')}\0${rows}\0${tail}`;
  let text = statements.get(key);
  if (!text) {
    const width = columns.length;
    const placeholder = dialect === 'postgres' ? (n: number) => `$${n + 1}` : () => '?';
    const values = Array.from({ length: rows }, (_, r) => `(${Array.from({ length: width }, (_, c) => placeholder(r * width + c)).join(', ')})`).join(', ');
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${values}${tail ? ` ${tail}` : ''}`;
    statements.set(key, text);
  }
  return text;
}

/**
 * PostgreSQL: `insert into table (columns) select * from unnest($1::type[], …)`, one array a
 * column. A statement of 1,000 rows as VALUES carries 19,000 parameters that the server parses
 * and plans each time (the driver cannot keep the statement prepared); as arrays it carries one
 * a column, and an import's 10,000 invites went in about a quarter faster.
 */
function unnestStatement(table: keyof Database, columns: readonly string[], types: readonly string[], tail = ''): string {
  const key = `unnest\0${table}\0${columns.join(',')}\0${types.join(',')}\0${tail}`;
  let text = statements.get(key);
  if (!text) {
    const arrays = types.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) select * from unnest(${arrays})${tail ? ` ${tail}` : ''}`;
    statements.set(key, text);
  }
  return text;
}

/** Each table's column types (information_schema's udt_name), read once a process: the schema is the migrations', the same in every database. */
const columnTypes = new Map<string, Map<string, string>>();

async function typesOf(db: Kysely<Database>, table: keyof Database, columns: readonly string[]): Promise<string[]> {
  let types = columnTypes.get(table);
  if (!types || columns.some((c) => !types!.has(c))) {
    const { rows } = await sql<{ column_name: string; udt_name: string }>`
      select column_name, udt_name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(db);
    types = new Map(rows.map((r) => [r.column_name, r.udt_name]));
    columnTypes.set(table, types);
  }
  return columns.map((c) => {
    const type = types.get(c);
    if (!type) throw new Error(`insertRows: ${table} has no column ${c}`);
    return type;
  });
}

/**
 * Inserts `rows` (each with every one of `columns`; undefined is written as null), `perStatement`
 * rows a statement: keep rows × columns under SQLite's 32,766 parameters.
 */
export async function insertRows<T extends Record<string, unknown>>(
  db: Kysely<Database> | Transaction<Database>,
  table: keyof Database,
  columns: readonly (keyof T & string)[],
  rows: readonly T[],
  options: { perStatement: number; tail?: string },
): Promise<void> {
  const dialect = dialectOf(db as Kysely<Database>);
  const types = dialect === 'postgres' ? await typesOf(db as Kysely<Database>, table, columns) : null;
  for (let i = 0; i < rows.length; i += options.perStatement) {
    const batch = rows.slice(i, i + options.perStatement);
    if (types) {
      const arrays = columns.map((column) => batch.map((row) => row[column] ?? null));
      await db.executeQuery(CompiledQuery.raw(unnestStatement(table, columns, types, options.tail), arrays));
      continue;
    }
    const params: unknown[] = [];
    for (const row of batch) for (const column of columns) params.push(row[column] ?? null);
    await db.executeQuery(CompiledQuery.raw(insertStatement(dialect, table, columns, batch.length, options.tail), params));
  }
}
