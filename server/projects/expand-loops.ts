// Owns `loop-on` expansion: one RawRun becomes the RunSpecs of the cartesian product of its loop
// values (itertools.product order: last param varies fastest), with `{loop}` substituted in the run
// name and in its chained triggers' name/run-names, and the default host-tag applied.
import { fail, putOwn } from "./node-readers.js";
import type { RawChained } from "./parse-chained.js";
import type { RawRun, RunBase } from "./parse-run.js";
import type { RunSpec } from "./schema.js";

/**
 * EXTENSION: JobServ requires `host-tag` unless loop-on provides it; we default to "*" (any worker)
 * so JobServ's README example, which omits it, is accepted.
 */
export const DEFAULT_HOST_TAG = "*";

const LOOP = "{loop}";

export interface ExpandedRun {
  spec: RunSpec;
  source: RawRun;
  /** `chains[i]` is where `spec.triggers[i]` was written. */
  chains: RawChained[];
}

export function expandRun(raw: RawRun, maxRuns: number): ExpandedRun[] {
  if (raw.loopOn.length === 0) {
    if (raw.name.includes(LOOP)) fail(raw.namePath, raw.namePos, `run name uses "${LOOP}" but the run has no loop-on`);
    return [build(raw, raw.name, "", [], [])];
  }
  const lists = raw.loopOn.map((l) => l.values);
  let total = 1;
  for (const l of lists) {
    total *= l.length;
    if (total > maxRuns) fail(raw.loopOnPath, raw.loopOnPos, `loop-on expands to more than ${maxRuns} runs`);
  }
  const out: ExpandedRun[] = [];
  const idx = lists.map(() => 0);
  for (let n = 0; n < total; n++) {
    const combo = lists.map((l, i) => l[idx[i] ?? 0] ?? "");
    const loopName = combo.join("-");
    out.push(build(raw, raw.name.replaceAll(LOOP, loopName), loopName, raw.loopOn.map((l) => l.param), combo));
    for (let i = idx.length - 1; i >= 0; i--) {
      idx[i] = (idx[i] ?? 0) + 1;
      if ((idx[i] ?? 0) < (lists[i]?.length ?? 0)) break;
      idx[i] = 0;
    }
  }
  return out;
}

function build(raw: RawRun, name: string, loopName: string, params: string[], values: string[]): ExpandedRun {
  const base = cloneBase(raw.base);
  const loopValues: Record<string, string> = {};
  let hostTag = base.hostTag ?? DEFAULT_HOST_TAG;
  params.forEach((param, i) => {
    const value = values[i] ?? "";
    putOwn(loopValues, param, value);
    if (param !== "host-tag") putOwn(base.params, param, value);
    else if (value.trim() === "") fail(raw.loopOnPath, raw.loopOnPos, "loop-on host-tag values must not be empty");
    else hostTag = value.toLowerCase();
  });
  const sub = (s: string): string => (loopName === "" ? s : s.replaceAll(LOOP, loopName));
  const triggers = raw.triggers.map((t) => {
    const c: RunSpec["triggers"][number] = { name: sub(t.name) };
    if (t.runNames !== undefined) c.runNames = sub(t.runNames);
    return c;
  });
  return { spec: { name, ...base, hostTag, triggers, loopValues }, source: raw, chains: raw.triggers };
}

function cloneBase(b: RunBase): RunBase & { params: Record<string, string> } {
  const copy: RunBase = {
    ...b,
    params: copyRecord(b.params),
    capAdd: [...b.capAdd],
    capDrop: [...b.capDrop],
    persistentVolumes: copyRecord(b.persistentVolumes),
    sharedVolumes: copyRecord(b.sharedVolumes),
  };
  if (b.scriptRepo !== undefined) copy.scriptRepo = { ...b.scriptRepo };
  if (b.consoleProgress !== undefined) copy.consoleProgress = { ...b.consoleProgress };
  if (b.testGrepping !== undefined) {
    copy.testGrepping = { ...b.testGrepping, fixupdict: copyRecord(b.testGrepping.fixupdict) };
  }
  return copy;
}

export function copyRecord(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) putOwn(out, k, v);
  return out;
}
