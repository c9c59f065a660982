// Benchmark 6: API read latency. C concurrent clients (each with its own
// connection) call GetBuild and ListBuilds in a closed loop for a few seconds
// against a project with B builds of 3 runs; p50/p99 per call. Baseline: the
// same clients calling a trivial RPC, GetProject of a missing project (one
// indexed lookup, NOT_FOUND), in the same run.
import { Agent } from "node:http";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { BuildService } from "../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../gen/jobserv/v1/project_pb.js";
import { apiClients, projectYaml, adminHeaders } from "./support/api.js";
import { freshDb, type Dialect } from "./support/bench-db.js";
import { row, type Row } from "./support/report.js";
import { startServerProcess } from "./support/server-process.js";
import { nowMs, summarize, type Summary } from "./support/stats.js";

const bearer: Interceptor = (next) => (req) => {
  req.header.set("authorization", adminHeaders.authorization);
  return next(req);
};

export interface ApiSizes { clients: number; seconds: number; builds: number }

type Call = "getBuild" | "listBuilds" | "missingProject";

async function load(url: string, s: ApiSizes, call: Call): Promise<{ lat: Summary; rps: number; errors: number }> {
  const samples: number[] = [];
  let errors = 0;
  const deadline = nowMs() + s.seconds * 1000;
  await Promise.all(Array.from({ length: s.clients }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const transport = createConnectTransport({ baseUrl: url, httpVersion: "1.1", nodeOptions: { agent }, interceptors: [bearer] });
    const builds = createClient(BuildService, transport);
    const projects = createClient(ProjectService, transport);
    while (nowMs() < deadline) {
      const t0 = nowMs();
      try {
        if (call === "getBuild") await builds.getBuild({ project: "api", number: 1 + Math.floor(Math.random() * s.builds) });
        else if (call === "listBuilds") await builds.listBuilds({ project: "api" });
        else await projects.getProject({ name: "no-such-project" }).catch((e: { code?: number }) => { if (e.code !== 5) throw e; });
        samples.push(nowMs() - t0);
      } catch {
        errors++;
      }
    }
    agent.destroy();
  }));
  return { lat: summarize(samples), rps: samples.length / s.seconds, errors };
}

async function one(dialect: Dialect, s: ApiSizes): Promise<Row[]> {
  const db = await freshDb(dialect);
  const server = await startServerProcess(db.url);
  try {
    const api = apiClients(server.url);
    await api.projects.createProject({ name: "api", definitionYaml: projectYaml("nobody", "true", 3) });
    for (let b = 0; b < s.builds; b++) await api.builds.triggerBuild({ project: "api", triggerName: "ci" });
    await load(server.url, { ...s, seconds: 1 }, "getBuild"); // warm-up
    const base = await load(server.url, s, "missingProject");
    const rows: Row[] = [];
    for (const call of ["getBuild", "listBuilds"] as const) {
      const r = await load(server.url, s, call);
      const common = { bench: "6 API read latency", size: `${s.clients} clients, ${s.seconds} s, ${s.builds} builds`, unit: "ms", baselineLabel: "GetProject(missing)" };
      const note = `${r.rps.toFixed(0)} calls/s vs ${base.rps.toFixed(0)} baseline${r.errors ? `; ${r.errors} errors` : ""}`;
      rows.push(row({ ...common, figure: `${call} p50 ${dialect}`, value: r.lat.p50, baseline: base.lat.p50, target: "", met: null }));
      rows.push(row({ ...common, figure: `${call} p99 ${dialect}`, value: r.lat.p99, baseline: base.lat.p99, target: "", met: null, note }));
    }
    return rows;
  } finally {
    await server.stop();
    await db.drop();
  }
}

export async function benchApiReadLatency(s: ApiSizes): Promise<Row[]> {
  return [...await one("sqlite", s), ...await one("mysql", s)];
}
