// The import tables of README.md, server/README.md and worker/README.md read
// as rules: each `| folder | owns | may import |` row says which relative
// imports the files of that folder (or that one file) may make. The grammar
// is README.md's "Import tables"; this module parses it and judges imports.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

/** A repository path: a folder ends with "/", a file does not. */
export type RepoPath = string;

export interface ImportRule {
  readme: string;
  /** The row's folder (`server/api/`) or file (`server/main.ts`). */
  subject: RepoPath;
  /** What its files may import besides their own folder. */
  allowed: RepoPath[];
  /** `node only`: packages other than Node's built-ins are refused too. */
  nodeOnly: boolean;
  /** Terms that name nothing in the tree, or that the grammar does not know. */
  unknown: string[];
}

const HEADER = /^\|\s*folder\s*\|\s*owns\s*\|\s*may import\s*\|\s*$/;

/** The rows of the one import table in `readme` (a path from the repository root). */
export function readImportTable(readme: string): ImportRule[] {
  const base = path.posix.dirname(readme) === "." ? "" : `${path.posix.dirname(readme)}/`;
  const lines = readFileSync(path.join(ROOT, readme), "utf8").split("\n");
  const start = lines.findIndex((l) => HEADER.test(l));
  if (start < 0) throw new Error(`${readme} has no "| folder | owns | may import |" table`);
  const rules: ImportRule[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split("|").slice(1, -1).map((c) => c.trim());
    if (cells.length !== 3) throw new Error(`${readme}: a row needs three cells: ${line}`);
    const subject = resolve(base, unquote(cells[0]!));
    if (subject === undefined) throw new Error(`${readme}: row ${cells[0]} names nothing in the tree`);
    rules.push(parseMayImport(readme, base, subject, cells[2]!, rules.map((r) => r.subject)));
  }
  return rules;
}

function parseMayImport(readme: string, base: string, subject: RepoPath, cell: string, above: RepoPath[]): ImportRule {
  const rule: ImportRule = { readme, subject, allowed: [], nodeOnly: false, unknown: [] };
  const terms = cell.replace(/\([^)]*\)/g, "").split(",").map((t) => unquote(t.trim())).filter((t) => t !== "");
  for (const term of terms) {
    if (term === "npm only") continue;
    if (term === "node only") { rule.nodeOnly = true; continue; }
    if (term === "everything above") { rule.allowed.push(...above); continue; }
    const target = term.includes("/") ? resolve("", term) : resolve(base, term);
    if (target === undefined || /\s/.test(term)) rule.unknown.push(term);
    else rule.allowed.push(target);
  }
  return rule;
}

function unquote(s: string): string {
  return s.replace(/^`(.*)`$/, "$1");
}

/** `base` + `name` as a repository path if it exists: folders get a trailing "/". */
function resolve(base: string, name: string): RepoPath | undefined {
  const rel = `${base}${name}`.replace(/\/$/, "");
  const abs = path.join(ROOT, rel);
  if (!existsSync(abs)) return undefined;
  return statSync(abs).isDirectory() ? `${rel}/` : rel;
}

/** Whether `file` lies under the rule's subject. */
export function covers(subject: RepoPath, file: RepoPath): boolean {
  return subject.endsWith("/") ? file.startsWith(subject) : file === subject;
}

/** An import specifier, as written in `file`, judged by `rule`: undefined if allowed, else why not. */
export function judge(rule: ImportRule, file: RepoPath, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) {
    return rule.nodeOnly && !specifier.startsWith("node:") ? `${file} -> ${specifier} (row ${rule.subject} says node only)` : undefined;
  }
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, ".ts");
  if (covers(rule.subject, target)) return undefined;
  if (rule.allowed.some((a) => covers(a, target))) return undefined;
  return `${file} -> ${target} (row ${rule.subject} of ${rule.readme})`;
}
