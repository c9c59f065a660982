// runOne: the runner's step sequence for one run definition, shared by the
// worker and the simulator: acknowledge -> "steps to recreate" stanza ->
// prepare mounts (script, archive, secrets, volumes, checkouts) -> run the
// container (timeout and cancel enforced) -> post-script (artifacts, tests)
// -> ship the rest of the log -> report the verdict (the container is removed
// meanwhile). The acknowledgement runs beside the preparations, the image
// digest's report beside the container's start.
// Console output is masked for secret values. The run folder is removed
// afterwards in every case.
import { createHash } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { RunDefinition } from "../../gen/jobserv/v1/run_definition_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { ContainerSpec, Executor } from "../executor/executor.js";
import { CONSOLE_COPY_BYTES, ConsoleCopy } from "./console-copy.js";
import { MaskedOutput } from "./masked-output.js";
import { prepareMounts, type MountConfig } from "./mounts.js";
import { writeNetrc } from "./netrc.js";
import { runPostScript } from "./post-script.js";
import type { Reporter } from "./reporter.js";
import { formatDuration, simulatorStanza } from "./stanza.js";

export interface RunnerDeps {
  executor: Executor;
  reporter: Reporter;
  /** Parent folder for the per-run folders. */
  workDir: string;
  workerName: string;
  network: string;
  mounts: MountConfig;
  /** Keep the run folder afterwards (the simulator shows /archive there). */
  keepRunDir?: boolean;
  /** The run's token (the worker's runs): written to the run's .netrc for the server's host. */
  runToken?: string;
  /** Image pull policy (default if-not-present: the simulator's). */
  pullPolicy?: "always" | "if-not-present";
  /** Container memory limit in bytes (0 or unset: none). */
  maxMemBytes?: number;
}

/** `container-auth` names a secret holding base64 `user:pass` for the image's registry. */
function registryAuth(def: RunDefinition): ContainerSpec["auth"] {
  if (!def.containerAuth) return undefined;
  const [user = "", ...rest] = Buffer.from(def.secrets[def.containerAuth] ?? "", "base64").toString().split(":");
  const first = def.container.split("/")[0] ?? "";
  const serveraddress = def.container.includes("/") && /[.:]|^localhost$/.test(first) ? first : "https://index.docker.io/v1/";
  return { username: user, password: rest.join(":"), serveraddress };
}

/**
 * Pulls the run's image by the pull policy; its digest goes into the log and
 * onto the run. Resolves once the image is there, to the digest's report,
 * which goes on meanwhile (the container need not wait for that round trip).
 */
async function prepareImage(def: RunDefinition, deps: RunnerDeps, reporter: Reporter, out: MaskedOutput): Promise<{ reported: Promise<void> }> {
  if (!deps.executor.prepareImage) return { reported: Promise.resolve() };
  const digest = await deps.executor.prepareImage(def.container, registryAuth(def), deps.pullPolicy ?? "if-not-present");
  // Simulated runs print only what the container prints (as without the stanza).
  if (!def.simulated) out.write(`== image ${def.container}: ${digest}\n`);
  const reported = reporter.imageDigest?.(digest) ?? Promise.resolve();
  reported.catch(() => { /* awaited after the container; marked handled should that never come */ });
  return { reported };
}

function formatBytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${Math.round(n / 2 ** 20)} MiB`;
}

export async function runOne(def: RunDefinition, deps: RunnerDeps, cancel: AbortSignal): Promise<Status> {
  // Keeps a copy of the console for test-grepping (none without it); removed at the final status report.
  const reporter = new ConsoleCopy(deps.reporter, path.join(deps.workDir, "runs", `${def.runId}.console`),
    def.testGrepping?.resultPattern ? CONSOLE_COPY_BYTES : 0);
  // Acknowledged while the run folder, mounts and image are prepared; awaited
  // before the container starts. Not acknowledged at all: nothing can be
  // reported, so runOne rejects (as the pull loop expects).
  const acknowledged = reporter.status(Status.RUNNING, "").then(() => undefined, (e: unknown) => {
    void reporter.flush().catch(() => { /* refused too: the output written meanwhile goes with its spool file */ });
    return { e };
  });
  let ackFailure: { e: unknown } | undefined;
  const out = new MaskedOutput(reporter, [...Object.values(def.secrets), ...(deps.runToken ? [deps.runToken] : [])]);
  if (!def.simulated) out.write(simulatorStanza(def));
  const dir = path.join(deps.workDir, "runs", `${def.runId}`);
  let verdict: { status: Status; message: string };
  // The container goes while the post-script runs and the verdict is reported.
  let removed: Promise<void> | undefined;
  try {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const plan = await prepareMounts(def, dir, deps.mounts, (line) => out.write(line));
    plan.binds.push(...(await writeNetrc(def, deps.runToken, dir)).binds);
    const digest = await prepareImage(def, deps, reporter, out);
    ackFailure = await acknowledged;
    if (ackFailure) throw ackFailure.e;
    const entrypoint = def.containerEntrypoint === undefined ? undefined : def.containerEntrypoint ? [def.containerEntrypoint] : [];
    const result = await deps.executor.run({
      // Run ids restart at 1 per store: the folder's hash keeps two same-named workers' containers apart.
      name: `jobserv-run-${def.runId}-${deps.workerName}-${createHash("sha256").update(deps.workDir).digest("hex").slice(0, 8)}`,
      image: def.container,
      env: { ...def.env, H_WORKER: deps.workerName },
      command: plan.command,
      binds: plan.binds,
      workingDir: plan.workingDir,
      entrypoint,
      auth: registryAuth(def),
      network: deps.network,
      privileged: def.privileged,
      capAdd: def.capAdd,
      capDrop: def.capDrop,
      user: def.containerUser,
      labels: { "io.jobserv.run": String(def.runId), "io.jobserv.worker": deps.workerName, "io.jobserv.worker-dir": deps.workDir },
      memoryBytes: deps.maxMemBytes || undefined,
    }, (data) => out.write(data), def.timeoutSeconds * 1000, cancel);
    removed = result.removed;
    await digest.reported;
    verdict = result.oomKilled
      ? { status: Status.FAILED, message: `killed by the OOM killer: out of memory (limit ${formatBytes(deps.maxMemBytes ?? 0)})` }
      : result.ending === "timeout"
      ? { status: Status.FAILED, message: `timed out after ${formatDuration(def.timeoutSeconds)}` }
      : result.ending === "cancelled"
        ? { status: Status.FAILED, message: "cancelled" }
        : result.exitCode === 0
          ? { status: Status.PASSED, message: "exit code 0" }
          : { status: Status.FAILED, message: `exit code ${result.exitCode}` };
    if (result.ending !== "exited" || result.oomKilled) out.write(`\n== ${verdict.message}\n`);
    // --- post-script: artifacts and tests (owned by the artifacts/tests work) ---
    verdict = await runPostScript({ def, archiveDir: path.join(dir, "archive"), result, verdict, reporter, out, cancel });
    // --- end post-script ---
  } catch (e) {
    if (ackFailure) throw e;
    verdict = { status: Status.FAILED, message: `runner error: ${(e as Error).message}` };
    out.write(`\n== jobserv runner error: ${(e as Error).message}\n`);
  } finally {
    if (!deps.keepRunDir) await rm(dir, { recursive: true, force: true });
  }
  // A step failed before the acknowledgement was awaited: it comes first.
  ackFailure ??= await acknowledged;
  if (ackFailure) throw ackFailure.e;
  await out.flush();
  await reporter.status(verdict.status, verdict.message);
  await removed;
  return verdict.status;
}
