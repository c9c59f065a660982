// JUnit XML -> tests, with JobServ's mapping: every <testsuite> (nested ones
// too) is a Test named by its `name` ("junit" if none) with context
// "<file> skipped=<n>"; each of its <testcase>s is a result named by `name`
// with `classname` as context: FAILED with the failure/error text as output,
// SKIPPED, or PASSED. A suite with a failed case is FAILED.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { TestRecord, TestResultRecord } from "./test-record.js";

/** Output kept per failed case; the server refuses more than 64 KiB. */
const MAX_OUTPUT = 60 * 1024;

type Node = Record<string, unknown>;

/** Parses one JUnit file; throws an Error saying why when it is not well-formed XML. */
export function parseJunit(xml: string, fileName: string): TestRecord[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`line ${valid.err.line}: ${valid.err.msg}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    textNodeName: "#text",
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    isArray: (name) => ["testsuites", "testsuite", "testcase", "failure", "error", "skipped"].includes(name),
  });
  const tests: TestRecord[] = [];
  collectSuites(parser.parse(xml) as Node, fileName, tests);
  return tests;
}

function collectSuites(node: Node, fileName: string, out: TestRecord[]): void {
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("@") || key === "#text" || !Array.isArray(value)) {
      if (value && typeof value === "object" && !Array.isArray(value)) collectSuites(value as Node, fileName, out);
      continue;
    }
    for (const child of value) {
      if (!child || typeof child !== "object") continue;
      if (key === "testsuite") out.push(toTest(child as Node, fileName));
      collectSuites(child as Node, fileName, out);
    }
  }
}

function toTest(suite: Node, fileName: string): TestRecord {
  const cases = (suite["testcase"] as unknown[] | undefined) ?? [];
  const results = cases.map((c) => toResult(typeof c === "object" && c ? c as Node : {}));
  const counted = results.filter((r) => r.status === Status.SKIPPED).length;
  // Some tools leave the skipped attribute out; others count more than they list.
  const skipped = Math.max(Number(attr(suite, "skipped")) || 0, counted);
  return {
    name: attr(suite, "name") || "junit",
    context: `${fileName} skipped=${skipped}`,
    status: results.some((r) => r.status === Status.FAILED) ? Status.FAILED : Status.PASSED,
    results,
  };
}

function toResult(tc: Node): TestResultRecord {
  const base = { name: attr(tc, "name"), context: attr(tc, "classname") };
  for (const tag of ["failure", "error"]) {
    const found = tc[tag] as unknown[] | undefined;
    if (found?.length) return { ...base, status: Status.FAILED, output: describe(tag, found[0]).slice(0, MAX_OUTPUT) };
  }
  if ((tc["skipped"] as unknown[] | undefined)?.length) return { ...base, status: Status.SKIPPED, output: "" };
  return { ...base, status: Status.PASSED, output: "" };
}

/** "<tag> (<type>): <message>" and the element's text on the lines after. */
function describe(tag: string, element: unknown): string {
  if (typeof element === "string") return `${tag}:\n${element.trim()}`;
  const el = (element ?? {}) as Node;
  const type = attr(el, "type");
  const message = attr(el, "message");
  const text = typeof el["#text"] === "string" ? el["#text"].trim() : "";
  return `${tag}${type ? ` (${type})` : ""}: ${message}${text ? `\n${text}` : ""}`;
}

function attr(node: Node, name: string): string {
  const v = node[`@${name}`];
  return typeof v === "string" ? v : "";
}
