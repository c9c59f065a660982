// A strict parser of the Prometheus text exposition format (0.0.4), for tests
// that scrape /metrics: every line must be a HELP, a TYPE or a well-formed
// sample of a declared family, or parsing throws naming the line. Also
// Prometheus' own linter, `promtool check metrics` (Debian's prometheus).
import { spawnSync } from "node:child_process";

/** promtool's complaints about an exposition ("" when clean); throws if promtool cannot run. */
export function promtoolProblems(text: string): string {
  const r = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  if (r.error) throw new Error(`promtool: ${r.error.message} (scripts/ensure-services.sh installs Debian's prometheus package)`);
  return r.status === 0 ? "" : `${r.stdout}${r.stderr}`;
}
export interface Sample { name: string; labels: Record<string, string>; value: number }
export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** The one sample of `name` whose labels include `labels`; throws if none or several. */
  get(name: string, labels?: Record<string, string>): number;
  /** Every sample of `name`. */
  all(name: string): Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\["\\n])*)"(,|$)/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(text: string, line: string): number {
  // Go's ParseFloat, which Prometheus uses, takes these in any case (prom-client writes "Nan").
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value in: ${line}`);
  return Number(text);
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length) {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`bad labels in: ${line}`);
    if (m[1]! in labels) throw new Error(`duplicate label ${m[1]} in: ${line}`);
    labels[m[1]!] = m[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
    rest = rest.slice(m[0].length);
  }
  return labels;
}

/** The family a sample belongs to: histogram/summary samples carry a suffix. */
function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  return m && ["histogram", "summary"].includes(types.get(m[1]!) ?? "") ? m[1] : undefined;
}

export function parsePrometheus(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
      if (!m) {
        if (/^# (HELP|TYPE)/.test(line)) throw new Error(`bad comment: ${line}`);
        continue;
      }
      if (m[1] === "TYPE") {
        if (!TYPES.has(m[3]!)) throw new Error(`bad type: ${line}`);
        if (types.has(m[2]!)) throw new Error(`TYPE declared twice: ${line}`);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`bad sample: ${line}`);
    if (!familyOf(m[1]!, types)) throw new Error(`sample of an undeclared family: ${line}`);
    samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? "", line), value: parseValue(m[3]!, line) });
  }
  const all = (name: string) => samples.filter((s) => s.name === name);
  return {
    types, samples, all,
    get(name, labels = {}) {
      const found = all(name).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      if (found.length !== 1) throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)}`);
      return found[0]!.value;
    },
  };
}
