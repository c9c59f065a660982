// Owns reading one `triggers:` entry: name/type checks, its runs (loop-expanded, final run names
// validated and unique), build-level chained triggers, trigger-level notifications.
import type { SourcePos } from "./definition-error.js";
import { expandRun } from "./expand-loops.js";
import type { ExpandedRun } from "./expand-loops.js";
import { readChained } from "./parse-chained.js";
import type { RawChained } from "./parse-chained.js";
import { readEmail, readWebhooks } from "./parse-notify.js";
import { readRun } from "./parse-run.js";
import type { ScriptCatalog } from "./parse-run.js";
import {
  checkKeys, childPath, describe, expectMap, expectSeq, fail, opt, readString, readStringish, readStringMap, req, reqEntry,
} from "./node-readers.js";
import { TRIGGER_TYPES } from "./schema.js";
import type { TriggerSpec, TriggerType } from "./schema.js";
import type { YNode } from "./yaml-source.js";

const TRIGGER_KEYS = ["name", "type", "params", "runs", "triggers", "email", "webhooks", "queue-priority"] as const;
/** Queue priorities (higher first) are bounded so they stay far from integer limits. */
export const MAX_QUEUE_PRIORITY = 1_000_000;
const MAX_TRIGGER_NAME = 80;
const MAX_RUN_NAME = 80; // final run names must be shorter than this
/** Also the shell-pattern characters a host-tag loop value such as `arm*` puts into names (JobServ accepts them). */
const RUN_NAME = /^[A-Za-z0-9._*?[\]!-]+$/;

/** Where a chained-trigger reference was written, after `{loop}` substitution. */
export interface ChainRef {
  name: string;
  path: string;
  pos: SourcePos;
}

export interface ParsedTrigger {
  spec: TriggerSpec;
  namePath: string;
  namePos: SourcePos;
  /** Every chained trigger this trigger can fire: build-level and from any of its runs. */
  chains: ChainRef[];
}

export function readTrigger(node: YNode, path: string, catalog: ScriptCatalog, maxRuns: number): ParsedTrigger {
  const map = expectMap(node, path);
  checkKeys(map, path, TRIGGER_KEYS);
  const namePath = childPath(path, "name");
  const nameNode = reqEntry(map, path, "name").value;
  const name = readString(nameNode, namePath);
  if (name.trim() === "") fail(namePath, nameNode.pos, "must not be empty");
  if (name.length > MAX_TRIGGER_NAME) {
    fail(namePath, nameNode.pos, `trigger name is ${name.length} characters; at most ${MAX_TRIGGER_NAME} allowed`);
  }
  const type = req(map, path, "type", readTriggerType);
  const params = opt(map, path, "params", (n, p) => readStringMap(n, p, readStringish)) ?? {};
  const runsPath = childPath(path, "runs");
  const runsNode = expectSeq(reqEntry(map, path, "runs").value, runsPath, true);
  const expanded: ExpandedRun[] = [];
  runsNode.items.forEach((item, i) => {
    const raw = readRun(item, childPath(runsPath, i), catalog);
    expanded.push(...expandRun(raw, maxRuns));
    if (expanded.length > maxRuns) fail(raw.path, item.pos, `trigger expands to more than ${maxRuns} runs`);
  });
  checkRunNames(expanded);
  const buildChains = opt(map, path, "triggers", readChained) ?? [];
  const spec: TriggerSpec = {
    name,
    type,
    params,
    runs: expanded.map((r) => r.spec),
    triggers: buildChains.map(({ name: n, runNames }) => (runNames === undefined ? { name: n } : { name: n, runNames })),
    webhooks: opt(map, path, "webhooks", readWebhooks) ?? [],
    queuePriority: opt(map, path, "queue-priority", readPriority) ?? 0,
  };
  const email = opt(map, path, "email", readEmail);
  if (email !== undefined) spec.email = email;
  return { spec, namePath, namePos: nameNode.pos, chains: collectChains(buildChains, expanded) };
}

/** Extension: `queue-priority` (JobServ keeps it on the trigger row): an integer, higher runs first. */
function readPriority(node: YNode, path: string): number {
  const n = node.kind === "scalar" && node.type === "number" ? Number(node.text) : NaN;
  if (!Number.isInteger(n) || Math.abs(n) > MAX_QUEUE_PRIORITY) fail(path, node.pos, `expected an integer between -${MAX_QUEUE_PRIORITY} and ${MAX_QUEUE_PRIORITY}, got ${describe(node)}`);
  return n;
}

function readTriggerType(node: YNode, path: string): TriggerType {
  const t = readString(node, path);
  const found = TRIGGER_TYPES.find((x) => x === t);
  if (found === undefined) fail(path, node.pos, `unknown trigger type "${t}"; valid types: ${TRIGGER_TYPES.join(", ")}`);
  return found;
}

function checkRunNames(runs: ExpandedRun[]): void {
  const seen = new Map<string, string>();
  for (const { spec, source } of runs) {
    const { name } = spec;
    if (name.length >= MAX_RUN_NAME) {
      fail(source.namePath, source.namePos, `run name "${name}" is ${name.length} characters; it must be shorter than ${MAX_RUN_NAME}`);
    }
    if (!RUN_NAME.test(name)) {
      fail(source.namePath, source.namePos, `run name "${name}" may only contain letters, digits, ".", "_", "-" and the host-tag pattern characters "*?[]!"`);
    }
    const other = seen.get(name);
    if (other !== undefined) {
      const also = other === source.path ? "by the same loop-on" : `by ${other}`;
      fail(source.namePath, source.namePos, `duplicate run name "${name}" (also produced ${also})`);
    }
    seen.set(name, source.path);
  }
}

function collectChains(buildChains: RawChained[], runs: ExpandedRun[]): ChainRef[] {
  const out: ChainRef[] = buildChains.map((c) => ({ name: c.name, path: c.namePath, pos: c.namePos }));
  for (const r of runs) {
    r.spec.triggers.forEach((t, i) => {
      const src = r.chains[i];
      if (src !== undefined) out.push({ name: t.name, path: src.namePath, pos: src.namePos });
    });
  }
  return out;
}
