// The benchmark report: one row per figure, each beside the baseline measured
// in the same run, printed as a table and written as JSON.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Row {
  bench: string;
  /** What was measured, e.g. "p99 sqlite". */
  figure: string;
  /** Sizes that ran, e.g. "50 triggers". */
  size: string;
  value: number;
  unit: string;
  baseline: number | null;
  baselineLabel: string;
  /** value / baseline; null without a baseline. */
  ratio: number | null;
  /** The target in words, e.g. "<= 100 ms". */
  target: string;
  met: boolean | null;
  note?: string;
}

export function row(r: Omit<Row, "ratio"> & { ratio?: number | null }): Row {
  const ratio = r.ratio !== undefined ? r.ratio : r.baseline ? r.value / r.baseline : null;
  return { ...r, ratio };
}

const fmt = (v: number | null): string => {
  if (v === null || Number.isNaN(v)) return "-";
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 0.1 ? v.toFixed(2) : v.toPrecision(2);
};

export function formatTable(rows: readonly Row[]): string {
  const head = ["benchmark", "figure", "size", "jobserv", "baseline", "ratio", "target", "met"];
  const body = rows.map((r) => [
    r.bench, r.figure, r.size, `${fmt(r.value)} ${r.unit}`,
    r.baseline === null ? "-" : `${fmt(r.baseline)} ${r.unit} (${r.baselineLabel})`,
    r.ratio === null ? "-" : `${fmt(r.ratio)}x`, r.target || "-", r.met === null ? "-" : r.met ? "yes" : "NO",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("-|-"), ...body.map(line)].join("\n");
}

export function writeResults(file: string, rows: readonly Row[], meta: Record<string, unknown>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "", memBytes: os.totalmem(), node: process.version, loadavg: os.loadavg() };
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), machine, ...meta, rows }, null, 2) + "\n");
}
