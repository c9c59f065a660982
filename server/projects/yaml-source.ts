// Owns turning project-definition YAML text into a position-annotated node tree (YNode): size, node,
// map-key and depth limits, syntax errors, alias-expansion limit, alias resolution, duplicate keys (a
// linear Set check: the yaml package's own is quadratic) and `<<` merge keys. Every error names the key
// path and position where it was hit. Knows nothing of the project schema. Parsing uses the YAML 1.1
// schema, like PyYAML in JobServ (yes/no booleans, merges).
import { CST, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, parseDocument, visit, type ScalarTag, type Tags } from "yaml";
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
  /** Collections and scalars in the document (an aliased node counts once). */
  maxNodes: number;
  /** Keys of any one map. */
  maxMapKeys: number;
  /** Nesting of maps and lists (the document's root is depth 1). */
  maxDepth: number;
}

interface Ctx {
  doc: Document.Parsed;
  lines: LineCounter;
  limits: SourceLimits;
  nodes: number;
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
  precountScalars(text, limits.maxNodes);
  const lines = new LineCounter();
  // uniqueKeys: false — yaml's duplicate-key check compares every key with every earlier one (10k keys took
  // seconds); convertMap checks duplicates with a Set instead.
  const doc = parseDocument(text, { lineCounter: lines, version: "1.1", prettyErrors: true, customTags: withPyYamlBools, uniqueKeys: false });
  const err = doc.errors[0];
  if (err !== undefined) {
    const lp = err.linePos?.[0];
    const pos = lp === undefined ? undefined : { line: lp.line, column: lp.col };
    throw new ProjectDefinitionError("", pos, `YAML syntax error: ${stripPosition(err.message)}`);
  }
  const ctx: Ctx = { doc, lines, limits, nodes: 0, memo: new Map(), active: new Set() };
  const otherError = guardAliases(ctx, limits.maxAliasCount);
  if (doc.contents === null) return { kind: "scalar", pos: START, type: "null", value: null, text: "" };
  const root = convert(ctx, doc.contents, START, "", 1);
  checkWellFormed(text, lines);
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

/**
 * Refuses a text with more scalars than the node limit after lexing only, and only as far as the limit
 * (a small part of a full parse), so a huge map costs little to refuse. Every scalar token becomes one
 * node that convert() counts (`<<` merge keys excepted), so this never refuses what the walk accepts.
 */
function precountScalars(text: string, maxNodes: number): void {
  if (text.length <= 2 * maxNodes) return; // n scalars need at least 2n-1 characters (`1,1,1`)
  let count = 0;
  let offset = 0;
  let plain = false; // the token after the lexer's SCALAR marker is a plain or block scalar's text
  for (const tok of new Lexer().lex(text)) {
    if (tok === CST.SCALAR) {
      plain = true;
      continue;
    }
    if (tok === CST.DOCUMENT || tok === CST.FLOW_END) continue; // markers, not source text
    const type = CST.tokenType(tok);
    const isScalarToken = plain ? tok !== "<<" : type === "single-quoted-scalar" || type === "double-quoted-scalar";
    plain = false;
    if (isScalarToken && ++count > maxNodes) {
      let line = 1;
      for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
      const column = offset - text.lastIndexOf("\n", offset - 1);
      throw new ProjectDefinitionError("", { line, column }, `too many YAML nodes: the limit is ${maxNodes}`);
    }
    offset += tok.length;
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

/** `path` is the key path of `node` (for errors), `depth` its nesting (the root is 1). */
function convert(ctx: Ctx, node: unknown, fallback: SourcePos, path: string, depth: number): YNode {
  const pos = posOf(ctx, node, fallback) ?? fallback;
  if (isAlias(node)) {
    const target = node.resolve(ctx.doc);
    if (target === undefined) throw new ProjectDefinitionError(path, pos, `unresolved alias *${node.source}`);
    return { ...convertMemo(ctx, target, pos, path, depth, `*${node.source}`), pos };
  }
  return convertMemo(ctx, node, pos, path, depth, undefined);
}

function convertMemo(ctx: Ctx, node: unknown, pos: SourcePos, path: string, depth: number, alias: string | undefined): YNode {
  if (node === null || typeof node !== "object") return scalar(path, pos, node, undefined);
  const known = ctx.memo.get(node);
  if (known !== undefined) return known;
  if (ctx.active.has(node)) throw new ProjectDefinitionError(path, pos, `recursive YAML alias${alias === undefined ? "" : ` ${alias}`} (it refers to a node that contains it)`);
  ctx.active.add(node);
  const out = convertFresh(ctx, node, pos, path, depth);
  ctx.active.delete(node);
  ctx.memo.set(node, out);
  return out;
}

function convertFresh(ctx: Ctx, node: object, pos: SourcePos, path: string, depth: number): YNode {
  if (++ctx.nodes > ctx.limits.maxNodes) throw new ProjectDefinitionError(path, pos, `too many YAML nodes: the limit is ${ctx.limits.maxNodes}`);
  if (isScalar(node)) return scalar(path, pos, node.value, node.source);
  if (depth > ctx.limits.maxDepth) throw new ProjectDefinitionError(path, pos, `nested too deeply: the limit is ${ctx.limits.maxDepth} levels of maps and lists`);
  if (isSeq(node)) return { kind: "seq", pos, items: node.items.map((it, i) => convert(ctx, it, pos, childPath(path, i), depth + 1)) };
  if (isMap(node)) return convertMap(ctx, node.items, pos, path, depth);
  if (isPair(node)) return convertMap(ctx, [node], pos, path, depth); // `[a: 1]`, !!omap and !!pairs items
  throw new ProjectDefinitionError(path, pos, "unsupported YAML node");
}

function scalar(path: string, pos: SourcePos, value: unknown, source: unknown): YScalar {
  const type = scalarType(value);
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof source === "string" && source !== "") text = source;
  else text = String(value);
  const lone = loneSurrogateAt(text);
  if (lone >= 0) throw new ProjectDefinitionError(path, pos, `${surrogateName(text, lone)} at character ${lone + 1}: strings must be valid Unicode`);
  return { kind: "scalar", pos, type, value, text };
}

// In a `u` regex, a surrogate pair is one astral code point, so \p{Cs} matches only lone surrogates.
const LONE_SURROGATE = /\p{Cs}/u;

/** Index of the first lone UTF-16 surrogate (e.g. from a JSON `"\ud800"` escape), or -1 (well-formed). */
export function loneSurrogateAt(text: string): number {
  return LONE_SURROGATE.exec(text)?.index ?? -1;
}

function surrogateName(text: string, at: number): string {
  return `lone UTF-16 surrogate \\u${text.charCodeAt(at).toString(16)}`;
}

/** Surrogates outside any value (comments) still make text no store or protobuf message takes. */
function checkWellFormed(text: string, lines: LineCounter): void {
  const at = loneSurrogateAt(text);
  if (at < 0) return;
  const lp = lines.linePos(at);
  throw new ProjectDefinitionError("", { line: lp.line, column: lp.col }, `${surrogateName(text, at)}: the definition must be valid Unicode`);
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

function convertMap(ctx: Ctx, pairs: readonly PairLike[], pos: SourcePos, path: string, depth: number): YMap {
  const max = ctx.limits.maxMapKeys;
  if (pairs.length > max) {
    const at = posOf(ctx, pairs[max]!.key, pos) ?? pos;
    throw new ProjectDefinitionError(path, at, `a map with ${pairs.length} keys: the limit is ${max} keys per map`);
  }
  const entries: YEntry[] = [];
  const merges: YNode[] = [];
  const seen = new Set<string>();
  for (const pair of pairs) {
    const keyPos = posOf(ctx, pair.key, pos) ?? pos;
    if (isScalar(pair.key) && typeof pair.key.value === "symbol") {
      merges.push(convert(ctx, pair.value, keyPos, childPath(path, "<<"), depth + 1));
      continue;
    }
    const key = keyText(ctx, pair.key, keyPos, path, depth);
    const keyPath = childPath(path, key);
    if (seen.has(key)) throw new ProjectDefinitionError(keyPath, keyPos, `duplicate key "${key}" (map keys must be unique)`);
    seen.add(key);
    entries.push({ key, keyPos, value: convert(ctx, pair.value, keyPos, keyPath, depth + 1) });
  }
  for (const source of merges) {
    for (const entry of mergeEntries(source, path)) {
      if (seen.has(entry.key)) continue;
      seen.add(entry.key);
      entries.push(entry);
    }
  }
  return { kind: "map", pos, entries };
}

function keyText(ctx: Ctx, key: unknown, keyPos: SourcePos, path: string, depth: number): string {
  const node = convert(ctx, key, keyPos, path, depth + 1);
  if (node.kind !== "scalar") throw new ProjectDefinitionError(path, keyPos, "map keys must be plain scalars");
  if (node.type === "null" || node.text === "") throw new ProjectDefinitionError(path, keyPos, "empty map key");
  return node.text;
}

/** `<<: *map` or `<<: [*a, *b]`; earlier sources win over later ones (YAML merge-key spec). */
function mergeEntries(source: YNode, path: string): YEntry[] {
  const maps = source.kind === "seq" ? source.items : [source];
  const out: YEntry[] = [];
  for (const m of maps) {
    if (m.kind !== "map") throw new ProjectDefinitionError(childPath(path, "<<"), m.pos, "merge key (<<) values must be maps");
    out.push(...m.entries);
  }
  return out;
}

/** `parent.key`, `parent[3]`; keys that are not simple identifiers are quoted: `params["a b"]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  const seg = /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
  if (parent === "") return seg;
  return seg.startsWith('"') ? `${parent}[${seg}]` : `${parent}.${seg}`;
}
