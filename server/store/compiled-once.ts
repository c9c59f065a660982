// Hot queries built and compiled once per store instead of on every call.
// Kysely builds an operation tree, freezes it and compiles it to SQL at each
// execute: for GetBuild's three reads on SQLite that was about half of their
// CPU, though only the bound values differ between calls. A query here is
// built once with a placeholder standing for each named argument, compiled
// once per dialect adapter, and a call binds its values to the parameter
// positions the placeholders took. The SQL text must not depend on the
// values (no IN lists, no optional clauses): such queries stay ordinary.
// A store seen through query plugins (tests' recorders) is served the
// ordinary way, so every plugin sees every query as before. On MariaDB their
// fixed text is executed as a prepared statement (mysql-statements.ts).
import { MysqlAdapter, type CompiledQuery, type Compilable, type Kysely, type QueryResult } from "kysely";
import { prepareOnMysql } from "./mysql-statements.js";
import type { Database } from "./database.js";

/** Stands for argument `key` while the query is built once. */
class Placeholder {
  constructor(readonly key: string) {}
}

type Binding<A> = { arg: keyof A & string } | { value: unknown };

interface Compiled<A, O> { query: CompiledQuery<O>; bindings: Binding<A>[] }

export interface CompiledOnce<A, O> {
  all(db: Kysely<Database>, args: A): Promise<O[]>;
  first(db: Kysely<Database>, args: A): Promise<O | undefined>;
  /** The whole result: for an UPDATE or INSERT, its affected rows and insert id. */
  execute(db: Kysely<Database>, args: A): Promise<QueryResult<O>>;
}

/**
 * `build(db, args)` is called once with placeholders for `args` (typed as the
 * real values so the builder checks them) and again only for a store with
 * plugins. Arguments must be bound as whole values (`where(c, "=", args.x)`).
 */
export function compiledOnce<A extends Record<string, unknown>, O>(build: (db: Kysely<Database>, args: A) => Compilable<O>): CompiledOnce<A, O> {
  const byAdapter = new WeakMap<object, Compiled<A, O>>();

  function compiledFor(db: Kysely<Database>): Compiled<A, O> {
    const adapter = db.getExecutor().adapter;
    let hit = byAdapter.get(adapter);
    if (!hit) {
      const placeholders = new Proxy({}, { get: (_, key) => new Placeholder(String(key)) }) as A;
      const query = build(db, placeholders).compile();
      const bindings = query.parameters.map((p): Binding<A> => (p instanceof Placeholder ? { arg: p.key as keyof A & string } : { value: p }));
      hit = { query, bindings };
      if (adapter instanceof MysqlAdapter) prepareOnMysql(query.sql);
      byAdapter.set(adapter, hit);
    }
    return hit;
  }

  function execute(db: Kysely<Database>, args: A): Promise<QueryResult<O>> {
    if (db.getExecutor().plugins.length > 0) return db.executeQuery(build(db, args));
    const { query, bindings } = compiledFor(db);
    const parameters = bindings.map((b) => ("arg" in b ? args[b.arg] : b.value));
    return db.executeQuery<O>({ ...query, parameters });
  }

  const all = async (db: Kysely<Database>, args: A): Promise<O[]> => (await execute(db, args)).rows;

  return {
    all,
    first: async (db, args) => (await all(db, args))[0],
    execute,
  };
}
