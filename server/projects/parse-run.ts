// Owns reading one `runs:` entry as written (before loop-on expansion): key/type checks, script vs
// script-repo, volumes, regex keys. Produces a RawRun that expand-loops.ts turns into RunSpecs.
import type { SourcePos } from "./definition-error.js";
import { readChained } from "./parse-chained.js";
import type { RawChained } from "./parse-chained.js";
import {
  checkKeys, childPath, expectMap, expectSeq, fail, opt, optEntry, readBool, readString, readStringish,
  readStringList, readStringMap, req, reqEntry,
} from "./node-readers.js";
import { pythonRegExp } from "../../common/python-regex.js";
import type { RunSpec, ScriptRepoSpec } from "./schema.js";
import type { YMap, YNode } from "./yaml-source.js";

const RUN_KEYS = [
  "name", "container", "container-auth", "host-tag", "script", "script-repo", "params", "loop-on",
  "privileged", "cap-add", "cap-drop", "container-user", "container-entrypoint", "persistent-volumes",
  "shared-volumes", "console-progress", "test-grepping", "triggers",
] as const;

const VOLUME_NAME = /^[a-zA-Z0-9_.-]+$/;

export interface LoopParam {
  param: string;
  values: string[];
}

/** Everything of a RunSpec except what loop expansion decides; hostTag may still be missing. */
export type RunBase = Omit<RunSpec, "name" | "hostTag" | "triggers" | "loopValues"> & { hostTag?: string };

export interface RawRun {
  path: string;
  name: string;
  namePath: string;
  namePos: SourcePos;
  base: RunBase;
  loopOn: LoopParam[];
  loopOnPath: string;
  loopOnPos: SourcePos;
  triggers: RawChained[];
}

export interface ScriptCatalog {
  scripts: Record<string, string>;
  scriptRepos: Record<string, ScriptRepoSpec>;
}

export function readRun(node: YNode, path: string, catalog: ScriptCatalog): RawRun {
  const map = expectMap(node, path);
  checkKeys(map, path, RUN_KEYS);
  const namePath = childPath(path, "name");
  const nameNode = reqEntry(map, path, "name").value;
  const name = readNonEmpty(nameNode, namePath);
  const base: RunBase = {
    container: req(map, path, "container", readNonEmpty),
    params: opt(map, path, "params", (n, p) => readStringMap(n, p, readStringish)) ?? {},
    privileged: opt(map, path, "privileged", readBool) ?? false,
    capAdd: opt(map, path, "cap-add", readStringList) ?? [],
    capDrop: opt(map, path, "cap-drop", readStringList) ?? [],
    persistentVolumes: opt(map, path, "persistent-volumes", (n, p) => readStringMap(n, p, readString, VOLUME_NAME)) ?? {},
    sharedVolumes: opt(map, path, "shared-volumes", (n, p) => readStringMap(n, p)) ?? {},
  };
  const hostTag = opt(map, path, "host-tag", readNonEmpty);
  if (hostTag !== undefined) base.hostTag = hostTag.toLowerCase();
  const containerAuth = opt(map, path, "container-auth", readString);
  if (containerAuth !== undefined) base.containerAuth = containerAuth;
  const user = opt(map, path, "container-user", readStringish);
  if (user !== undefined) base.containerUser = user;
  const entrypoint = opt(map, path, "container-entrypoint", readString);
  if (entrypoint !== undefined) base.containerEntrypoint = entrypoint;
  const progress = opt(map, path, "console-progress", readConsoleProgress);
  if (progress !== undefined) base.consoleProgress = progress;
  const grepping = opt(map, path, "test-grepping", readTestGrepping);
  if (grepping !== undefined) base.testGrepping = grepping;
  readScriptChoice(map, path, catalog, base);
  const loopEntry = optEntry(map, "loop-on");
  const loopOnPath = childPath(path, "loop-on");
  return {
    path,
    name,
    namePath,
    namePos: nameNode.pos,
    base,
    loopOn: loopEntry === undefined ? [] : readLoopOn(loopEntry.value, loopOnPath),
    loopOnPath,
    loopOnPos: loopEntry?.value.pos ?? map.pos,
    triggers: opt(map, path, "triggers", readChained) ?? [],
  };
}

function readNonEmpty(node: YNode, path: string): string {
  const s = readString(node, path);
  if (s.trim() === "") fail(path, node.pos, "must not be empty");
  return s;
}

function readScriptChoice(map: YMap, path: string, catalog: ScriptCatalog, base: RunBase): void {
  const script = optEntry(map, "script");
  const repo = optEntry(map, "script-repo");
  if (script !== undefined && repo !== undefined) {
    fail(childPath(path, "script-repo"), repo.keyPos, '"script" and "script-repo" are mutually exclusive');
  }
  if (script !== undefined) {
    const p = childPath(path, "script");
    const name = readString(script.value, p);
    if (!Object.hasOwn(catalog.scripts, name)) {
      fail(p, script.value.pos, `unknown script "${name}"; ${defined("scripts", catalog.scripts)}`);
    }
    base.script = name;
    return;
  }
  if (repo === undefined) fail(childPath(path, "script"), map.pos, 'one of "script" or "script-repo" is required');
  const p = childPath(path, "script-repo");
  const rm = expectMap(repo.value, p);
  checkKeys(rm, p, ["name", "path"]);
  const nameNode = reqEntry(rm, p, "name").value;
  const name = readString(nameNode, childPath(p, "name"));
  if (!Object.hasOwn(catalog.scriptRepos, name)) {
    fail(childPath(p, "name"), nameNode.pos, `unknown script repo "${name}"; ${defined("script-repos", catalog.scriptRepos)}`);
  }
  base.scriptRepo = { name, path: req(rm, p, "path", readString) };
}

function defined(what: string, record: Record<string, unknown>): string {
  const names = Object.keys(record);
  return names.length === 0 ? `no ${what} are defined` : `defined ${what}: ${names.join(", ")}`;
}

function readLoopOn(node: YNode, path: string): LoopParam[] {
  const seen = new Set<string>();
  return expectSeq(node, path, true).items.map((item, i) => {
    const p = childPath(path, i);
    const map = expectMap(item, p);
    checkKeys(map, p, ["param", "values"]);
    const paramNode = reqEntry(map, p, "param").value;
    const param = readNonEmpty(paramNode, childPath(p, "param"));
    if (seen.has(param)) fail(childPath(p, "param"), paramNode.pos, `duplicate loop-on param "${param}"`);
    seen.add(param);
    const values = req(map, p, "values", (n, vp) =>
      expectSeq(n, vp, true).items.map((v, j) => readStringish(v, childPath(vp, j))),
    );
    return { param, values };
  });
}

function readPattern(node: YNode, path: string): string {
  const pattern = readString(node, path);
  try {
    pythonRegExp(pattern);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    fail(path, node.pos, `invalid regular expression: ${why}`);
  }
  return pattern;
}

function readConsoleProgress(node: YNode, path: string): { progressPattern: string } {
  const map = expectMap(node, path);
  checkKeys(map, path, ["progress-pattern"]);
  return { progressPattern: req(map, path, "progress-pattern", readPattern) };
}

function readTestGrepping(node: YNode, path: string): NonNullable<RunSpec["testGrepping"]> {
  const map = expectMap(node, path);
  checkKeys(map, path, ["test-pattern", "result-pattern", "fixupdict"]);
  const out: NonNullable<RunSpec["testGrepping"]> = {
    resultPattern: req(map, path, "result-pattern", readPattern),
    fixupdict: opt(map, path, "fixupdict", (n, p) => readStringMap(n, p, readStringish)) ?? {},
  };
  const testPattern = opt(map, path, "test-pattern", readPattern);
  if (testPattern !== undefined) out.testPattern = testPattern;
  return out;
}
