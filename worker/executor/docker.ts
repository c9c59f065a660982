// The dockerode executor. Output order: the command runs as
// `sh -c 'exec <cmd> 2>&1'`, so stderr joins stdout inside the container and
// the console log keeps the order the program wrote (Docker's own stream
// demultiplexing loses the relative order of stdout and stderr). No TTY, so
// bytes arrive unaltered (a TTY would turn \n into \r\n).
// The container enforces its own deadline: the command runs under a small
// shell watchdog (`sleep` then SIGKILL), so a container whose worker died
// mid-run still ends at its deadline (plus a grace that lets a live worker's
// own timer win and report "timed out"); the deadline is also a label.
// Docker's own log of a run container is off by default (log driver `none`):
// the worker reads the output through the attach stream and removes the
// container after the run, so the daemon's json-file copy was never read; it
// cost dockerd about 1.8 s of CPU per 60 MB of output, and the run's whole
// output on the worker's disk while it ran. An admin who collects container
// logs through the daemon names a driver (JOBSERV_WORKER_CONTAINER_LOG_DRIVER).
// The attach connection is hijacked (Docker upgrades it and hands over the
// bare socket): the output no longer passes through Node's HTTP response
// parser and an IncomingMessage stream (about 0.3 CPU-s of the worker's per
// 200 MB of output, measured in isolation); on a local socket it is read into
// one reused buffer (attach-output.ts), so `onOutput`'s bytes are valid only
// during the call.
import Docker from "dockerode";
import type { ContainerResult, ContainerSpec, Ending, Executor } from "./executor.js";
import { exitCodeOf } from "./container-exit.js";
import { attachOutput } from "./attach-output.js";
import { AttachDemuxer } from "./demux.js";
import { prepareImage } from "./image-pull.js";

/** Seconds past the run's timeout after which the container ends itself. */
export const CONTAINER_DEADLINE_GRACE_S = 5;
/** Label holding the epoch second at which the container ends itself. */
export const DEADLINE_LABEL = "io.jobserv.deadline";

// $0: the command; $1: seconds until the watchdog kills it. Without `sleep` in
// the image the watchdog does nothing (`&&`), rather than killing at once.
// PID 1 (this shell) exits after its child, and with it every process left.
const WATCHDOG = '"$0" 2>&1 & c=$!; (sleep "$1" && kill -KILL "$c") >/dev/null 2>&1 & w=$!; wait "$c"; r=$?; kill "$w" 2>/dev/null; exit "$r"';

export interface DockerExecutorOptions {
  /** The log driver of run containers: "none" (the default), a driver's name, or "" for the daemon's default. */
  logDriver?: string;
}

export class DockerExecutor implements Executor {
  private readonly logDriver: string;

  constructor(private readonly docker: Docker = new Docker(), options: DockerExecutorOptions = {}) {
    this.logDriver = options.logDriver ?? "none";
  }

  async run(spec: ContainerSpec, onOutput: (data: Uint8Array) => void, timeoutMs: number, cancel: AbortSignal): Promise<ContainerResult> {
    const lifeS = Math.ceil(timeoutMs / 1000) + CONTAINER_DEADLINE_GRACE_S;
    // The image is normally there (prepareImage made it so): created at once, pulled only when Docker says it is missing.
    const container = await this.create(spec, lifeS).catch(async (e: unknown) => {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
      await this.ensureImage(spec.image, spec.auth);
      return this.create(spec, lifeS);
    });
    // Removed in every case; after an exit, while the caller reports it (the result's `removed`).
    const remove = () => container.remove({ force: true, v: true }).then(() => {}, () => { /* already removed */ });
    try {
      const demux = new AttachDemuxer();
      const { ended: streamEnded } = await attachOutput(this.docker, container, (d) => demux.push(d, onOutput));
      const exited = container.wait({ condition: "next-exit" }) as Promise<{ StatusCode: number }>;
      let ending: Ending = "exited";
      const kill = (why: Ending) => {
        if (ending !== "exited") return;
        ending = why;
        container.kill().catch(() => { /* already gone */ });
      };
      let timer: NodeJS.Timeout | undefined;
      const onCancel = () => kill("cancelled");
      cancel.addEventListener("abort", onCancel, { once: true });
      if (cancel.aborted) onCancel();
      try {
        await container.start();
        // The run's time counts from its start: a busy Docker's slow start is not the script's.
        // Cancelled while it was starting: the kill could not reach it then, so it goes now.
        if (ending === "exited") timer = setTimeout(() => kill("timeout"), timeoutMs);
        else container.kill().catch(() => { /* already gone */ });
        const exitCode = await exitCodeOf(container, exited, streamEnded);
        await Promise.race([streamEnded, new Promise((r) => setTimeout(r, 2_000))]);
        const oomKilled = spec.memoryBytes ? await container.inspect().then((i) => i.State.OOMKilled, () => false) : false;
        return { exitCode, ending, oomKilled, removed: remove() };
      } finally {
        clearTimeout(timer);
        cancel.removeEventListener("abort", onCancel);
      }
    } catch (e) {
      await remove();
      throw e;
    }
  }

  async removeLeftovers(worker: string, workDir: string): Promise<string[]> {
    // Ours: our name and folder, or our name and no folder label (made by a
    // worker from before that label, e.g. the one this upgrade replaced).
    const mine = (await this.docker.listContainers({ all: true, filters: { label: [`io.jobserv.worker=${worker}`] } }))
      .filter((c) => (c.Labels["io.jobserv.worker-dir"] ?? workDir) === workDir);
    // Other workers' containers that ended themselves at their deadline over a
    // minute ago: their worker never came back to remove them.
    const now = Date.now() / 1000;
    const stale = (await this.docker.listContainers({ all: true, filters: { label: [DEADLINE_LABEL], status: ["exited", "dead"] } }))
      .filter((c) => !mine.some((m) => m.Id === c.Id) && Number(c.Labels[DEADLINE_LABEL]) + 60 < now);
    const left = [...mine, ...stale];
    await Promise.all(left.map((c) => this.docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => { /* gone already */ })));
    return left.map((c) => c.Names[0] ?? c.Id);
  }

  prepareImage(image: string, auth: ContainerSpec["auth"], policy: "always" | "if-not-present"): Promise<string> {
    return prepareImage(this.docker, image, auth, policy);
  }

  async pruneVolumes(): Promise<number> {
    const res = await this.docker.pruneVolumes() as { VolumesDeleted?: string[] | null };
    return res.VolumesDeleted?.length ?? 0;
  }

  private create(spec: ContainerSpec, lifeS: number): Promise<Docker.Container> {
    return this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      ...(spec.entrypoint ? { Entrypoint: spec.entrypoint.length ? spec.entrypoint : [""] } : {}),
      WorkingDir: spec.workingDir,
      Cmd: ["/bin/sh", "-c", WATCHDOG, spec.command, String(lifeS)],
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      User: spec.user || undefined,
      Labels: { ...spec.labels, [DEADLINE_LABEL]: String(Math.ceil(Date.now() / 1000) + lifeS) },
      Tty: false,
      HostConfig: {
        Binds: spec.binds,
        NetworkMode: spec.network,
        Privileged: spec.privileged,
        CapAdd: spec.capAdd,
        CapDrop: spec.capDrop,
        AutoRemove: false,
        ...(this.logDriver ? { LogConfig: { Type: this.logDriver, Config: {} } } : {}),
        ...(spec.memoryBytes ? { Memory: spec.memoryBytes, MemorySwap: spec.memoryBytes } : {}),
      },
    });
  }

  /** The image must be there (prepareImage normally made it so). */
  private async ensureImage(image: string, auth: ContainerSpec["auth"]): Promise<void> {
    await prepareImage(this.docker, image, auth, "if-not-present");
  }
}
