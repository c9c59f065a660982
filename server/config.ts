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
  /** How often instances look for work queued elsewhere, and tailers for bytes appended elsewhere. */
  pollMs: number;
}

export function loadServerConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    databaseUrl: env["JOBSERV_DATABASE"] ?? "sqlite:./jobserv.db",
    host: env["JOBSERV_HOST"] ?? "127.0.0.1",
    port: Number(env["JOBSERV_PORT"] ?? 8080),
    publicUrl: env["JOBSERV_PUBLIC_URL"] ?? "",
    workerRegistrationSecret: env["JOBSERV_WORKER_SECRET"] ?? "",
    pollMs: Number(env["JOBSERV_POLL_MS"] ?? 250),
    secretsKey: env["JOBSERV_SECRETS_KEY"] ?? "",
    secretsKeyFile: env["JOBSERV_SECRETS_KEY_FILE"] ?? "./jobserv-secrets.key",
    ...overrides,
  };
}
