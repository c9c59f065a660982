// The run sequence (worker/runner/run.ts) with a scripted executor standing in
// for Docker (the executor interface is the boundary): the order of the steps,
// the container spec, output masked and in order, a failing step → FAILED with
// its message, exit codes, timeout and cancel, and the run folder removed.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { create } from "@bufbuild/protobuf";
import { RunDefinitionSchema } from "../../../gen/jobserv/v1/run_definition_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import type { ContainerResult, ContainerSpec, Executor } from "../../../worker/executor/executor.js";
import type { Reporter } from "../../../worker/runner/reporter.js";
import { runOne } from "../../../worker/runner/run.js";
import { tempDir } from "../../support/temp-dir.js";

type Event = string;

interface Script {
  /** Output the "container" writes, one write each. */
  output?: string[];
  exitCode?: number;
  /** Runs until killed by the timeout or the cancel. */
  hang?: boolean;
  /** The container's removal after the exit, given the events so far (settles when it is removed). */
  removal?: (events: Event[]) => Promise<void>;
  prepareError?: string;
}

/** A scripted container runtime: records each call in `events` and plays `script`. */
class ScriptedExecutor implements Executor {
  spec: ContainerSpec | undefined;
  timeoutMs = 0;
  scriptSeen = "";
  /** Whether the worker's console copy (for test-grepping) existed once the output was written. */
  consoleCopySeen = false;
  constructor(private readonly events: Event[], private readonly script: Script) {}
  async removeLeftovers(): Promise<string[]> { return []; }
  async prepareImage(image: string): Promise<string> {
    this.events.push(`prepareImage ${image}`);
    if (this.script.prepareError) throw new Error(this.script.prepareError);
    return `${image}@sha256:${"0".repeat(64)}`;
  }
  async run(spec: ContainerSpec, onOutput: (data: Uint8Array) => void, timeoutMs: number, cancel: AbortSignal): Promise<ContainerResult> {
    this.events.push("run");
    this.spec = spec;
    this.timeoutMs = timeoutMs;
    const scriptBind = spec.binds.find((b) => b.endsWith(":/script-repo:ro"))!;
    this.scriptSeen = readFileSync(path.join(scriptBind.split(":")[0]!, "do_run"), "utf8");
    for (const chunk of this.script.output ?? []) onOutput(Buffer.from(chunk));
    this.consoleCopySeen = existsSync(path.join(spec.labels["io.jobserv.worker-dir"]!, "runs", `${spec.labels["io.jobserv.run"]}.console`));
    if (!this.script.hang) return { exitCode: this.script.exitCode ?? 0, ending: "exited", removed: this.script.removal?.(this.events) };
    if (cancel.aborted) return { exitCode: 137, ending: "cancelled" };
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ exitCode: 137, ending: "timeout" }), timeoutMs);
      cancel.addEventListener("abort", () => { clearTimeout(timer); resolve({ exitCode: 137, ending: "cancelled" }); }, { once: true });
    });
  }
}

/** The server side of the run, recorded. */
class RecordingReporter implements Reporter {
  private text: Buffer[] = [];
  /** How the acknowledgement (status RUNNING) goes: answered after `ms`, or refused. */
  ack: { ms: number; refuse?: string } = { ms: 0 };
  constructor(private readonly events: Event[]) {}
  write(data: Uint8Array): void {
    if (this.events.at(-1) !== "write") this.events.push("write");
    this.text.push(Buffer.from(data));
  }
  async flush(): Promise<void> { this.events.push("flush"); }
  async status(status: Status, message: string): Promise<void> {
    this.events.push(`status ${Status[status]} ${message}`.trim());
    if (status !== Status.RUNNING || !this.ack.ms) return;
    await new Promise((r) => setTimeout(r, this.ack.ms));
    if (this.ack.refuse) throw new Error(this.ack.refuse);
    this.events.push("acknowledged");
  }
  async uploadArtifact(): Promise<void> { this.events.push("upload"); }
  async reportTests(): Promise<void> { this.events.push("tests"); }
  async imageDigest(digest: string): Promise<void> { this.events.push(`digest ${digest.split("@")[0]}`); }
  get log(): string { return Buffer.concat(this.text).toString(); }
}

const definition = (over: Partial<{ timeoutSeconds: number; secrets: Record<string, string>; testGrepping: { resultPattern: string } }> = {}) => create(RunDefinitionSchema, {
  project: "p", buildNumber: 7, runName: "unit", runId: 42n, container: "jobserv/busybox:latest", timeoutSeconds: 60,
  script: "#!/bin/sh\necho hi\n", runUrl: "http://127.0.0.1:9/projects/p/builds/7/runs/unit/", env: { FOO: "bar" }, ...over,
});

async function runWith(t: ExecutionContext, script: Script, def = definition(), cancel = new AbortController().signal, ack?: RecordingReporter["ack"], events: Event[] = []) {
  const executor = new ScriptedExecutor(events, script);
  const reporter = new RecordingReporter(events);
  if (ack) reporter.ack = ack;
  const workDir = tempDir(t, "jobserv-runner-unit-");
  const status = await runOne(def, {
    executor, reporter, workDir, workerName: "unit-worker", network: "none", mounts: { volumesDir: path.join(workDir, "volumes"), sharedVolumes: {} },
  }, cancel);
  return { status, events, executor, reporter, runDir: path.join(workDir, "runs", "42") };
}

test("steps in order: RUNNING, stanza, image, container, flush, verdict; the container gets the run's spec", async (t) => {
  const { status, events, executor, reporter, runDir } = await runWith(t, { output: ["hello ", "world\n"] });
  t.is(status, Status.PASSED);
  t.deepEqual(events, [
    "status RUNNING", "write", "prepareImage jobserv/busybox:latest", "write", "digest jobserv/busybox:latest", "run", "write", "flush", "flush", "status PASSED exit code 0",
  ]);
  t.true(reporter.log.startsWith("== Steps to recreate inside simulator\n"), reporter.log);
  t.true(reporter.log.endsWith("hello world\n"), reporter.log);
  const spec = executor.spec!;
  t.regex(spec.name, /^jobserv-run-42-unit-worker-[0-9a-f]{8}$/);
  t.like(spec, { image: "jobserv/busybox:latest", command: "/script-repo/do_run", network: "none", env: { FOO: "bar", H_WORKER: "unit-worker" } });
  t.like(spec.labels, { "io.jobserv.run": "42", "io.jobserv.worker": "unit-worker" });
  t.is(executor.timeoutMs, 60_000);
  t.is(executor.scriptSeen, "#!/bin/sh\necho hi\n", "the script is in the run folder while the container runs");
  t.false(existsSync(runDir), "the run folder is removed afterwards");
});

test("a non-zero exit code fails the run with the code", async (t) => {
  const { status, events } = await runWith(t, { output: ["boom\n"], exitCode: 3 });
  t.is(status, Status.FAILED);
  t.is(events.at(-1), "status FAILED exit code 3");
});

test("a failing step (the image pull) fails the run with its message; no container is started", async (t) => {
  const { status, events, reporter, runDir } = await runWith(t, { prepareError: "pull access denied for nope" });
  t.is(status, Status.FAILED);
  t.false(events.includes("run"));
  t.is(events.at(-1), "status FAILED runner error: pull access denied for nope");
  t.true(reporter.log.endsWith("\n== jobserv runner error: pull access denied for nope\n"), reporter.log);
  t.false(existsSync(runDir));
});

test("a bad secret name fails the run before the container, saying why", async (t) => {
  const { status, events } = await runWith(t, {}, definition({ secrets: { "../escape": "value-1234" } }));
  t.is(status, Status.FAILED);
  t.false(events.includes("run"));
  t.is(events.at(-1), 'status FAILED runner error: secret name "../escape" is not a safe file name');
});

test("over its timeout: FAILED, timed out after the run's timeout, said in the log", async (t) => {
  const { status, events, reporter } = await runWith(t, { output: ["start\n"], hang: true }, definition({ timeoutSeconds: 1 }));
  t.is(status, Status.FAILED);
  t.is(events.at(-1), "status FAILED timed out after 1 second");
  t.true(reporter.log.endsWith("start\n\n== timed out after 1 second\n"), reporter.log);
});

test("cancelled while running: FAILED, cancelled", async (t) => {
  const cancel = new AbortController();
  const running = runWith(t, { output: ["start\n"], hang: true }, definition(), cancel.signal);
  setTimeout(() => cancel.abort(), 200);
  const { status, events, reporter } = await running;
  t.is(status, Status.FAILED);
  t.is(events.at(-1), "status FAILED cancelled");
  t.true(reporter.log.endsWith("start\n\n== cancelled\n"), reporter.log);
});

test("secret values are masked in the container's output, also split across writes", async (t) => {
  const { reporter } = await runWith(t, { output: ["token is s3cr", "et-value!\n"] }, definition({ secrets: { api: "s3cret-value" } }));
  t.true(reporter.log.endsWith("token is ***!\n"), reporter.log);
  t.false(reporter.log.includes("s3cret"));
});

test("the console is copied for test-grepping only when the run greps tests", async (t) => {
  const plain = await runWith(t, { output: ["a: PASSED\n"] });
  t.false(plain.executor.consoleCopySeen, "no copy without test-grepping");
  const grepping = await runWith(t, { output: ["a: PASSED\n"] }, definition({ testGrepping: { resultPattern: "(?P<name>\\w+): (?P<result>PASSED|FAILED)" } }));
  t.true(grepping.executor.consoleCopySeen);
  t.true(grepping.events.includes("tests"), grepping.events.join(", "));
});

test("the verdict is reported while the container is being removed; runOne returns once it is gone", async (t) => {
  let duringRemoval: string[] = [];
  let done = false;
  const removal = async (events: Event[]) => {
    await new Promise((r) => setTimeout(r, 300));
    duringRemoval = [...events];
    t.false(done, "runOne waits for the removal");
  };
  const { status, events } = await runWith(t, { output: ["bye\n"], removal }).finally(() => { done = true; });
  t.is(status, Status.PASSED);
  t.is(duringRemoval.at(-1), "status PASSED exit code 0", "the verdict went before the container was gone");
  t.deepEqual(events, duringRemoval);
});

test("the acknowledgement (RUNNING) goes while the run is prepared; the container starts after it", async (t) => {
  const { status, events } = await runWith(t, { output: ["hi\n"] }, definition(), undefined, { ms: 200 });
  t.is(status, Status.PASSED);
  t.true(events.indexOf("prepareImage jobserv/busybox:latest") < events.indexOf("acknowledged"), events.join(", "));
  t.true(events.indexOf("acknowledged") < events.indexOf("run"), events.join(", "));
});

test("an acknowledgement refused: runOne rejects with it, no container runs, no verdict is reported", async (t) => {
  const events: Event[] = [];
  const error = await t.throwsAsync(runWith(t, { output: ["hi\n"] }, definition(), undefined, { ms: 100, refuse: "run 42 is not assigned to worker unit-worker" }, events));
  t.is(error?.message, "run 42 is not assigned to worker unit-worker");
  t.false(events.includes("run"), events.join(", "));
  t.deepEqual(events.filter((e) => e.startsWith("status")), ["status RUNNING"]);
});
