// `jobserv workers list | enlist NAME [--allow TAG]... | disable NAME | delete NAME`:
// workers and what they reported (WorkerAdminService). A disabled worker keeps
// its runs but gets no new ones; a deleted one must register again.
import { create } from "@bufbuild/protobuf";
import { ListWorkersResponseSchema, WorkerAdminService, WorkerSchema, type Worker } from "../gen/jobserv/v1/worker_admin_pb.js";
import { JSON_OPTION, parseApiArgs } from "./args.js";
import { UsageError } from "./errors.js";
import { allPages } from "./pages.js";
import { printJson, printTable } from "./output.js";

const USAGE = "usage: jobserv workers list | enlist NAME [--allow TAG]... | disable NAME | delete NAME  [--json] [--url URL]";

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals, api } = parseApiArgs(rest, { ...JSON_OPTION, allow: { type: "string", multiple: true, default: [] } });
  const admin = api(WorkerAdminService);
  const [name] = positionals;
  if (sub === "list") {
    if (positionals.length) throw new UsageError(USAGE);
    const all = await allPages(async (pageToken) => {
      const res = await admin.listWorkers({ pageToken });
      return { items: res.workers, nextPageToken: res.nextPageToken };
    });
    if (values.json) { printJson(ListWorkersResponseSchema, create(ListWorkersResponseSchema, { workers: all })); return 0; }
    printTable(["NAME", "ENLISTED", "ONLINE", "HOST-TAGS", "CONCURRENCY", "ACTIVE", "DISTRO", "CPU", "MEMORY", "DISK-FREE", "LOAD", "VERSION", "TAKES-RUNS"], all.map(row));
    return 0;
  }
  if (!name || positionals.length > 1 || (values.allow.length && sub !== "enlist")) throw new UsageError(USAGE);
  switch (sub) {
    case "enlist":
    case "disable": {
      const enlisted = sub === "enlist";
      const { worker } = await admin.enlistWorker({ name, enlisted, allowedHostTags: values.allow });
      if (values.json) printJson(WorkerSchema, worker!);
      else console.log(`worker ${name} ${enlisted ? "enlisted" : "disabled"}${worker!.allowedHostTags.length ? ` (host tags ${worker!.allowedHostTags.join(",")})` : ""}`);
      return 0;
    }
    case "delete":
      await admin.deleteWorker({ name });
      if (values.json) console.log("{}");
      else console.log(`worker ${name} deleted`);
      return 0;
    default:
      throw new UsageError(USAGE);
  }
}

function row(w: Worker): string[] {
  const f = w.facts;
  const cpu = f?.cpuTotal ? `${f.cpuTotal}x ${f.cpuType || "?"}` : f?.cpuType || "-";
  return [
    w.name, w.enlisted ? "yes" : "no", w.online ? "yes" : "no", w.hostTags.join(",") || "-", String(w.concurrency), String(w.activeRuns),
    f?.distro || "-", cpu, f?.memTotalBytes ? formatBytes(f.memTotalBytes) : "-",
    f?.diskFreeBytes ? formatBytes(f.diskFreeBytes) : "-", f ? f.loadAvg1m.toFixed(2) : "-", f?.version || "-",
    // Why it gets no new runs (low disk, surges only, ...), or the surges it helps with.
    w.idleReason ? `no: ${w.idleReason}` : w.surgesOnly ? `yes (surge: ${w.surgeTags.join(",")})` : "yes",
  ];
}

/** 1536 MiB → "1.5GiB". */
function formatBytes(n: bigint): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1).replace(/\.0$/, "")}${units[i]}`;
}
