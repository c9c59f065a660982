// The store's schema as Kysely types: one interface per table, assembled into
// `Database`. Times are integers (milliseconds since the epoch) so both
// dialects store and compare them the same way; statuses are the numbers of
// `jobserv.v1.Status` (JobServ's own numbering).
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  definition_yaml: string;
  last_build_number: ColumnType<number, number | undefined, number>;
  created_at: number;
  updated_at: number;
}

export interface ProjectTriggersTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  type: string;
  /** The trigger's secrets: a SecretCipher ciphertext of their JSON, "" for none. */
  secrets_enc: string;
  queue_priority: number;
}

export interface BuildsTable {
  id: Generated<number>;
  project_id: number;
  number: number;
  status: number;
  trigger_name: string;
  reason: string;
  params_json: string;
  created_at: number;
  completed_at: number | null;
}

export interface BuildEventsTable {
  id: Generated<number>;
  build_id: number;
  status: number;
  time: number;
}

export interface RunsTable {
  id: Generated<number>;
  build_id: number;
  name: string;
  status: number;
  status_message: string;
  host_tag: string;
  queue_priority: number;
  worker_name: string | null;
  /** sha256 of the run token handed out with the assignment. */
  token_hash: string | null;
  /** 1 once the worker confirmed it started the run. */
  acked: number;
  /** The RunDefinition as proto JSON; `run_id` and `env.H_*` filled at creation. */
  definition_json: string;
  /** The trigger's secrets when the run was created (SecretCipher ciphertext, "" for none). */
  secrets_enc: string;
  log_size: number;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
}

export interface RunEventsTable {
  id: Generated<number>;
  run_id: number;
  status: number;
  worker_name: string | null;
  message: string;
  time: number;
}

export interface TestsTable {
  id: Generated<number>;
  run_id: number;
  name: string;
  context: string;
  status: number;
  created_at: number;
}

export interface TestResultsTable {
  id: Generated<number>;
  test_id: number;
  name: string;
  context: string;
  status: number;
  output: string;
}

export interface WorkersTable {
  name: string;
  token_hash: string;
  enlisted: number;
  /** JSON array of tags. */
  host_tags: string;
  concurrency: number;
  distro: string;
  cpu_type: string;
  cpu_total: number;
  mem_total: number;
  version: string;
  last_seen: number;
  created_at: number;
}

export interface LogChunksTable {
  run_id: number;
  start_offset: number;
  end_offset: number;
  data: Uint8Array;
}

export interface Database {
  projects: ProjectsTable;
  project_triggers: ProjectTriggersTable;
  builds: BuildsTable;
  build_events: BuildEventsTable;
  runs: RunsTable;
  run_events: RunEventsTable;
  tests: TestsTable;
  test_results: TestResultsTable;
  workers: WorkersTable;
  log_chunks: LogChunksTable;
}

export type ProjectRow = Selectable<ProjectsTable>;
export type BuildRow = Selectable<BuildsTable>;
export type RunRow = Selectable<RunsTable>;
export type NewRun = Insertable<RunsTable>;
export type WorkerRow = Selectable<WorkersTable>;
