// The steps after the script: upload everything under /archive (status
// UPLOADING meanwhile), read tests from `junit.xml*` files at the top of
// /archive and from test-grepping of the console, report them, and turn the
// script's verdict into FAILED when a test failed, a JUnit file could not be
// parsed or an upload was refused. Simulated runs only print what they found.
import { readFile } from "node:fs/promises";
import type { RunDefinition } from "../../gen/jobserv/v1/run_definition_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { ContainerResult } from "../executor/executor.js";
import { listArchive, type ArchiveFile } from "./archive-files.js";
import type { ConsoleCopy } from "./console-copy.js";
import { parseJunit } from "./junit.js";
import { grepTests } from "./test-grepping.js";
import type { TestRecord } from "./test-record.js";

export interface Verdict { status: Status; message: string }

export interface PostScriptArgs {
  def: RunDefinition;
  /** The host folder mounted as the container's /archive. */
  archiveDir: string;
  result: ContainerResult;
  /** The verdict from the script's exit. */
  verdict: Verdict;
  /** The run's reporter, keeping the console copy test-grepping reads. */
  reporter: ConsoleCopy;
  /** The run's (masked) console output. */
  out: { write(data: string): void; flush(): Promise<void> };
  /** Aborts when the run is cancelled: uploads stop and the verdict is "cancelled". */
  cancel: AbortSignal;
}

/** JUnit files bigger than this are not parsed (and fail the run). */
const MAX_JUNIT_BYTES = 64 * 1024 * 1024;
/** The server accepts this many results per run. */
const MAX_RESULTS = 10_000;
const UPLOADS_AT_ONCE = 4;

export async function runPostScript(a: PostScriptArgs): Promise<Verdict> {
  if (a.result.ending === "cancelled") return a.verdict;
  const problems: string[] = [];
  const { files, skipped } = await listArchive(a.archiveDir);
  for (const s of skipped) a.out.write(`== not uploaded, not a regular file: ${s}\n`);

  const tests: TestRecord[] = [];
  for (const f of files.filter((f) => !f.relPath.includes("/") && f.relPath.startsWith("junit.xml"))) {
    try {
      if (f.size > MAX_JUNIT_BYTES) throw new Error(`${f.size} bytes; at most ${MAX_JUNIT_BYTES} are parsed`);
      tests.push(...parseJunit(await readFile(f.file, "utf8"), f.relPath));
    } catch (e) {
      problems.push(`${f.relPath} could not be parsed`);
      a.out.write(`== ${f.relPath}: could not be parsed: ${(e as Error).message}\n`);
    }
  }
  // Everything the script printed must be in the console copy before it is searched.
  await a.out.flush();
  if (a.def.testGrepping?.resultPattern) {
    const { text, truncated } = await a.reporter.text();
    if (truncated) a.out.write("== test-grepping: only the first 64 MiB of the console were searched\n");
    tests.push(...grepTests(text, a.def.testGrepping));
  }

  if (a.def.simulated) {
    for (const f of files) a.out.write(`== artifact (not uploaded, simulated): ${f.relPath} (${f.size} bytes)\n`);
  } else if (files.length) {
    await a.reporter.status(Status.UPLOADING, "");
    const bytes = files.reduce((n, f) => n + f.size, 0);
    a.out.write(`== uploading ${files.length} artifact${files.length === 1 ? "" : "s"} (${bytes} bytes)\n`);
    try {
      await inParallel(files, UPLOADS_AT_ONCE, a.cancel, (f) => a.reporter.uploadArtifact(f.relPath, f.file, f.size));
    } catch (e) {
      problems.push(`artifact upload failed: ${(e as Error).message}`);
      a.out.write(`== artifact upload failed: ${(e as Error).message}\n`);
    }
  }

  if (a.cancel.aborted) return { status: Status.FAILED, message: "cancelled" };
  const failed = tests.flatMap((t) => t.results.filter((r) => r.status === Status.FAILED).map((r) => r.name || t.name));
  if (tests.length) {
    a.out.write(`== tests: ${summary(tests)}\n`);
    if (!a.def.simulated) await a.reporter.reportTests(capResults(tests, MAX_RESULTS, a.out));
  }
  if (failed.length) {
    const names = failed.slice(0, 3).join(", ") + (failed.length > 3 ? ", ..." : "");
    problems.push(`${failed.length} test${failed.length === 1 ? "" : "s"} failed: ${names}`);
  }
  if (!problems.length) return a.verdict;
  const before = a.verdict.status === Status.FAILED ? [a.verdict.message] : [];
  return { status: Status.FAILED, message: [...before, ...problems].join("; ") };
}

function summary(tests: TestRecord[]): string {
  const results = tests.flatMap((t) => t.results);
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  return `${tests.length} test${tests.length === 1 ? "" : "s"}, ${results.length} results: `
    + `${count(Status.PASSED)} passed, ${count(Status.FAILED)} failed, ${count(Status.SKIPPED)} skipped`;
}

/** The tests with at most `max` results in all; the cut is said in the console. */
function capResults(tests: TestRecord[], max: number, out: PostScriptArgs["out"]): TestRecord[] {
  let left = max;
  const capped = tests.map((t) => {
    const results = t.results.slice(0, Math.max(0, left));
    left -= results.length;
    return { ...t, results };
  });
  const total = tests.reduce((n, t) => n + t.results.length, 0);
  if (total > max) out.write(`== tests: ${total} results; only the first ${max} are reported\n`);
  return capped;
}

async function inParallel(files: ArchiveFile[], width: number, cancel: AbortSignal, upload: (f: ArchiveFile) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (next < files.length && failure === undefined && !cancel.aborted) {
      const f = files[next++]!;
      try {
        await upload(f);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, files.length) }, lane));
  if (failure !== undefined) throw failure;
}
