// Project definitions used by several tests.
export const TEST_IMAGE = "jobserv/busybox:latest";

/** Two runs: one prints known lines (stdout and stderr interleaved) and passes, one fails. */
export const PASS_FAIL_YAML = `
timeout: 2
triggers:
  - name: ci
    type: simple
    runs:
      - name: good
        container: ${TEST_IMAGE}
        host-tag: test-*
        script: good
      - name: bad
        container: ${TEST_IMAGE}
        host-tag: test-*
        script: bad
params:
  GREETING: hello
scripts:
  good: |
    #!/bin/sh -e
    echo "line 1: $GREETING from $H_PROJECT build $H_BUILD run $H_RUN"
    echo "line 2 on stderr" >&2
    i=3; while [ $i -le 200 ]; do echo "line $i"; i=$((i+1)); done
  bad: |
    #!/bin/sh
    echo "about to fail"
    exit 1
`;

/** The console output the runs of PASS_FAIL_YAML print in build `build` of `project`. */
export function expectedGoodLog(project: string, build: number): string {
  const lines = [`line 1: hello from ${project} build ${build} run good`, "line 2 on stderr"];
  for (let i = 3; i <= 200; i++) lines.push(`line ${i}`);
  return lines.join("\n") + "\n";
}

/** Splits a console.log into the runner's "steps to recreate" stanza (with the image line after it) and what the container printed. */
export function splitStanza(log: string): { stanza: string; output: string } {
  if (!log.startsWith("== Steps to recreate inside simulator\n")) throw new Error(`log does not start with the stanza: ${log.slice(0, 80)}`);
  let end = log.indexOf("\n\n") + 2;
  if (log.startsWith("== image ", end)) end = log.indexOf("\n", end) + 1;
  return { stanza: log.slice(0, end), output: log.slice(end) };
}

/**
 * A project with one simple trigger `t` and one run `run` (on host tag
 * `tag`, in the test image) whose script is `script` (shell lines; a
 * `#!/bin/sh` line is put before them).
 */
export function oneRunProject(opts: { tag: string; script: string; run?: string; timeout?: number }): string {
  const run = opts.run ?? "r";
  return `
timeout: ${opts.timeout ?? 3}
triggers:
  - name: t
    type: simple
    runs:
      - name: ${run}
        container: ${TEST_IMAGE}
        host-tag: ${opts.tag}
        script: ${run}
scripts:
  ${run}: |
    #!/bin/sh
${opts.script.trim().split("\n").map((l) => `    ${l}`).join("\n")}
`;
}

/**
 * A project whose one run, `count`, prints `lines` numbered lines
 * ("line N <text>"), sleeping `pause.seconds` after every `pause.every` lines:
 * a run that streams for a while, for tests that break things meanwhile.
 * Returns the YAML and exactly what the container prints.
 */
export function countingProject(opts: { tag: string; lines: number; text: string; pause: { every: number; seconds: number }; timeout?: number }): { yaml: string; expected: string } {
  const yaml = oneRunProject({ tag: opts.tag, run: "count", timeout: opts.timeout ?? 3, script: `
i=1
while [ $i -le ${opts.lines} ]; do
  echo "line $i ${opts.text}"
  [ $((i % ${opts.pause.every})) -eq 0 ] && sleep ${opts.pause.seconds}
  i=$((i+1))
done` });
  const expected = Array.from({ length: opts.lines }, (_, i) => `line ${i + 1} ${opts.text}\n`).join("");
  return { yaml, expected };
}

/**
 * A project with one forge trigger (`type`, named `trigger`) holding `params`
 * (a YAML mapping, e.g. "GH_BRANCH: master"; none when empty) and one run
 * `run` (on host tag `tag`, if given) whose script echoes `say` (or does nothing).
 */
export function forgeProject(o: { trigger: string; type: string; params?: Record<string, string>; run: string; tag?: string; say?: string }): string {
  const params = Object.entries(o.params ?? {}).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}\n`).join("");
  return `
timeout: 1
triggers:
  - name: ${o.trigger}
    type: ${o.type}
${params ? `    params:\n${params}` : ""}    runs:
      - name: ${o.run}
        container: img
${o.tag ? `        host-tag: ${o.tag}\n` : ""}        script: s
scripts:
  s: "#!/bin/sh\\n${o.say ? `echo ${o.say}` : "true"}\\n"
`;
}

/**
 * One trigger whose run `r-{loop}` loops over `values` (runs r-<value>...), on
 * `hostTag` ("nobody": no worker takes them). For tests that need many runs.
 */
export function loopRunsYaml(values: readonly (string | number)[], opts: { trigger?: string; type?: string; hostTag?: string; params?: Record<string, string> } = {}): string {
  const params = Object.entries(opts.params ?? {}).map(([k, v]) => `      ${k}: ${v}\n`).join("");
  return `timeout: 1
triggers:
  - name: ${opts.trigger ?? "t"}
    type: ${opts.type ?? "simple"}
${params ? `    params:\n${params}` : ""}    runs:
      - name: r-{loop}
        container: img
        host-tag: ${opts.hostTag ?? "nobody"}
        script: s
        loop-on:
          - param: I
            values: [${values.join(", ")}]
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;
}
