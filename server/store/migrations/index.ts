// The explicit list of migrations, in order. Names sort by time; never rename one.
import type { Migration } from "kysely/migration";
import * as initial from "./2026_11_25_0001_initial.js";

export const migrations: Record<string, Migration> = {
  "2026_11_25_0001_initial": initial,
};
