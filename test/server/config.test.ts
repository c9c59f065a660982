// Server configuration is checked when it is read: a malformed number,
// duration, port, URL, dialect or level stops the start with an error naming
// the variable and the value (a password in a database URL is hidden), and
// well-formed values come through as typed settings.
import test from "ava";
import { ConfigError } from "../../common/env-values.js";
import { loadServerConfig } from "../../server/config.js";

const refused = test.macro({
  exec(t, env: Record<string, string>, message: string) {
    const e = t.throws(() => loadServerConfig(env), { instanceOf: ConfigError });
    t.is(e?.message, message);
  },
  title: (given, env: Record<string, string>) => given ?? `refused: ${JSON.stringify(env)}`,
});

test(refused, { JOBSERV_PORT: "80a" }, 'JOBSERV_PORT="80a": expected a port number from 0 to 65535');
test(refused, { JOBSERV_PORT: "" }, 'JOBSERV_PORT="": expected a port number from 0 to 65535');
test(refused, { JOBSERV_PORT: "70000" }, 'JOBSERV_PORT="70000": expected a port number from 0 to 65535');
test(refused, { JOBSERV_WORKER_LEASE_MS: "" }, 'JOBSERV_WORKER_LEASE_MS="": expected a number of milliseconds of at least 1');
test(refused, { JOBSERV_WORKER_LEASE_MS: "0" }, 'JOBSERV_WORKER_LEASE_MS="0": expected a number of milliseconds of at least 1');
test(refused, { JOBSERV_WORKER_PING_MS: "0" }, 'JOBSERV_WORKER_PING_MS="0": expected a number of milliseconds of at least 1');
test(refused, { JOBSERV_POLL_MS: "1.5" }, 'JOBSERV_POLL_MS="1.5": expected a number of milliseconds of at least 1');
test(refused, { JOBSERV_ASSIGNMENT_ACK_MS: "15s" }, 'JOBSERV_ASSIGNMENT_ACK_MS="15s": expected a number of milliseconds of at least 1');
test(refused, { JOBSERV_WEBHOOK_MAX_BYTES: "1M" }, 'JOBSERV_WEBHOOK_MAX_BYTES="1M": expected a number of bytes of at least 1');
test(refused, { JOBSERV_DATABASE: "postgres://u:hunter2@db/jobserv" }, 'JOBSERV_DATABASE="postgres://***@db/jobserv": expected sqlite:<file> or mysql://user:pass@host:3306/db');
test(refused, { JOBSERV_DATABASE: "./jobserv.db" }, 'JOBSERV_DATABASE="./jobserv.db": expected sqlite:<file> or mysql://user:pass@host:3306/db');
test(refused, { JOBSERV_PUBLIC_URL: "ci.example.com" }, 'JOBSERV_PUBLIC_URL="ci.example.com": expected a URL with its scheme, e.g. http://host:8080');
test(refused, { JOBSERV_GITHUB_API: "ftp://api.example.com" }, 'JOBSERV_GITHUB_API="ftp://api.example.com": unknown protocol ftp: expected http or https');
test(refused, { JOBSERV_LOG_LEVEL: "verbose" }, 'JOBSERV_LOG_LEVEL="verbose": expected one of trace, debug, info, warn, error, fatal, silent');
test(refused, { JOBSERV_S3_PATH_STYLE: "maybe" }, 'JOBSERV_S3_PATH_STYLE="maybe": expected 1/true/yes/on or 0/false/no/off');
test(refused, { JOBSERV_MIGRATE: "sometimes" }, 'JOBSERV_MIGRATE="sometimes": expected one of auto, off');
test(refused, { JOBSERV_S3_PRESIGN_SECONDS: "-1" }, 'JOBSERV_S3_PRESIGN_SECONDS="-1": expected a number of seconds of at least 0');
test(refused, { JOBSERV_S3_ENDPOINT: "minio:9000" }, 'JOBSERV_S3_ENDPOINT="minio:9000": expected a URL with its scheme, e.g. http://host:8080');
test(refused, { JOBSERV_SMTP_URL: "mail.example.com:25" }, 'JOBSERV_SMTP_URL="mail.example.com:25": expected smtp://user:pass@host:587 or smtps://...');

test("defaults without any variable", (t) => {
  t.like(loadServerConfig({}), {
    databaseUrl: "sqlite:./jobserv.db", host: "127.0.0.1", port: 8080, publicUrl: "", workerLeaseMs: 30_000,
    assignmentAckMs: 15_000, workerPingMs: 20_000, pollMs: 250, logLevel: "info", githubApi: "https://api.github.com", smtpUrl: "",
  });
});

test("well-formed values are typed; a trailing slash of a URL is dropped", (t) => {
  t.like(loadServerConfig({
    JOBSERV_DATABASE: "mysql://u:p@db:3306/jobserv", JOBSERV_PORT: "0", JOBSERV_WORKER_LEASE_MS: " 5000 ",
    JOBSERV_PUBLIC_URL: "https://ci.example.com/", JOBSERV_LOG_LEVEL: "debug", JOBSERV_ARTIFACT_MAX_RUN_BYTES: "1024",
    JOBSERV_SMTP_URL: "smtps://u:p@mail:465", JOBSERV_WORKER_PING_MS: "10000",
  }), {
    databaseUrl: "mysql://u:p@db:3306/jobserv", port: 0, workerLeaseMs: 5000, publicUrl: "https://ci.example.com",
    logLevel: "debug", artifactMaxRunBytes: 1024, smtpUrl: "smtps://u:p@mail:465", workerPingMs: 10_000,
  });
});

test("overrides (tests, jobserv dev) win over the environment", (t) => {
  t.like(loadServerConfig({ JOBSERV_PORT: "9000" }, { port: 0 }), { port: 0 });
});
