// Exactly-once at scale: two server processes on one store, 24 workers (real
// Pull protocol, no containers) spread over both, 520 runs whose host-tag
// patterns (plain, case-folded, `*`, `?`, `[...]`, `[!...]`) come from a
// seeded PRNG, in four builds triggered on both instances at once. Every run
// is assigned exactly once, to a worker of a group the pattern names (worked
// out by hand here, not by the server's matcher), never beyond a worker's
// concurrency, and every run and build PASSES. On both dialects.
import test from "ava";
import { BuildService, type Build } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects, freshDatabaseUrl } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { prng } from "../../support/prng.js";
import { ServerProcess } from "../../support/server-process.js";

const SEED = 0x5eed_0006;
const WORKERS = 24;
const TRIGGERS = 4;
const RUNS_PER_TRIGGER = 130;

type Group = "x86" | "arm" | "rv" | "gpu";
const GROUP_TAGS: Record<Group, string[]> = { x86: ["amd64", "docker"], arm: ["arm64", "docker"], rv: ["riscv64"], gpu: ["amd64", "gpu-nvidia"] };
const GROUPS = Object.keys(GROUP_TAGS) as Group[];
/** Each pattern and the groups it must land on. Worker names (`fw-<n>`) match none of them. */
const PATTERNS: Record<string, Group[]> = {
  "amd64": ["x86", "gpu"],
  "ARM64": ["arm"],
  "docker": ["x86", "arm"],
  "*64": ["x86", "arm", "rv", "gpu"],
  "gpu-*": ["gpu"],
  "riscv??": ["rv"],
  "?ocker": ["x86", "arm"],
  "[ab]*64": ["x86", "arm", "gpu"],
  "[!ad]*64": ["rv"],
};

function projectYaml(patternOf: Map<string, string>): string {
  const triggers = Array.from({ length: TRIGGERS }, (_, tr) => {
    const runs = Array.from({ length: RUNS_PER_TRIGGER }, (_, i) => {
      const name = `r${tr}-${i}`;
      return `      - name: ${name}\n        container: img\n        host-tag: ${JSON.stringify(patternOf.get(name))}\n        script: s\n`;
    });
    return `  - name: t${tr}\n    type: simple\n    runs:\n${runs.join("")}`;
  });
  return `timeout: 1\ntriggers:\n${triggers.join("")}scripts:\n  s: "#!/bin/sh\\ntrue\\n"\n`;
}

for (const dialect of dialects) {
  test(`${dialect}: two instances, ${WORKERS} workers, ${TRIGGERS * RUNS_PER_TRIGGER} runs with random host tags: each executed exactly once`, async (t) => {
    const random = prng(SEED);
    const patterns = Object.keys(PATTERNS);
    const patternOf = new Map<string, string>();
    for (let tr = 0; tr < TRIGGERS; tr++) for (let i = 0; i < RUNS_PER_TRIGGER; i++) patternOf.set(`r${tr}-${i}`, random.pick(patterns));

    const databaseUrl = await freshDatabaseUrl(t, dialect);
    const a = await ServerProcess.start(t, databaseUrl);
    const b = await ServerProcess.start(t, databaseUrl);
    const assigned = new Map<string, string[]>();
    const wrong: string[] = [];
    const failures: string[] = [];
    const inFlight = new Map<string, number>();
    const workers = await Promise.all(Array.from({ length: WORKERS }, (_, i) => {
      const name = `fw-${i}`;
      const group = GROUPS[i % GROUPS.length]!;
      const concurrency = 1 + random.int(3);
      const server = Math.floor(i / GROUPS.length) % 2 ? b : a;
      return startMiniWorker(t, server.url, name, GROUP_TAGS[group], concurrency, (asg, client) => {
        const def = asg.definition!;
        const key = `#${def.buildNumber}/${def.runName}`;
        assigned.set(key, [...(assigned.get(key) ?? []), name]);
        // Patterns are case-insensitive; the server keeps them lower-cased.
        const pattern = patternOf.get(def.runName)!;
        if (def.hostTag !== pattern.toLowerCase()) wrong.push(`${key}: definition says host-tag ${def.hostTag}, not ${pattern}`);
        if (!PATTERNS[pattern]!.includes(group)) wrong.push(`${key} (${pattern}) went to ${name} of group ${group}`);
        const busy = (inFlight.get(name) ?? 0) + 1;
        inFlight.set(name, busy);
        if (busy > concurrency) wrong.push(`${name} holds ${busy} runs, concurrency ${concurrency}`);
        void (async () => {
          await client.updateRun({ runId: def.runId, runToken: asg.runToken, status: Status.RUNNING });
          // The slot is free from the moment the worker reports the end.
          inFlight.set(name, inFlight.get(name)! - 1);
          await client.updateRun({ runId: def.runId, runToken: asg.runToken, status: Status.PASSED, message: "ok" });
        })().catch((e: unknown) => failures.push(`${key} on ${name}: ${(e as Error).message}`));
      });
    }));
    await Promise.all(workers.map((w) => w.connected));

    await apiClient(ProjectService, a.url).createProject({ name: "scale", definitionYaml: projectYaml(patternOf) });
    const numbers = await Promise.all(Array.from({ length: TRIGGERS }, async (_, tr) =>
      (await apiClient(BuildService, (tr % 2 ? b : a).url).triggerBuild({ project: "scale", triggerName: `t${tr}` })).build!.number));
    const builds = await Promise.all(numbers.map((number, k) => eventually<Build>(async () => {
      const { build } = await apiClient(BuildService, (k % 2 ? a : b).url).getBuild({ project: "scale", number });
      return build && [Status.PASSED, Status.FAILED].includes(build.status) ? build : undefined;
    }, 90_000, () => `build ${number} to complete; ${assigned.size} runs assigned; failures: ${failures.slice(0, 5).join("; ")}; server A: ${a.output().slice(-1_000)} B: ${b.output().slice(-1_000)}`)));

    t.deepEqual(failures, [], "every report was accepted");
    t.deepEqual(wrong, [], "every run went to a matching worker with a free slot");
    t.deepEqual(builds.map((bd) => Status[bd.status]), Array<string>(TRIGGERS).fill("PASSED"));
    const runs = builds.flatMap((bd) => bd.runs.map((r) => ({ key: `#${bd.number}/${r.name}`, status: r.status, worker: r.workerName })));
    t.is(runs.length, TRIGGERS * RUNS_PER_TRIGGER);
    t.deepEqual(runs.filter((r) => r.status !== Status.PASSED).map((r) => r.key), [], "every run PASSED");
    t.is(assigned.size, TRIGGERS * RUNS_PER_TRIGGER, "every run was assigned");
    t.deepEqual([...assigned].filter(([, ws]) => ws.length !== 1), [], "no run assigned twice");
    t.deepEqual(runs.filter((r) => assigned.get(r.key)?.[0] !== r.worker).map((r) => r.key), [], "the store names the worker that got the run");
    const used = new Set([...assigned.values()].flat());
    t.true(used.size >= WORKERS / 2, `work spread over ${used.size} workers`);
  });
}
