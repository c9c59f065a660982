// Server configuration: the only place that reads the environment. Values are
// checked here (common/env-values.ts): a bad one stops the start with its name.
import { ConfigError, EnvReader, withoutCredentials } from "../common/env-values.js";

export interface ServerConfig {
  /** `sqlite:<file>` or `mysql://user:pass@host:port/db`. */
  databaseUrl: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Base URL clients and workers use to reach the API (for H_RUN_URL etc.); defaults to the listen address. */
  publicUrl: string;
  /** Workers presenting this at registration are enlisted at once; empty: never automatically. */
  workerRegistrationSecret: string;
  /** Base64 of 32 bytes; encrypts secrets at rest. Empty: use (or create) `secretsKeyFile`. */
  secretsKey: string;
  secretsKeyFile: string;
  /** An admin API token created (by its hash) at start if absent: the first way in. Empty: none. */
  adminToken: string;
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  logLevel: string;
  /** How often instances look for work queued elsewhere, and tailers for bytes appended elsewhere. */
  pollMs: number;
  /** Idle time after which a watch stream (WatchBuild, WatchBuilds) gets a ping. */
  watchPingMs: number;
  /** A worker silent this long loses its runs (FAILED, or QUEUED again if never acknowledged). */
  workerLeaseMs: number;
  /**
   * How often each open Pull stream gets a keep-alive Ping, so proxies in front do not cut it as idle
   * (their timeouts: 30-60 s). 20 s: each Ping is a stream write at Node's own cost, 50 000 streams
   * pinged every 15 s took 4.7-5.3 % of a core (server/README.md).
   */
  workerPingMs: number;
  /** An assignment not acknowledged this long goes back to the queue. */
  assignmentAckMs: number;
  /** Forge API base URLs (GitHub Enterprise: https://host/api/v3; self-hosted GitLab: https://host/api/v4). */
  githubApi: string;
  gitlabApi: string;
  /** Largest accepted webhook body (GitHub's own maximum is 25 MiB). */
  webhookMaxBytes: number;
  /** RPC request bodies: bytes per call (AppendLog and ReportTests: `rpcLogMaxBytes`), from callers without credentials, and how long a started body may send nothing. */
  rpcMaxBytes: number;
  rpcLogMaxBytes: number;
  rpcAnonymousMaxBytes: number;
  rpcBodyIdleMs: number;
  /** Default interval of git_poller triggers (a trigger's GIT_POLL_INTERVAL param, in seconds, overrides it). */
  gitPollIntervalMs: number;
  /** First back-off of retried outbound calls (commit statuses, notifications); doubles per attempt. */
  forgeRetryMs: number;
  /** `smtp://user:pass@host:587` or `smtps://...`; empty disables build emails. */
  smtpUrl: string;
  mailFrom: string;
  /** Folder of the local artifact storage (runs' /archive files). */
  artifactsDir: string;
  /** Upload limits: bytes per artifact file and per run. */
  artifactMaxFileBytes: number;
  artifactMaxRunBytes: number;
  /** S3-compatible artifact storage: a bucket name selects it instead of `artifactsDir`. */
  s3Bucket: string;
  /** Key prefix inside the bucket (e.g. "jobserv/"). */
  s3Prefix: string;
  /** An S3-compatible store's URL (MinIO, Ceph, R2...); empty for AWS S3. */
  s3Endpoint: string;
  s3Region: string;
  /** Bucket in the URL path instead of the host name (most S3-compatible stores). */
  s3PathStyle: boolean;
  /** > 0: artifact downloads answer 302 to a presigned URL valid this long; 0: bytes stream through the server. */
  s3PresignSeconds: number;
  /** Fixed S3 credentials (tests); absent: the AWS SDK's chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, roles). */
  s3Credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Move completed runs' console logs from the store into artifact storage. */
  logArchive: boolean;
  /** How long after completion a log moves (late notes land first; the sweep also catches runs other instances missed). */
  logArchiveDelayMs: number;
  /** PEM files: with both set the port speaks TLS only (ALPN: h2 or http/1.1). */
  tlsCertFile: string;
  tlsKeyFile: string;
  /** "auto": apply pending store migrations at start; "off": refuse to start while any are pending (run `jobserv migrate`). */
  migrate: "auto" | "off";
  /** Give up waiting for an unreachable store at start after this long (0: wait for ever). */
  storeWaitMs: number;
  /** On SIGTERM: report NOT_SERVING (health watches, /readyz 503) this long before the port closes. */
  drainDelayMs: number;
  /** How long a browser session (a cookie made from an API token at /login) lasts. */
  sessionTtlMs: number;
  /** How often the retention job applies projects' policies (one instance at a time). */
  retentionIntervalMs: number;
  /** Disk guard: a worker reporting less free disk gets no new runs (JobServ's 30 GB), unless it sets its own threshold. */
  workerDiskMinFreeBytes: number;
  /** Surges: queued runs per regular worker slot before surge-only workers help (JobServ's SURGE_SUPPORT_RATIO). */
  surgeRatio: number;
  /** How often surges are evaluated, and how long one lasts at least. */
  surgeCheckMs: number;
  surgeHoldMs: number;
  /** Comma-separated addresses told when a surge starts and ends (needs smtpUrl); empty: none. */
  surgeNotifyEmail: string;
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** `sqlite:<file>` or `mysql://user:pass@host:port/db`; anything else names JOBSERV_DATABASE (password hidden). */
function databaseUrl(env: EnvReader): string {
  const url = env.string("JOBSERV_DATABASE", "sqlite:./jobserv.db");
  if (/^sqlite:./.test(url)) return url;
  if (url.startsWith("mysql://") && URL.canParse(url) && new URL(url).hostname) return url;
  throw new ConfigError(`JOBSERV_DATABASE=${JSON.stringify(withoutCredentials(url))}: expected sqlite:<file> or mysql://user:pass@host:3306/db`);
}

/** Empty (no email), or an smtp:// or smtps:// URL. */
function smtpUrl(env: EnvReader): string {
  const url = env.string("JOBSERV_SMTP_URL", "");
  if (url === "" || /^smtps?:\/\/[^/]/.test(url)) return url;
  throw new ConfigError(`JOBSERV_SMTP_URL=${JSON.stringify(withoutCredentials(url))}: expected smtp://user:pass@host:587 or smtps://...`);
}

/** The configuration from `env`; a malformed value throws ConfigError naming the variable and value. */
export function loadServerConfig(environment: NodeJS.ProcessEnv = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const env = new EnvReader(environment);
  const s3Bucket = env.string("JOBSERV_S3_BUCKET", "");
  const s3Endpoint = env.httpUrl("JOBSERV_S3_ENDPOINT", "", true);
  return {
    databaseUrl: databaseUrl(env),
    host: env.string("JOBSERV_HOST", "127.0.0.1"),
    port: env.port("JOBSERV_PORT", 8080),
    publicUrl: env.httpUrl("JOBSERV_PUBLIC_URL", "", true),
    workerRegistrationSecret: env.string("JOBSERV_WORKER_SECRET", ""),
    pollMs: env.durationMs("JOBSERV_POLL_MS", 250),
    watchPingMs: 15_000,
    workerLeaseMs: env.durationMs("JOBSERV_WORKER_LEASE_MS", 30_000),
    workerPingMs: env.durationMs("JOBSERV_WORKER_PING_MS", 20_000),
    assignmentAckMs: env.durationMs("JOBSERV_ASSIGNMENT_ACK_MS", 15_000),
    githubApi: env.httpUrl("JOBSERV_GITHUB_API", "https://api.github.com"),
    gitlabApi: env.httpUrl("JOBSERV_GITLAB_API", "https://gitlab.com/api/v4"),
    webhookMaxBytes: env.bytes("JOBSERV_WEBHOOK_MAX_BYTES", 25 * 1024 * 1024),
    rpcMaxBytes: env.bytes("JOBSERV_RPC_MAX_BYTES", 4 * 1024 * 1024),
    rpcLogMaxBytes: env.bytes("JOBSERV_RPC_LOG_MAX_BYTES", 16 * 1024 * 1024),
    rpcAnonymousMaxBytes: 64 * 1024,
    rpcBodyIdleMs: env.durationMs("JOBSERV_RPC_BODY_IDLE_MS", 30_000),
    gitPollIntervalMs: env.durationMs("JOBSERV_GIT_POLL_INTERVAL_MS", 90_000),
    forgeRetryMs: env.durationMs("JOBSERV_FORGE_RETRY_MS", 1000),
    smtpUrl: smtpUrl(env),
    mailFrom: env.string("JOBSERV_MAIL_FROM", "jobserv@localhost"),
    artifactsDir: env.string("JOBSERV_ARTIFACTS_DIR", "./jobserv-artifacts"),
    artifactMaxFileBytes: env.bytes("JOBSERV_ARTIFACT_MAX_FILE_BYTES", 2 ** 30),
    artifactMaxRunBytes: env.bytes("JOBSERV_ARTIFACT_MAX_RUN_BYTES", 5 * 2 ** 30),
    sessionTtlMs: env.durationMs("JOBSERV_SESSION_TTL_MS", 7 * 24 * 3600_000),
    retentionIntervalMs: env.durationMs("JOBSERV_RETENTION_INTERVAL_MS", 3600_000),
    secretsKey: env.string("JOBSERV_SECRETS_KEY", ""),
    secretsKeyFile: env.string("JOBSERV_SECRETS_KEY_FILE", "./jobserv-secrets.key"),
    adminToken: env.string("JOBSERV_ADMIN_TOKEN", ""),
    logLevel: env.oneOf("JOBSERV_LOG_LEVEL", LOG_LEVELS, "info"),
    s3Bucket,
    s3Prefix: env.string("JOBSERV_S3_PREFIX", ""),
    s3Endpoint,
    s3Region: env.raw("JOBSERV_S3_REGION") || env.raw("AWS_REGION") || "us-east-1",
    s3PathStyle: env.flag("JOBSERV_S3_PATH_STYLE", Boolean(s3Endpoint)),
    s3PresignSeconds: env.integer("JOBSERV_S3_PRESIGN_SECONDS", 0, { min: 0 }, "a number of seconds"),
    logArchive: env.flag("JOBSERV_LOG_ARCHIVE", Boolean(s3Bucket || overrides.s3Bucket)),
    logArchiveDelayMs: env.durationMs("JOBSERV_LOG_ARCHIVE_DELAY_MS", 10_000, 0),
    tlsCertFile: env.string("JOBSERV_TLS_CERT_FILE", ""),
    tlsKeyFile: env.string("JOBSERV_TLS_KEY_FILE", ""),
    migrate: env.oneOf("JOBSERV_MIGRATE", ["auto", "off"] as const, "auto"),
    storeWaitMs: env.durationMs("JOBSERV_STORE_WAIT_MS", 0, 0),
    drainDelayMs: env.durationMs("JOBSERV_DRAIN_DELAY_MS", 0, 0),
    workerDiskMinFreeBytes: env.integer("JOBSERV_WORKER_DISK_MIN_FREE_BYTES", 30e9, { min: 0 }, "a number of bytes (0: no disk guard)"),
    surgeRatio: env.integer("JOBSERV_SURGE_SUPPORT_RATIO", 3, { min: 1 }, "a number of runs per worker slot"),
    surgeCheckMs: env.durationMs("JOBSERV_SURGE_CHECK_MS", 10_000),
    surgeHoldMs: env.durationMs("JOBSERV_SURGE_HOLD_MS", 5 * 60_000, 0),
    surgeNotifyEmail: env.string("JOBSERV_SURGE_NOTIFY_EMAIL", ""),
    ...overrides,
  };
}
