// The deployment files stay true to the code: every environment variable the
// Kubernetes manifests, the systemd units (and their example env files), the
// image's Dockerfile and the reference deployment set is one the server or
// worker reads (or a documented reader: the AWS SDK, Node, the Docker client),
// and each JOBSERV_ one has a row in README's table. The manifests hang
// together (probes on /readyz and /healthz at the container's port, Service
// and PodDisruptionBudget selecting the server pods, every Secret/ConfigMap
// key they reference exists); systemd-analyze finds nothing wrong in the units.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { parseAllDocuments } from "yaml";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (rel: string) => readFileSync(path.join(ROOT, rel), "utf8");

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(ROOT, rel)).isDirectory() ? sources(rel) : /\.(ts|mjs)$/.test(rel) ? [rel] : [];
  });
}

/** Variables our code reads: env["X"], process.env["X"], process.env.X, and the config modules' env.port("X", ...) (common/env-values.ts). */
function readByCode(): Set<string> {
  const names = new Set<string>();
  for (const file of ["server", "worker", "cli", "common", "deploy/images"].flatMap(sources)) {
    for (const m of read(file).matchAll(/env(?:\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]|\.([A-Z][A-Z0-9_]*)|\.[a-z][A-Za-z]*\(\s*["']([A-Z][A-Z0-9_]*)["'])/g)) names.add(m[1] ?? m[2] ?? m[3]!);
  }
  return names;
}

/** Read by libraries and the runtime, not by our code: who reads each. */
const EXTERNAL: Record<string, string> = {
  AWS_ACCESS_KEY_ID: "AWS SDK credential chain", AWS_SECRET_ACCESS_KEY: "AWS SDK credential chain", AWS_SESSION_TOKEN: "AWS SDK credential chain",
  AWS_PROFILE: "AWS SDK credential chain", AWS_ROLE_ARN: "AWS SDK web identity", AWS_WEB_IDENTITY_TOKEN_FILE: "AWS SDK web identity",
  AWS_REQUEST_CHECKSUM_CALCULATION: "AWS SDK checksums", NODE_EXTRA_CA_CERTS: "Node (trusted CAs)", PATH: "the shell",
};

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function manifests(): Doc[] {
  const dir = "deploy/kubernetes";
  return readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
    .flatMap((f) => parseAllDocuments(read(path.join(dir, f))).map((d) => ({ ...(d.toJS() as Doc), file: f })));
}

const podSpecs = (docs: Doc[]) => docs.filter((d) => d.kind === "Deployment" || d.kind === "Job").map((d) => ({ doc: d, spec: d.spec.template.spec as Doc }));

/** Names each deployment file sets, with where. */
function setByDeployFiles(): Map<string, string> {
  const set = new Map<string, string>();
  const add = (name: string, where: string) => { if (!set.has(name)) set.set(name, where); };
  const docs = manifests();
  for (const d of docs) {
    if (d.kind === "ConfigMap" || d.kind === "Secret") for (const k of Object.keys({ ...d.data, ...d.stringData })) add(k, `${d.file} ${d.kind}`);
  }
  for (const { doc, spec } of podSpecs(docs)) {
    for (const c of spec.containers as Doc[]) for (const e of (c.env ?? []) as Doc[]) add(e.name, `${doc.file} ${doc.metadata.name}`);
  }
  for (const unit of ["jobserv-server.service", "jobserv-worker.service"]) {
    for (const m of read(`deploy/systemd/${unit}`).matchAll(/^Environment=([A-Z0-9_]+)=/gm)) add(m[1]!, unit);
  }
  for (const example of ["server.env.example", "worker.env.example"]) {
    for (const m of read(`deploy/systemd/${example}`).matchAll(/^#?([A-Z][A-Z0-9_]+)=/gm)) add(m[1]!, example);
  }
  const dockerfile = read("deploy/images/Dockerfile");
  for (const line of dockerfile.replace(/\\\n/g, " ").split("\n").filter((l) => l.startsWith("ENV "))) {
    for (const m of line.matchAll(/([A-Z][A-Z0-9_]+)=/g)) add(m[1]!, "Dockerfile");
  }
  for (const m of read("deploy/reference/up.sh").matchAll(/-e "?([A-Z][A-Z0-9_]+)=/g)) add(m[1]!, "reference/up.sh");
  return set;
}

test("every variable the deployment files set is read by the code (or a named library), and README names the JOBSERV_ ones", (t) => {
  const code = readByCode();
  const set = setByDeployFiles();
  t.true(set.size > 25, `found ${set.size} variables: the parsing works`);
  const unread = [...set].filter(([name]) => !code.has(name) && !(name in EXTERNAL)).map(([n, where]) => `${n} (${where})`);
  t.deepEqual(unread, [], "set but read by nobody");
  const readme = read("README.md");
  // A row may abbreviate siblings: "`JOBSERV_WORKER_NAME`, `_TAGS`, `_CONCURRENCY`".
  const documented = (name: string) => readme.includes(name) || [...name.matchAll(/_/g)].some((m) => {
    const prefix = name.slice(0, m.index);
    return readme.split("\n").some((line) => line.includes(prefix) && line.includes(`\`${name.slice(m.index)}\``));
  });
  const undocumented = [...set.keys()].filter((n) => (n.startsWith("JOBSERV_") || n.startsWith("AWS_")) && !documented(n));
  t.deepEqual(undocumented, [], "missing from README");
});

test("the manifests hang together: probes, selectors, referenced keys, kustomization", (t) => {
  const docs = manifests();
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const server = byKind("Deployment").find((d) => d.metadata.name === "jobserv-server")!;
  const container = server.spec.template.spec.containers[0] as Doc;
  const ports = new Set((container.ports as Doc[]).flatMap((p) => [p.name, p.containerPort]));
  t.is(container.readinessProbe.httpGet.path, "/readyz");
  t.is(container.livenessProbe.httpGet.path, "/healthz");
  for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) t.true(ports.has(probe.httpGet.port));
  const env = Object.fromEntries((container.env as Doc[]).map((e) => [e.name, e.value]));
  t.true(ports.has(Number(env["JOBSERV_PORT"])), "the server listens on the container port");
  const labels = server.spec.template.metadata.labels as Record<string, string>;
  const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
  t.true(selects(byKind("Service")[0]!.spec.selector), "the Service selects the server pods");
  t.true(selects(byKind("PodDisruptionBudget")[0]!.spec.selector.matchLabels), "the PodDisruptionBudget covers them");
  t.true(selects(server.spec.selector.matchLabels));
  t.true(ports.has(byKind("Service")[0]!.spec.ports[0].targetPort));

  const secretKeys = new Set(Object.keys(byKind("Secret")[0]!.stringData));
  const names = { ConfigMap: new Set(byKind("ConfigMap").map((d) => d.metadata.name)), Secret: new Set(byKind("Secret").map((d) => d.metadata.name)) };
  for (const { doc, spec } of podSpecs(docs)) {
    for (const c of spec.containers as Doc[]) {
      for (const from of (c.envFrom ?? []) as Doc[]) {
        if (from.configMapRef) t.true(names.ConfigMap.has(from.configMapRef.name), `${doc.metadata.name}: ConfigMap ${from.configMapRef.name}`);
        if (from.secretRef) t.true(names.Secret.has(from.secretRef.name), `${doc.metadata.name}: Secret ${from.secretRef.name}`);
      }
      for (const e of (c.env ?? []) as Doc[]) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) t.true(names.Secret.has(ref.name) && secretKeys.has(ref.key), `${doc.metadata.name}: ${ref.name}/${ref.key}`);
      }
    }
  }
  const kustomization = parseAllDocuments(read("deploy/kubernetes/kustomization.yaml"))[0]!.toJS() as Doc;
  for (const file of kustomization.resources as string[]) t.notThrows(() => statSync(path.join(ROOT, "deploy/kubernetes", file)), file);
});

test("systemd-analyze verify finds nothing wrong in the units (but the install-specific binary path)", (t) => {
  const units = ["jobserv-server.service", "jobserv-worker.service"].map((u) => path.join(ROOT, "deploy/systemd", u));
  execFileSync("systemd-analyze", ["--version"]); // present: fail loudly otherwise
  const out = spawnSync("systemd-analyze", ["verify", ...units], { encoding: "utf8" });
  const problems = `${out.stdout}${out.stderr}`.split("\n").filter((l) => l.trim() && !/Command \/usr\/local\/bin\/node is not executable/.test(l));
  t.deepEqual(problems, []);
});
