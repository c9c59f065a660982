// Owns parseProjectDefinition: YAML text → validated, loop-expanded ProjectDefinition. Every problem,
// expected or not, surfaces as a ProjectDefinitionError (key path + line/column when known).
import { checkChains } from "./check-chains.js";
import { ProjectDefinitionError } from "./definition-error.js";
import {
  checkKeys, childPath, describe, expectSeq, readBool, fail, opt, readString, readStringish, readStringMap, reqEntry,
} from "./node-readers.js";
import { readEmail, readWebhooks } from "./parse-notify.js";
import { readScriptRepos, readScripts } from "./parse-script-repos.js";
import { readTrigger } from "./parse-trigger.js";
import type { ParsedTrigger } from "./parse-trigger.js";
import type { ProjectDefinition } from "./schema.js";
import { readYamlSource } from "./yaml-source.js";
import type { YNode } from "./yaml-source.js";

export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_MAX_ALIAS_COUNT = 100;
/** Bounds on the document's shape, so that no accepted definition costs more than a few ms to read. */
export const DEFAULT_MAX_NODES = 50_000;
export const DEFAULT_MAX_MAP_KEYS = 5_000;
export const DEFAULT_MAX_DEPTH = 64;
/** Cap on runs per trigger after loop-on expansion (JobServ has none; protects the server). */
export const DEFAULT_MAX_RUNS_PER_TRIGGER = 1000;

export interface ParseOptions {
  maxBytes?: number;
  maxAliasCount?: number;
  maxNodes?: number;
  maxMapKeys?: number;
  maxDepth?: number;
  maxRunsPerTrigger?: number;
}

const TOP_KEYS = ["description", "timeout", "triggers", "params", "scripts", "script-repos", "email", "webhooks", "synchronous-builds"] as const;

export function parseProjectDefinition(text: string, opts: ParseOptions = {}): ProjectDefinition {
  try {
    if (typeof text !== "string") fail("", undefined, "project definition must be a string");
    return parseChecked(text, opts);
  } catch (e) {
    if (e instanceof ProjectDefinitionError) throw e;
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new ProjectDefinitionError("", undefined, `could not parse project definition (${why})`);
  }
}

function parseChecked(text: string, opts: ParseOptions): ProjectDefinition {
  const root = readYamlSource(text, {
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
    maxAliasCount: opts.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT,
    maxNodes: opts.maxNodes ?? DEFAULT_MAX_NODES,
    maxMapKeys: opts.maxMapKeys ?? DEFAULT_MAX_MAP_KEYS,
    maxDepth: opts.maxDepth ?? DEFAULT_MAX_DEPTH,
  });
  if (root.kind !== "map") fail("", root.pos, "the project definition must be a YAML map (timeout, triggers, ...)");
  checkKeys(root, "", TOP_KEYS);
  const catalog = {
    scripts: opt(root, "", "scripts", readScripts) ?? {},
    scriptRepos: opt(root, "", "script-repos", readScriptRepos) ?? {},
  };
  const def: ProjectDefinition = {
    timeoutSeconds: readTimeout(reqEntry(root, "", "timeout").value, "timeout"),
    params: opt(root, "", "params", (n, p) => readStringMap(n, p, readStringish)) ?? {},
    scripts: catalog.scripts,
    scriptRepos: catalog.scriptRepos,
    webhooks: opt(root, "", "webhooks", readWebhooks) ?? [],
    triggers: [],
  };
  const description = opt(root, "", "description", readString);
  if (description !== undefined) def.description = description;
  const email = opt(root, "", "email", readEmail);
  if (email !== undefined) def.email = email;
  const synchronous = opt(root, "", "synchronous-builds", readBool);
  if (synchronous !== undefined) def.synchronousBuilds = synchronous;
  const triggersNode = expectSeq(reqEntry(root, "", "triggers").value, "triggers", true);
  const maxRuns = opts.maxRunsPerTrigger ?? DEFAULT_MAX_RUNS_PER_TRIGGER;
  const parsed: ParsedTrigger[] = [];
  const names = new Map<string, string>();
  triggersNode.items.forEach((item, i) => {
    const t = readTrigger(item, childPath("triggers", i), catalog, maxRuns);
    const other = names.get(t.spec.name);
    if (other !== undefined) fail(t.namePath, t.namePos, `duplicate trigger name "${t.spec.name}" (also ${other})`);
    names.set(t.spec.name, childPath("triggers", i));
    parsed.push(t);
  });
  checkChains(parsed);
  def.triggers = parsed.map((t) => t.spec);
  return def;
}

/**
 * JobServ's `timeout` is whole minutes. Extension: a duration string with a
 * unit, `90s`, `20m` or `2h`, for runs that need finer limits. Returns seconds.
 */
function readTimeout(node: YNode, path: string): number {
  const v = node.kind === "scalar" ? node.value : undefined;
  if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) return v * 60;
  const m = typeof v === "string" ? /^([1-9][0-9]{0,6})(s|m|h)$/.exec(v) : null;
  if (m) return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"];
  fail(path, node.pos, `expected a positive whole number of minutes (or a duration like 90s, 20m, 2h), got ${describe(node)}`);
}
