// Benchmark 6: API read latency. C concurrent clients (each with its own
// connection) call GetBuild and ListBuilds in a closed loop for a few seconds
// against a project with B builds of 3 runs; throughput and p50/p99 per call.
// Baseline: the same clients, same transport (Connect JSON over HTTP/1.1, same
// bearer header, same interceptors) calling a no-op RPC in the same run:
// grpc.health.v1.Health/Check, whose only work is one trivial store query.
// GetBuild's REST form (GET /projects/{p}/builds/{n}/) is measured beside it;
// its client parses the JSON it reads, as a real client would. The clients and
// the server share the machine's cores, so each call's CPU is also reported
// on each side (server process; this load-generating process; on MariaDB the
// local mariadbd), per call, with how busy the whole machine was: their sum
// bounds what any ratio can be on this machine (the no-op's CPU per call over
// the call's, when every core is busy).
import { Agent, request } from "node:http";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { BuildService } from "../gen/jobserv/v1/build_pb.js";
import { apiClients, projectYaml, adminHeaders } from "./support/api.js";
import { freshDb, type Dialect } from "./support/bench-db.js";
import { describeMachine, sampleMachine } from "./support/machine-cpu.js";
import { mysqldCpuMs } from "./support/mysql-status.js";
import { row, type Row } from "./support/report.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";
import { nowMs, summarize, type Summary } from "./support/stats.js";

const bearer: Interceptor = (next) => (req) => {
  req.header.set("authorization", adminHeaders.authorization);
  return next(req);
};

export interface ApiSizes { clients: number; seconds: number; builds: number }

type Call = "getBuild" | "listBuilds" | "noop" | "restBuild";

interface Load { lat: Summary; rps: number; errors: number; serverUs: number; clientUs: number; dbUs: number | undefined; machine: string }

async function load(server: ServerProcess, s: ApiSizes, call: Call, dialect: Dialect): Promise<Load> {
  const url = server.url;
  const samples: number[] = [];
  const server0 = await server.stats();
  const client0 = process.cpuUsage();
  const db0 = mysqldCpuMs();
  const machine0 = sampleMachine();
  let errors = 0;
  const deadline = nowMs() + s.seconds * 1000;
  await Promise.all(Array.from({ length: s.clients }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const transport = createConnectTransport({ baseUrl: url, httpVersion: "1.1", nodeOptions: { agent }, interceptors: [bearer] });
    const builds = createClient(BuildService, transport);
    const health = createClient(Health, transport);
    const rest = async (n: number) => {
      const res = await new Promise<{ status: number }>((resolve, reject) => {
        const r = request(`${url}/projects/api/builds/${n}/`, { agent, headers: { ...adminHeaders, accept: "application/json" } }, (m) => {
          const parts: Buffer[] = [];
          m.on("data", (d: Buffer) => parts.push(d));
          m.on("end", () => {
            try {
              JSON.parse(Buffer.concat(parts).toString());
              resolve({ status: m.statusCode ?? 0 });
            } catch (e) {
              reject(e as Error);
            }
          });
        });
        r.on("error", reject);
        r.end();
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    };
    while (nowMs() < deadline) {
      const t0 = nowMs();
      try {
        if (call === "getBuild") await builds.getBuild({ project: "api", number: 1 + Math.floor(Math.random() * s.builds) });
        else if (call === "listBuilds") await builds.listBuilds({ project: "api" });
        else if (call === "restBuild") await rest(1 + Math.floor(Math.random() * s.builds));
        else await health.check({ service: "" });
        samples.push(nowMs() - t0);
      } catch {
        errors++;
      }
    }
    agent.destroy();
  }));
  const server1 = await server.stats();
  const client = process.cpuUsage(client0);
  const db1 = mysqldCpuMs();
  const machine = describeMachine(machine0, sampleMachine());
  const calls = Math.max(1, samples.length + errors);
  return {
    lat: summarize(samples), rps: samples.length / s.seconds, errors,
    serverUs: (1000 * (server1.cpuMs - server0.cpuMs)) / calls, clientUs: (client.user + client.system) / calls,
    dbUs: dialect === "mysql" && db0 !== undefined && db1 !== undefined ? (1000 * (db1 - db0)) / calls : undefined, machine,
  };
}

async function one(dialect: Dialect, s: ApiSizes): Promise<Row[]> {
  const db = await freshDb(dialect);
  const server = await startServerProcess(db.url);
  try {
    const api = apiClients(server.url);
    await api.projects.createProject({ name: "api", definitionYaml: projectYaml("nobody", "true", 3) });
    for (let b = 0; b < s.builds; b++) await api.builds.triggerBuild({ project: "api", triggerName: "ci" });
    for (const call of ["noop", "getBuild", "restBuild", "listBuilds"] as const) await load(server, { ...s, seconds: 1 }, call, dialect); // warm-up
    const base = await load(server, s, "noop", dialect);
    const rows: Row[] = [];
    const targets: Record<Exclude<Call, "noop">, number | null> = { getBuild: 0.9, restBuild: null, listBuilds: 0.5 };
    for (const call of ["getBuild", "restBuild", "listBuilds"] as const) {
      const r = await load(server, s, call, dialect);
      const common = { bench: "6 API read latency", size: `${s.clients} clients, ${s.seconds} s, ${s.builds} builds`, baselineLabel: "no-op RPC (Health/Check)" };
      const min = targets[call];
      rows.push(row({ ...common, figure: `${call} calls/s ${dialect}`, unit: "calls/s", value: r.rps, baseline: base.rps,
        target: min === null ? "" : `>= ${min}x`, met: min === null ? null : r.rps >= min * base.rps, note: [cpuBudget(r, base), r.errors || base.errors ? `${r.errors} errors (baseline ${base.errors})` : ""].filter(Boolean).join("; ") }));
      rows.push(row({ ...common, figure: `${call} p50 ${dialect}`, unit: "ms", value: r.lat.p50, baseline: base.lat.p50, target: "", met: null }));
      rows.push(row({ ...common, figure: `${call} p99 ${dialect}`, unit: "ms", value: r.lat.p99, baseline: base.lat.p99, target: "", met: null }));
      rows.push(row({ ...common, figure: `${call} server CPU/call ${dialect}`, unit: "us", value: r.serverUs, baseline: base.serverUs, target: "", met: null }));
      rows.push(row({ ...common, figure: `${call} client CPU/call ${dialect}`, unit: "us", value: r.clientUs, baseline: base.clientUs, target: "", met: null }));
    }
    return rows;
  } finally {
    await server.stop();
    await db.drop();
  }
}

/** CPU per call of everything on the machine, the call's and the no-op's: with every core busy, their quotient bounds the ratio. */
function cpuBudget(r: Load, base: Load): string {
  const parts = (l: Load) => [l.clientUs, l.serverUs, l.dbUs ?? 0];
  const sum = (l: Load) => parts(l).reduce((a, b) => a + b, 0);
  const show = (l: Load) => `${parts(l).slice(0, l.dbUs === undefined ? 2 : 3).map((x) => x.toFixed(0)).join(" + ")} = ${sum(l).toFixed(0)} us`;
  const who = r.dbUs === undefined ? "client + server" : "client + server + mariadbd";
  return `CPU per call (${who}) ${show(r)}, no-op ${show(base)}: on a saturated machine at most ${(sum(base) / sum(r)).toFixed(2)}x; ${r.machine}, no-op phase ${base.machine}`;
}

export async function benchApiReadLatency(s: ApiSizes): Promise<Row[]> {
  return [...await one("sqlite", s), ...await one("mysql", s)];
}
