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
  /** 1: anyone may read it without a token. */
  public: ColumnType<number, number | undefined, number>;
  /** Retention: keep the newest N builds / builds younger than D days (0: no limit). */
  keep_builds: ColumnType<number, number | undefined, number>;
  keep_days: ColumnType<number, number | undefined, number>;
  /** 1: builds run strictly one at a time (JobServ's synchronous_builds). */
  synchronous_builds: ColumnType<number, number | undefined, number>;
  /** JSON array of the trigger names in definition order, written with the trigger rows; NULL on older rows. */
  trigger_names: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** The project YAML the build was created from (null for builds older than this column). */
  definition_yaml: string | null;
  created_at: number;
  completed_at: number | null;
  /** Release name once promoted ("" before). */
  name: ColumnType<string, string | undefined, string>;
  annotation: ColumnType<string | null, string | null | undefined, string | null>;
  /** The type of the trigger the build was created by ("" for builds older than this column). */
  trigger_type: ColumnType<string, string | undefined, string>;
  /** Copied to its runs (and to runs chained into it); synchronous projects rank their builds by it. */
  queue_priority: ColumnType<number, number | undefined, number>;
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
  /** simple, github_pr, gitlab_mr or git_poller (after a chained trigger's upgrade). */
  trigger_type: ColumnType<string, string | undefined, string>;
  /** The trigger's secrets when the run was created (SecretCipher ciphertext, "" for none). */
  secrets_enc: string;
  /** Generated: -queue_priority, so the claim reads the queue in ascending index order. */
  queue_rank: ColumnType<number, never, never>;
  /** 0 when the run has no chained run-level triggers (passing skips the check); 1 = check. */
  run_triggers: ColumnType<number, number | undefined, number>;
  log_size: number;
  /** 0, or PASSED/FAILED as the worker reported while tests driven from outside were still open (the run stays RUNNING). */
  worker_done: ColumnType<number, number | undefined, number>;
  /** The image the worker resolved for the run (repo@sha256:...); "" until reported. */
  image_digest: ColumnType<string, string | undefined, string>;
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
  /** 1: created from outside (test API); a worker's own report replaces only tests with 0. */
  external: ColumnType<number, number | undefined, number>;
}

export interface TestResultsTable {
  id: Generated<number>;
  test_id: number;
  name: string;
  context: string;
  status: number;
  output: string;
}

/** A file a run uploaded from /archive; its bytes are in artifact storage. */
export interface ArtifactsTable {
  run_id: number;
  path: string;
  size: number;
  created_at: number;
  /** An external build's artifact: the file is at this URL, not in storage. */
  link_url: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** JSON array: the only reported tags it may claim runs for; [] = no restriction. */
  allowed_host_tags: ColumnType<string, string | undefined, string>;
  /** Bytes; as of the last registration. */
  disk_free: ColumnType<number, number | undefined, number>;
  mem_free: ColumnType<number, number | undefined, number>;
  /** 1-minute load average. */
  load_avg: ColumnType<number, number | undefined, number>;
  /** 1: takes runs only while one of its host tags is in surge. */
  surges_only: ColumnType<number, number | undefined, number>;
  /** When disk_free (and mem_free, load_avg) were reported (ms; 0 = never). */
  facts_at: ColumnType<number, number | undefined, number>;
  /** Bytes of free disk below which the worker wants no new runs (its own setting); 0 = the server's. */
  disk_threshold: ColumnType<number, number | undefined, number>;
  /** When a write its Pull streams must follow (enlisted, tags, free disk, surge-only) last changed the row (ms). */
  changed_at: ColumnType<number, number | undefined, number>;
  /** The instance holding its Pull stream (its heartbeat keeps the worker alive), or null. */
  held_by: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A server instance's heartbeat: the workers it holds are alive while it is fresh. */
export interface InstancesTable {
  id: string;
  heartbeat_at: number;
}

/** A deleted worker, kept a while so other instances' lease sweeps close its streams. */
export interface WorkerDeletionsTable {
  name: string;
  deleted_at: number;
}

/** A host tag in surge: queued runs exceeded what its regular workers take, since `started_at`. */
export interface SurgesTable {
  host_tag: string;
  started_at: number;
  /** Queued runs and regular capacity when last evaluated (for operators). */
  queued: number;
  capacity: number;
}

/** A forge delivery already handled (`<forge>:<delivery id>`): a redelivery creates nothing. */
export interface WebhookDeliveriesTable {
  delivery_key: string;
  project_id: number;
  created_at: number;
}

/** The git poller's last-seen SHA of one ref of one URL of one git_poller trigger. */
export interface PollerRefsTable {
  project_id: number;
  ref_key: string;
  trigger_name: string;
  url: string;
  ref: string;
  sha: string;
  updated_at: number;
}

/** A named lease: `holder` acts alone until `expires_at` (ms) unless it renews. */
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface LogChunksTable {
  run_id: number;
  start_offset: number;
  end_offset: number;
  data: Uint8Array;
  /** 1: a marker; bytes [start_offset, end_offset) are in artifact storage (`data` is empty). */
  archived: ColumnType<number, number | undefined, number>;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  /** sha256 of the bearer secret. */
  token_hash: string;
  /** jobserv.v1.Scope number. */
  scope: number;
  /** JSON array of project names; [] means all projects. */
  projects: string;
  created_at: number;
  revoked_at: number | null;
}

/** A browser session (a cookie made from an API token at /login); see auth/sessions.ts. */
export interface BrowserSessionsTable {
  id: Generated<number>;
  /** sha256 of the cookie's secret. */
  secret_hash: string;
  token_id: number;
  created_at: number;
  expires_at: number;
}

export interface Database {
  api_tokens: ApiTokensTable;
  projects: ProjectsTable;
  project_triggers: ProjectTriggersTable;
  builds: BuildsTable;
  build_events: BuildEventsTable;
  runs: RunsTable;
  run_events: RunEventsTable;
  tests: TestsTable;
  test_results: TestResultsTable;
  workers: WorkersTable;
  worker_deletions: WorkerDeletionsTable;
  instances: InstancesTable;
  log_chunks: LogChunksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  poller_refs: PollerRefsTable;
  named_leases: LeasesTable;
  artifacts: ArtifactsTable;
  browser_sessions: BrowserSessionsTable;
  surges: SurgesTable;
}

export type ProjectRow = Selectable<ProjectsTable>;
export type BuildRow = Selectable<BuildsTable>;
export type RunRow = Selectable<RunsTable>;
/** A run without its definition and secrets (kilobytes each): what a worker's call on its run reads (store/runs.ts findWorkerRun). */
export type WorkerRunRow = Omit<RunRow, "definition_json" | "secrets_enc">;

/** What an API answer shows of a build: never its definition YAML (a whole project file per build). */
export const BUILD_SUMMARY_COLUMNS = [
  "id", "project_id", "number", "status", "trigger_name", "trigger_type", "reason", "params_json", "created_at", "completed_at", "name", "annotation", "queue_priority",
] as const satisfies readonly (keyof BuildsTable)[];
export type BuildSummaryRow = Pick<BuildRow, (typeof BUILD_SUMMARY_COLUMNS)[number]>;

/** What an API answer shows of a run: never its secrets or token hash. */
export const RUN_SUMMARY_COLUMNS = [
  "id", "build_id", "name", "status", "status_message", "host_tag", "queue_priority", "worker_name", "log_size", "image_digest",
  "definition_json", "created_at", "started_at", "completed_at",
] as const satisfies readonly (keyof RunsTable)[];
export type RunSummaryRow = Pick<RunRow, (typeof RUN_SUMMARY_COLUMNS)[number]>;
export type NewRun = Insertable<RunsTable>;
export type WorkerRow = Selectable<WorkersTable>;
export type ArtifactRow = Selectable<ArtifactsTable>;
export type TestRow = Selectable<TestsTable>;
export type TestResultRow = Selectable<TestResultsTable>;
