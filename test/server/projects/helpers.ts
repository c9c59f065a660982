// Owns shared helpers for the project-definition tests: fixture loading, line-array YAML, and
// capturing the ProjectDefinitionError of an invalid definition.
import { readFileSync } from "node:fs";
import type { ExecutionContext } from "ava";
import { ProjectDefinitionError } from "../../../server/projects/definition-error.js";
import { parseProjectDefinition } from "../../../server/projects/parse.js";
import type { ParseOptions } from "../../../server/projects/parse.js";

export const FIXTURES = ["readme-example", "loop-on", "full"] as const;

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/projects/${name}.yml`, import.meta.url), "utf8");
}

/** Lines joined with "\n" so that line N of the YAML is element N-1. */
export function yml(...lines: string[]): string {
  return lines.join("\n") + "\n";
}

/** A valid two-run definition; runs[1] is on lines 9-11. */
export const BASE = [
  "timeout: 5", // 1
  "triggers:", // 2
  "  - name: ci", // 3
  "    type: simple", // 4
  "    runs:", // 5
  "      - name: lint", // 6
  "        container: alpine", // 7
  "        script: lint", // 8
  "      - name: unit", // 9
  "        container: alpine", // 10
  "        script: test", // 11
  "scripts:", // 12
  "  lint: echo lint", // 13
  "  test: echo test", // 14
];

/** BASE with line `n` (1-based) replaced by `replacement` (which may hold several lines). */
export function baseWith(n: number, ...replacement: string[]): string {
  return yml(...BASE.slice(0, n - 1), ...replacement, ...BASE.slice(n));
}

export interface ExpectedError {
  keyPath: string;
  line?: number;
  column?: number;
  match?: RegExp;
}

export function assertDefinitionError(t: ExecutionContext, text: string, want: ExpectedError, opts?: ParseOptions): ProjectDefinitionError {
  const err = t.throws(() => parseProjectDefinition(text, opts), { instanceOf: ProjectDefinitionError });
  if (err === undefined) throw new Error("expected a ProjectDefinitionError");
  t.is(err.keyPath, want.keyPath, err.message);
  t.is(err.line, want.line, err.message);
  t.is(err.column, want.column, err.message);
  if (want.match !== undefined) t.regex(err.message, want.match);
  return err;
}
