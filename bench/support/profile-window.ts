// Sums a .cpuprofile's self time over a time window, per function and per
// package (or node: / src folder), for the idle bench's profiles
// (BENCH_CPU_PROF prints each window in the profile's clock):
//   node --import tsx bench/support/profile-window.ts FILE.cpuprofile FROM_US TO_US [TOP]
// FROM_US/TO_US are microseconds in the profile's clock (monotonic); without
// them, the whole profile.
import fs from "node:fs";

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const [file, fromArg, toArg, topArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-window.ts FILE.cpuprofile [FROM_US TO_US [TOP]]");
const prof = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const from = fromArg ? Number(fromArg) : prof.startTime;
const to = toArg ? Number(toArg) : prof.endTime;
const top = Number(topArg) || 40;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));

function where(url: string): string {
  if (!url) return "(native/VM)";
  if (url.startsWith("node:")) return url.replace(/^node:(internal\/)?/, "node:").split("/").slice(0, 2).join("/");
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const m = /\/(server|common|gen|bench)\/(.*)$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

const fn = new Map<string, number>();
const pkg = new Map<string, number>();
let t = prof.startTime;
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i]!;
  // A sample's time is the delta to the next one.
  const dt = prof.timeDeltas[i + 1] ?? 0;
  if (t < from || t >= to) continue;
  const node = byId.get(prof.samples[i]!)!;
  const name = node.callFrame.functionName || "(anonymous)";
  if (name === "(idle)") continue;
  total += dt;
  const w = where(node.callFrame.url);
  const key = `${name} ${w}:${node.callFrame.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + dt);
  pkg.set(w, (pkg.get(w) ?? 0) + dt);
}
const span = (Math.min(to, prof.endTime) - Math.max(from, prof.startTime)) / 1e6;
const pct = (us: number) => `${((100 * us) / 1e6 / span).toFixed(2)} %`;
console.log(`window ${span.toFixed(1)} s: busy ${(total / 1000).toFixed(0)} ms = ${pct(total)} of a core (main thread, excluding (idle))`);
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(v / 1000).toFixed(1).padStart(9)} ms ${pct(v).padStart(8)}  ${k}`);
};
show("by package / folder", pkg);
show("by function", fn);
