// Store failures made visible to operators: every statement that fails and
// every connection that cannot be had (e.g. MariaDB is down, which fails
// before any statement runs) are reported once to `onError` (the
// jobserv_store_errors_total counter). Nothing else changes: errors still
// propagate to the caller.
import type { DatabaseConnection, Dialect, Driver, LogConfig } from "kysely";

export type StoreErrorListener = (e: unknown) => void;

/** `dialect` whose driver reports failed connection acquisitions. */
export function reportingConnectionErrors(dialect: Dialect, onError: StoreErrorListener): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => reportingDriver(dialect.createDriver(), onError),
  };
}

function reportingDriver(driver: Driver, onError: StoreErrorListener): Driver {
  return new Proxy(driver, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop !== "acquireConnection") return value.bind(target);
      return async (...args: unknown[]): Promise<DatabaseConnection> => {
        try {
          return await (value as (...a: unknown[]) => Promise<DatabaseConnection>).apply(target, args);
        } catch (e) {
          onError(e);
          throw e;
        }
      };
    },
  });
}

/** Kysely's `log` option reporting every failed statement. */
export function reportingQueryErrors(onError: StoreErrorListener): LogConfig {
  return (event) => {
    if (event.level === "error") onError(event.error);
  };
}
