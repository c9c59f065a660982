// A large project definition must not stall the server (issue 9 item 1): against a real server process
// over real HTTP, a 50 000-key definition is refused fast while /healthz keeps answering, and
// GetProject/ListProjects on a project with a large accepted definition answer without parsing it.
import { Code, ConnectError } from "@connectrpc/connect";
import test from "ava";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { apiClient } from "../../support/clients.js";
import { freshDatabaseUrl } from "../../support/db.js";
import { ServerProcess } from "../../support/server-process.js";
import { startHealthPoller } from "../../fuzz/support/harness.js";

/** A valid definition whose project params have `keys` keys, with `triggers` triggers of `triggerKeys` params each. */
function definition(keys: number, triggers = 1, triggerKeys = 0): string {
  const params = (indent: string, n: number) => Array.from({ length: n }, (_, i) => `${indent}P${i}: v${i}`);
  const lines = ["timeout: 5", "params:", ...params("  ", keys), "triggers:"];
  for (let i = 0; i < triggers; i++) {
    lines.push(`  - name: t${i}`, "    type: simple", ...(triggerKeys > 0 ? ["    params:", ...params("      ", triggerKeys)] : []),
      "    runs:", "      - name: build", "        container: alpine", "        script: s");
  }
  lines.push("scripts:", "  s: echo hi");
  return lines.join("\n") + "\n";
}

/** Runs `work` while fetching /healthz back to back; the slowest answer seen, in ms. */
async function healthzDuring<T>(url: string, work: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; ms: number; worstHealthzMs: number; probes: number }> {
  let done = false;
  let worst = 0;
  let probes = 0;
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      worst = Math.max(worst, performance.now() - started);
      probes++;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const started = performance.now();
  const [result] = await Promise.allSettled([work()]);
  const ms = performance.now() - started;
  done = true;
  await probe;
  return { result, ms, worstHealthzMs: worst, probes };
}

/**
 * The bounds hold on an idle machine. On a loaded one (CI shares 2 cores with other jobs) they are
 * relative: the refusal costs at most linear time in the text (the old parser was quadratic: 10x the
 * keys took 40x+ the time), and /healthz is within 100 ms of a control server polled at the same moments.
 */
test("a 50 000-key definition is refused in well under a second while /healthz answers within 100 ms", async (t) => {
  const server = await ServerProcess.start(t, await freshDatabaseUrl(t, "sqlite"));
  const client = apiClient(ProjectService, server.url);
  const refuse = async (keys: number, message: string) => {
    const yaml = definition(keys);
    const seen = await healthzDuring(server.url, () => client.createProject({ name: `p${keys}`, definitionYaml: yaml }));
    t.is(seen.result.status, "rejected");
    const err = ConnectError.from((seen.result as PromiseRejectedResult).reason);
    t.is(err.code, Code.InvalidArgument, err.message);
    t.is(err.rawMessage, message);
    return { ...seen, bytes: yaml.length };
  };
  const idle = await healthzDuring(server.url, () => new Promise((r) => setTimeout(r, 1_000)));
  // 5 001 keys: a full parse, then the keys-per-map limit. 50 000 keys (100 000 scalars): lexing stops at the node limit.
  const small = await refuse(5_001, "params (line 5003, column 3): a map with 5001 keys: the limit is 5000 keys per map");
  const poller = await startHealthPoller(t, server.url);
  await new Promise((r) => setTimeout(r, 200)); // the poller's own first (cold) polls
  const nodesRefusal = "line 25001, column 11: too many YAML nodes: the limit is 50000";
  const large = await refuse(50_000, nodesRefusal);
  for (let i = 0; i < 3; i++) await refuse(50_000, nodesRefusal); // a longer window for the poller
  const health = await poller.stop();
  t.true(large.bytes > 580_000 && large.bytes < 1024 * 1024, `${large.bytes} bytes: within the size limit`);
  t.log(`5 001 keys refused in ${small.ms.toFixed(0)} ms, 50 000 keys (${large.bytes} B) in ${large.ms.toFixed(0)} ms;`,
    `slowest of ${large.probes} /healthz meanwhile ${large.worstHealthzMs.toFixed(0)} ms (idle server: ${idle.worstHealthzMs.toFixed(0)} ms);`,
    `polled beside a control server: ${health.worst.toFixed(0)} ms beyond the control at worst (${health.polls} polls)`);
  t.true(large.ms < 1_000 || large.ms < 15 * small.ms, `answered in ${large.ms.toFixed(0)} ms (5 001 keys: ${small.ms.toFixed(0)} ms)`);
  // Against a trivial server in another process polled at the same moments, so the machine's own load cancels out.
  // 100 ms on a quiet machine; on a loaded one (CI runs two test files at once beside Docker and
  // chromium) /healthz may trail a control server or its own idle worst, never by a stall: the old
  // parser held it for the whole parse (38 s and more for this definition).
  const said = `slowest /healthz: ${large.worstHealthzMs.toFixed(0)} ms, ${health.worst.toFixed(0)} ms beyond the control, idle worst ${idle.worstHealthzMs.toFixed(0)} ms`;
  t.true(large.worstHealthzMs < 1_000, said);
  t.true(large.worstHealthzMs < 100 || health.worst < 250 || large.worstHealthzMs < 2 * idle.worstHealthzMs + 100, said);
});

test("GetProject and ListProjects answer fast on projects with large accepted definitions", async (t) => {
  const server = await ServerProcess.start(t, await freshDatabaseUrl(t, "sqlite"));
  const client = apiClient(ProjectService, server.url);
  const yaml = definition(4_900, 4, 1_000); // 4 900 keys (limit 5 000), ~18 000 nodes
  const idle = await healthzDuring(server.url, () => new Promise((r) => setTimeout(r, 1_000)));
  const healthzBound = Math.max(100, 2 * idle.worstHealthzMs + 50); // see the test above
  for (const name of ["big-a", "big-b", "big-c", "big-d"]) {
    const created = await healthzDuring(server.url, () => client.createProject({ name, definitionYaml: yaml }));
    t.is(created.result.status, "fulfilled", String((created.result as PromiseRejectedResult).reason));
    t.log(`applying ${name} (${yaml.length} B): ${created.ms.toFixed(0)} ms, slowest /healthz meanwhile ${created.worstHealthzMs.toFixed(0)} ms`);
  }
  await client.createProject({ name: "small", definitionYaml: definition(1) });
  const small = await healthzDuring(server.url, () => client.getProject({ name: "small" }));
  const names = ["t0", "t1", "t2", "t3"];
  const poller = await startHealthPoller(t, server.url);
  await new Promise((r) => setTimeout(r, 200)); // the poller's own first (cold) polls
  const get = await healthzDuring(server.url, () => client.getProject({ name: "big-a" }));
  t.is(get.result.status, "fulfilled");
  t.deepEqual((get.result as PromiseFulfilledResult<{ project?: { triggerNames: string[] } }>).value.project?.triggerNames, names);
  const list = await healthzDuring(server.url, () => client.listProjects({}));
  t.is(list.result.status, "fulfilled");
  const projects = (list.result as PromiseFulfilledResult<{ projects: { name: string; triggerNames: string[] }[] }>).value.projects;
  const health = await poller.stop();
  t.deepEqual(projects.map((p) => [p.name, p.triggerNames]), [...["big-a", "big-b", "big-c", "big-d"].map((n) => [n, names]), ["small", ["t0"]]]);
  const worst = Math.max(get.worstHealthzMs, list.worstHealthzMs);
  const said = `slowest /healthz ${worst.toFixed(0)} ms (idle server: ${idle.worstHealthzMs.toFixed(0)} ms), ${health.worst.toFixed(0)} ms beyond a control server at worst (${health.polls} polls)`;
  t.log(`GetProject ${get.ms.toFixed(0)} ms (small project: ${small.ms.toFixed(0)} ms), ListProjects ${list.ms.toFixed(0)} ms;`, said);
  // Idle machine: absolute bounds. Loaded: no parse, so close to reading a small project.
  // (Before: GetProject 1.1 s, ListProjects 7.5 s here, against 8 ms for the small project.)
  t.true(get.ms < Math.max(250, 10 * small.ms), `GetProject took ${get.ms.toFixed(0)} ms`);
  t.true(list.ms < Math.max(1_000, 25 * small.ms), `ListProjects (5 projects, 0.7 MB of YAML) took ${list.ms.toFixed(0)} ms`);
  // As in the test above: never near a stall, and close to its idle worst or to a control server polled at the
  // same moments (a loaded CI run saw 264 ms with an idle worst of 63 ms while everything else was as slow).
  t.true(worst < 1_000, said);
  t.true(worst < healthzBound || health.worst < 250, said);
});
