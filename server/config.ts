// Server configuration: the only place that reads the environment.
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
  /** A worker silent this long loses its runs (FAILED, or QUEUED again if never acknowledged). */
  workerLeaseMs: number;
  /** An assignment not acknowledged this long goes back to the queue. */
  assignmentAckMs: number;
  /** Forge API base URLs (GitHub Enterprise: https://host/api/v3; self-hosted GitLab: https://host/api/v4). */
  githubApi: string;
  gitlabApi: string;
  /** Largest accepted webhook body (GitHub's own maximum is 25 MiB). */
  webhookMaxBytes: number;
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
}

export function loadServerConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    databaseUrl: env["JOBSERV_DATABASE"] ?? "sqlite:./jobserv.db",
    host: env["JOBSERV_HOST"] ?? "127.0.0.1",
    port: Number(env["JOBSERV_PORT"] ?? 8080),
    publicUrl: env["JOBSERV_PUBLIC_URL"] ?? "",
    workerRegistrationSecret: env["JOBSERV_WORKER_SECRET"] ?? "",
    pollMs: Number(env["JOBSERV_POLL_MS"] ?? 250),
    workerLeaseMs: Number(env["JOBSERV_WORKER_LEASE_MS"] ?? 30_000),
    assignmentAckMs: Number(env["JOBSERV_ASSIGNMENT_ACK_MS"] ?? 15_000),
    githubApi: env["JOBSERV_GITHUB_API"] ?? "https://api.github.com",
    gitlabApi: env["JOBSERV_GITLAB_API"] ?? "https://gitlab.com/api/v4",
    webhookMaxBytes: Number(env["JOBSERV_WEBHOOK_MAX_BYTES"] ?? 25 * 1024 * 1024),
    gitPollIntervalMs: Number(env["JOBSERV_GIT_POLL_INTERVAL_MS"] ?? 90_000),
    forgeRetryMs: Number(env["JOBSERV_FORGE_RETRY_MS"] ?? 1000),
    smtpUrl: env["JOBSERV_SMTP_URL"] ?? "",
    mailFrom: env["JOBSERV_MAIL_FROM"] ?? "jobserv@localhost",
    artifactsDir: env["JOBSERV_ARTIFACTS_DIR"] ?? "./jobserv-artifacts",
    artifactMaxFileBytes: Number(env["JOBSERV_ARTIFACT_MAX_FILE_BYTES"] ?? 2 ** 30),
    artifactMaxRunBytes: Number(env["JOBSERV_ARTIFACT_MAX_RUN_BYTES"] ?? 5 * 2 ** 30),
    secretsKey: env["JOBSERV_SECRETS_KEY"] ?? "",
    secretsKeyFile: env["JOBSERV_SECRETS_KEY_FILE"] ?? "./jobserv-secrets.key",
    adminToken: env["JOBSERV_ADMIN_TOKEN"] ?? "",
    logLevel: env["JOBSERV_LOG_LEVEL"] ?? "info",
    ...overrides,
  };
}
