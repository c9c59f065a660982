// `jobserv trigger PROJECT [--trigger NAME] [-p K=V]... [--follow]`: starts a
// build; with --follow prints run status changes until it completes and exits
// 0 if it PASSED, 1 otherwise.
import { parseArgs } from "node:util";
import { BuildService } from "../gen/jobserv/v1/build_pb.js";
import { Status } from "../gen/jobserv/v1/status_pb.js";
import { client } from "./client.js";

const DONE = new Set([Status.PASSED, Status.FAILED, Status.PROMOTED]);

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
    trigger: { type: "string", default: "" }, param: { type: "string", short: "p", multiple: true, default: [] },
    follow: { type: "boolean", default: false }, url: { type: "string" },
  } });
  const project = positionals[0];
  if (!project) { console.error("usage: jobserv trigger PROJECT [--trigger NAME] [-p K=V]... [--follow]"); return 2; }
  const params: Record<string, string> = {};
  for (const kv of values.param) {
    const eq = kv.indexOf("=");
    if (eq < 1) { console.error(`trigger: -p ${kv}: expected KEY=VALUE`); return 2; }
    params[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const builds = client(BuildService, values.url);
  const { build } = await builds.triggerBuild({ project, triggerName: values.trigger, params, reason: "jobserv CLI" });
  console.log(`build ${project}#${build!.number}: ${build!.runs.map((r) => r.name).join(", ")}`);
  if (!values.follow) return 0;
  const seen = new Map<string, Status>();
  for (;;) {
    const { build: b } = await builds.getBuild({ project, number: build!.number });
    for (const r of b!.runs) {
      if (seen.get(r.name) !== r.status) {
        seen.set(r.name, r.status);
        console.log(`  ${r.name}: ${Status[r.status]}${r.statusMessage ? ` (${r.statusMessage})` : ""}`);
      }
    }
    if (DONE.has(b!.status)) {
      console.log(`build ${project}#${b!.number}: ${Status[b!.status]}`);
      return b!.status === Status.FAILED ? 1 : 0;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}
