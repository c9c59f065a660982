// What a heap grew by between two V8 heap snapshots of the same process
// (e.g. bench/idle-workers.ts with BENCH_HEAP_SNAPSHOT): objects grouped by
// type and constructor (closures also by their source location), sorted by the
// bytes added, with the count added per `per` units (e.g. per stream).
// Usage: node --import tsx bench/heap-diff.ts <before> <after> [per] [top]
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; location_fields: string[] } };
  nodes: number[];
  strings: string[];
  locations: number[];
}

type Groups = Map<string, { count: number; bytes: number }>;

function groups(file: string): Groups {
  const s = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const [fType, fName, fSize] = ["type", "name", "self_size"].map((f) => fields.indexOf(f)) as [number, number, number];
  const types = s.snapshot.meta.node_types[0];
  const lw = s.snapshot.meta.location_fields.length;
  const where = new Map<number, string>();
  for (let i = 0; i < s.locations.length; i += lw) where.set(s.locations[i]!, `script ${s.locations[i + 1]}:${s.locations[i + 2]! + 1}`);
  const out: Groups = new Map();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + fType]!]!;
    let name = s.strings[s.nodes[i + fName]!]!;
    if (type === "string" || type === "concatenated string" || type === "sliced string") name = "";
    if (name.length > 60) name = `${name.slice(0, 60)}...`;
    const loc = type === "closure" ? ` @${where.get(i) ?? "?"}` : "";
    const key = `${type} ${name}${loc}`;
    const g = out.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += s.nodes[i + fSize]!;
    out.set(key, g);
  }
  return out;
}

const [before, after, perArg, topArg] = process.argv.slice(2);
if (!before || !after) throw new Error("usage: heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [per] [top]");
const per = Number(perArg ?? 1);
const a = groups(before);
const b = groups(after);
const rows = [...b].map(([key, g]) => {
  const was = a.get(key) ?? { count: 0, bytes: 0 };
  return { key, count: (g.count - was.count) / per, bytes: (g.bytes - was.bytes) / per };
}).sort((x, y) => y.bytes - x.bytes);
const total = rows.reduce((t, r) => t + r.bytes, 0);
console.log(`heap grew by ${(total / 1024).toFixed(1)} KiB per unit (${per} units)`);
for (const r of rows.slice(0, Number(topArg ?? 40))) console.log(`${r.bytes.toFixed(0).padStart(8)} B ${r.count.toFixed(2).padStart(7)}x  ${r.key}`);
