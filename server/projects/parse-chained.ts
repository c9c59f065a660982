// Owns the `triggers:` list of chained triggers (trigger-level and run-level): {name, run-names}.
import type { SourcePos } from "./definition-error.js";
import { checkKeys, childPath, expectMap, expectSeq, opt, readString, reqEntry } from "./node-readers.js";
import type { YNode } from "./yaml-source.js";

/** A chained trigger as written, with where its name came from (for later existence/depth errors). */
export interface RawChained {
  name: string;
  runNames?: string;
  /** Key path of the `name` key, e.g. `triggers[0].runs[2].triggers[0].name`. */
  namePath: string;
  namePos: SourcePos;
}

export function readChained(node: YNode, path: string): RawChained[] {
  return expectSeq(node, path).items.map((item, i) => {
    const p = childPath(path, i);
    const map = expectMap(item, p);
    checkKeys(map, p, ["name", "run-names"]);
    const namePath = childPath(p, "name");
    const nameNode = reqEntry(map, p, "name").value;
    const out: RawChained = { name: readString(nameNode, namePath), namePath, namePos: nameNode.pos };
    const runNames = opt(map, p, "run-names", readString);
    if (runNames !== undefined) out.runNames = runNames;
    return out;
  });
}
