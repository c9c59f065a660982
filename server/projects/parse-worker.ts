// Owns the parser thread's side of ParsePool: each message is a definition's text, each answer the
// parsed definition or the ProjectDefinitionError's parts (errors do not cross threads as classes).
import { parentPort } from "node:worker_threads";
import { ProjectDefinitionError } from "./definition-error.js";
import { parseProjectDefinition } from "./parse.js";
import type { ProjectDefinition } from "./schema.js";

/** After the first message ("ready"), one answer per text. */
export type WorkerAnswer =
  | { definition: ProjectDefinition }
  | { keyPath: string; line?: number; column?: number; detail: string };

parentPort?.on("message", (text: string) => {
  let answer: WorkerAnswer;
  try {
    answer = { definition: parseProjectDefinition(text) };
  } catch (e) {
    const err = e instanceof ProjectDefinitionError ? e : new ProjectDefinitionError("", undefined, String(e));
    answer = { keyPath: err.keyPath, detail: err.detail, ...(err.line === undefined ? {} : { line: err.line, column: err.column }) };
  }
  parentPort!.postMessage(answer);
});
parentPort?.postMessage("ready");
