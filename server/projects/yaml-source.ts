// Owns turning project-definition YAML text into a position-annotated node tree (YNode): size limit,
// syntax errors, alias-expansion limit, alias resolution and `<<` merge keys. Knows nothing of the
// project schema. Parsing uses the YAML 1.1 schema, like PyYAML in JobServ (yes/no booleans, merges).
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type ScalarTag, type Tags } from "yaml";
import type { Document } from "yaml";
import { ProjectDefinitionError } from "./definition-error.js";
import type { SourcePos } from "./definition-error.js";

export type ScalarType = "string" | "number" | "boolean" | "null" | "other";

export interface YScalar {
  kind: "scalar";
  pos: SourcePos;
  type: ScalarType;
  value: unknown;
  /** The string itself, or for other scalars the text as written (`3.10`, `yes`, `0755`). */
  text: string;
}
export interface YEntry {
  key: string;
  keyPos: SourcePos;
  value: YNode;
}
export interface YMap {
  kind: "map";
  pos: SourcePos;
  entries: YEntry[];
}
export interface YSeq {
  kind: "seq";
  pos: SourcePos;
  items: YNode[];
}
export type YNode = YScalar | YMap | YSeq;

export interface SourceLimits {
  maxBytes: number;
  maxAliasCount: number;
}

interface Ctx {
  doc: Document.Parsed;
  lines: LineCounter;
  memo: Map<object, YNode>;
  active: Set<object>;
}

const START: SourcePos = { line: 1, column: 1 };

const BOOL_TAG = "tag:yaml.org,2002:bool";

/**
 * PyYAML's booleans (what JobServ reads): yes/no/true/false/on/off in three
 * casings. The YAML 1.1 spec (and the yaml package) also take y/Y/n/N, which
 * would turn a loop param named `N` into `false`.
 */
const pyYamlBool: ScalarTag = {
  identify: (v) => typeof v === "boolean",
  default: true,
  tag: BOOL_TAG,
  test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  resolve: (s) => /^(?:yes|true|on)$/i.test(s),
};

const withPyYamlBools = (tags: Tags): Tags => [pyYamlBool, ...tags.filter((t) => typeof t === "string" ? t !== "bool" : t.tag !== BOOL_TAG)];

export function readYamlSource(text: string, limits: SourceLimits): YNode {
  checkSize(text, limits.maxBytes);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, version: "1.1", prettyErrors: true, customTags: withPyYamlBools });
  const err = doc.errors[0];
  if (err !== undefined) {
    const lp = err.linePos?.[0];
    const pos = lp === undefined ? undefined : { line: lp.line, column: lp.col };
    throw new ProjectDefinitionError("", pos, `YAML syntax error: ${stripPosition(err.message)}`);
  }
  const ctx: Ctx = { doc, lines, memo: new Map(), active: new Set() };
  const otherError = guardAliases(ctx, limits.maxAliasCount);
  if (doc.contents === null) return { kind: "scalar", pos: START, type: "null", value: null, text: "" };
  const root = convert(ctx, doc.contents, START);
  // The converter reports merge-key problems with a position; anything else yaml saw is still fatal.
  if (otherError !== undefined) throw new ProjectDefinitionError("", undefined, `invalid YAML: ${otherError}`);
  return root;
}

function checkSize(text: string, maxBytes: number): void {
  // UTF-8 never uses fewer bytes than UTF-16 code units, so a long string fails before encoding.
  const bytes = text.length > maxBytes ? text.length : new TextEncoder().encode(text).byteLength;
  if (bytes > maxBytes) {
    throw new ProjectDefinitionError("", undefined, `project definition is larger than ${maxBytes} bytes`);
  }
}

function stripPosition(message: string): string {
  return message.replace(/ at line \d+, column \d+:[\s\S]*$/, "").trim();
}

/**
 * Lets `yaml` itself resolve every alias with its resource-exhaustion guard before we walk anything.
 * Alias problems (ReferenceError) are thrown; any other failure message is returned.
 */
function guardAliases(ctx: Ctx, maxAliasCount: number): string | undefined {
  try {
    ctx.doc.toJS({ maxAliasCount, mapAsMap: true });
    return undefined;
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    if (e instanceof ReferenceError) throw new ProjectDefinitionError("", firstAliasPos(ctx), `YAML alias error: ${detail}`);
    return detail;
  }
}

function firstAliasPos(ctx: Ctx): SourcePos | undefined {
  let pos: SourcePos | undefined;
  visit(ctx.doc, {
    Alias: (_key, node) => {
      pos = posOf(ctx, node, undefined);
      return visit.BREAK;
    },
  });
  return pos;
}

function posOf(ctx: Ctx, node: unknown, fallback: SourcePos | undefined): SourcePos | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (range === undefined) return fallback;
  const lp = ctx.lines.linePos(range[0]);
  return { line: lp.line, column: lp.col };
}

function convert(ctx: Ctx, node: unknown, fallback: SourcePos): YNode {
  const pos = posOf(ctx, node, fallback) ?? fallback;
  if (isAlias(node)) {
    const target = node.resolve(ctx.doc);
    if (target === undefined) throw new ProjectDefinitionError("", pos, `unresolved alias *${node.source}`);
    return { ...convertMemo(ctx, target, pos), pos };
  }
  return convertMemo(ctx, node, pos);
}

function convertMemo(ctx: Ctx, node: unknown, pos: SourcePos): YNode {
  if (node === null || typeof node !== "object") return scalar(pos, node, undefined);
  const known = ctx.memo.get(node);
  if (known !== undefined) return known;
  if (ctx.active.has(node)) throw new ProjectDefinitionError("", pos, "recursive YAML alias");
  ctx.active.add(node);
  const out = convertFresh(ctx, node, pos);
  ctx.active.delete(node);
  ctx.memo.set(node, out);
  return out;
}

function convertFresh(ctx: Ctx, node: object, pos: SourcePos): YNode {
  if (isScalar(node)) return scalar(pos, node.value, node.source);
  if (isSeq(node)) return { kind: "seq", pos, items: node.items.map((it) => convert(ctx, it, pos)) };
  if (isMap(node)) return convertMap(ctx, node.items, pos);
  if (isPair(node)) return convertMap(ctx, [node], pos); // `[a: 1]`, !!omap and !!pairs items
  throw new ProjectDefinitionError("", pos, "unsupported YAML node");
}

function scalar(pos: SourcePos, value: unknown, source: unknown): YScalar {
  const type = scalarType(value);
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof source === "string" && source !== "") text = source;
  else text = String(value);
  return { kind: "scalar", pos, type, value, text };
}

function scalarType(value: unknown): ScalarType {
  if (typeof value === "string") return "string";
  if (typeof value === "number" || typeof value === "bigint") return "number";
  if (typeof value === "boolean") return "boolean";
  if (value === null || value === undefined) return "null";
  return "other";
}

interface PairLike {
  key: unknown;
  value: unknown;
}

function convertMap(ctx: Ctx, pairs: readonly PairLike[], pos: SourcePos): YMap {
  const entries: YEntry[] = [];
  const merges: YNode[] = [];
  const seen = new Set<string>();
  for (const pair of pairs) {
    const keyPos = posOf(ctx, pair.key, pos) ?? pos;
    if (isScalar(pair.key) && typeof pair.key.value === "symbol") {
      merges.push(convert(ctx, pair.value, keyPos));
      continue;
    }
    const key = keyText(ctx, pair.key, keyPos);
    if (seen.has(key)) throw new ProjectDefinitionError("", keyPos, `duplicate key "${key}"`);
    seen.add(key);
    entries.push({ key, keyPos, value: convert(ctx, pair.value, keyPos) });
  }
  for (const source of merges) {
    for (const entry of mergeEntries(source)) {
      if (seen.has(entry.key)) continue;
      seen.add(entry.key);
      entries.push(entry);
    }
  }
  return { kind: "map", pos, entries };
}

function keyText(ctx: Ctx, key: unknown, keyPos: SourcePos): string {
  const node = convert(ctx, key, keyPos);
  if (node.kind !== "scalar") throw new ProjectDefinitionError("", keyPos, "map keys must be plain scalars");
  if (node.type === "null" || node.text === "") throw new ProjectDefinitionError("", keyPos, "empty map key");
  return node.text;
}

/** `<<: *map` or `<<: [*a, *b]`; earlier sources win over later ones (YAML merge-key spec). */
function mergeEntries(source: YNode): YEntry[] {
  const maps = source.kind === "seq" ? source.items : [source];
  const out: YEntry[] = [];
  for (const m of maps) {
    if (m.kind !== "map") throw new ProjectDefinitionError("", m.pos, "merge key (<<) values must be maps");
    out.push(...m.entries);
  }
  return out;
}
