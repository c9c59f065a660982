// Owns the top-level `scripts` and `script-repos` maps.
import { checkKeys, childPath, expectMap, opt, putOwn, readString, readStringMap, req } from "./node-readers.js";
import type { ScriptRepoSpec } from "./schema.js";
import type { YNode } from "./yaml-source.js";

export function readScripts(node: YNode, path: string): Record<string, string> {
  return readStringMap(node, path);
}

export function readScriptRepos(node: YNode, path: string): Record<string, ScriptRepoSpec> {
  const map = expectMap(node, path);
  const out: Record<string, ScriptRepoSpec> = {};
  for (const e of map.entries) {
    const p = childPath(path, e.key);
    const repo = expectMap(e.value, p);
    checkKeys(repo, p, ["clone-url", "git-ref", "token"]);
    const spec: ScriptRepoSpec = { cloneUrl: req(repo, p, "clone-url", readString) };
    const gitRef = opt(repo, p, "git-ref", readString);
    if (gitRef !== undefined) spec.gitRef = gitRef;
    const token = opt(repo, p, "token", readString);
    if (token !== undefined) spec.token = token;
    putOwn(out, e.key, spec);
  }
  return out;
}
