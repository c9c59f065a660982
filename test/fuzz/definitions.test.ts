// Fuzz: mutated project definitions (examples/ and test/fixtures/projects,
// as YAML and as JSON) sent to CreateProject and UpdateProject of a real
// server process, then read back with GetProject and ListProjects. No answer
// may be a server fault or slower than the bound, and /healthz stays quick
// throughout (issue 9). Seeded: JOBSERV_FUZZ_SEED / JOBSERV_FUZZ_CASES.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { parse, stringify } from "yaml";
import { caseRng, fuzzConfig, FuzzLog, httpAnswer, startHealthPoller } from "./support/harness.js";
import { connectJson, startFuzzServer } from "./support/fuzz-server.js";
import { mutateText, mutateValue } from "./support/mutate.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SOURCES = [
  path.join(ROOT, "examples/hello.yml"),
  ...readdirSync(path.join(ROOT, "test/fixtures/projects")).filter((f) => f.endsWith(".yml")).map((f) => path.join(ROOT, "test/fixtures/projects", f)),
].map((file) => ({ name: path.basename(file), yaml: readFileSync(file, "utf8") }));

const PROJECTS = "jobserv.v1.ProjectService";

test("mutated definitions: no server fault, every answer within the bound, /healthz quick", async (t) => {
  const cfg = fuzzConfig(0x5eed0001, 1000);
  const server = await startFuzzServer(t);
  const log = new FuzzLog("definitions", cfg);
  // Projects that UpdateProject cases change; they start valid.
  for (const s of SOURCES) {
    const res = await connectJson(server.url, `${PROJECTS}/CreateProject`, { name: `base-${s.name.replace(/\W/g, "-")}`, definitionYaml: s.yaml });
    t.is(res.status, 200, `${s.name} is valid: ${await res.text()}`);
  }
  const health = await startHealthPoller(t, server.url);
  await log.runAll((i) => {
    if (i % 50 === 49) {
      // Reads of whatever was accepted so far (GetProject of a project UpdateProject cases change).
      const name = `base-${SOURCES[i % SOURCES.length]!.name.replace(/\W/g, "-")}`;
      return i % 100 === 99
        ? { kind: "ListProjects", what: "after the cases so far", send: async () => httpAnswer(await connectJson(server.url, `${PROJECTS}/ListProjects`, {})) }
        : { kind: "GetProject", what: name, send: async () => httpAnswer(await connectJson(server.url, `${PROJECTS}/GetProject`, { name })) };
    }
    const r = caseRng(cfg.seed, i);
    const source = r.pick(SOURCES);
    // Mostly cheap mutations; one case in 25 may take an expensive shape (many keys, deep nesting, a huge string).
    const big = r.int(25) === 0;
    let definition: string;
    let what: string;
    const form = r.int(4);
    if (form === 0) {
      ({ value: definition, what } = mutateText(r, source.yaml));
    } else {
      const m = mutateValue(r, parse(source.yaml) as unknown, big);
      const rounds = r.int(3);
      let value = m.value;
      what = m.what;
      for (let k = 0; k < rounds; k++) {
        const more = mutateValue(r, value, false);
        value = more.value;
        what += `; ${more.what}`;
      }
      definition = form === 1 ? JSON.stringify(value) : stringify(value, { aliasDuplicateObjects: false });
      if (form === 3) {
        const bytes = mutateText(r, definition);
        definition = bytes.value;
        what += `; then ${bytes.what}`;
      }
    }
    const update = r.int(3) === 0;
    const name = update ? `base-${source.name.replace(/\W/g, "-")}` : `fz-${i}`;
    const method = update ? "UpdateProject" : "CreateProject";
    return { kind: method, what: `${source.name} ${form === 1 ? "as JSON" : "as YAML"}: ${what}`,
      send: async () => httpAnswer(await connectJson(server.url, `${PROJECTS}/${method}`, { name, definitionYaml: definition })) };
  });
  log.assert(t, await health.stop());
});
