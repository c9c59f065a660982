// `jobserv login` checks the token against a real server before it writes
// the config file (mode 0600), and later commands need neither flag nor
// variable; a refused token writes nothing. Shell completion: the bash
// script completes commands, subcommands, flags and files in a real bash;
// the zsh script loads in a real zsh (compinit) and offers the same words.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { cleanEnv, cli, cliCommand, cliOnPty } from "../support/cli.js";
import { TEST_ADMIN_TOKEN } from "../support/auth.js";
import { startTestServer } from "../support/server.js";

test("login checks the token, then writes the config file that later commands use", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const env = cleanEnv(t, { JOBSERV_TOKEN: "" });
  const file = path.join(env["HOME"]!, ".config", "jobserv", "config.json");

  const refused = await cli(env, ["login", "--url", server.url, "--token", "jst_wrong-token-00000000000"]);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /^jobserv login: unknown or revoked API token/);
  t.false(existsSync(file), "nothing written for a refused token");

  const piped = await cli(env, ["login", "--url", server.url], `${TEST_ADMIN_TOKEN}\n`);
  t.is(piped.code, 0, piped.stderr);
  t.is(piped.stdout, `logged in to ${server.url}; saved in ${file}\n`);
  t.deepEqual(JSON.parse(readFileSync(file, "utf8")), { url: server.url, token: TEST_ADMIN_TOKEN });
  t.is(statSync(file).mode & 0o777, 0o600);
  t.like(await cli(env, ["project", "list"]), { code: 0, stdout: "NAME  TRIGGERS  UPDATED\n" }, "URL and token from the file");

  // On a terminal the token is typed without echo.
  const typed = cliOnPty(env, ["login", "--url", server.url]);
  await typed.waitFor("(not shown): ");
  typed.type(`${TEST_ADMIN_TOKEN}\r`);
  const done = await typed.done;
  t.is(done.code, 0, done.transcript);
  t.false(done.transcript.includes(TEST_ADMIN_TOKEN), "the token is not echoed");
});

function complete(shell: "bash" | "zsh", script: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(shell, shell === "zsh" ? ["-f", "-c", script] : ["--norc", "-c", script], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${shell}: ${r.stderr}`);
  return r.stdout;
}

test("bash completion: commands, subcommands, flags and files", async (t) => {
  const env = cleanEnv(t);
  const generated = await cli(env, ["completion", "bash"]);
  t.is(generated.code, 0);
  const ask = (words: string[]) => complete("bash", `source <(${cliCommand(["completion", "bash"])})
    COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _jobserv; printf '%s\\n' "\${COMPREPLY[@]}"`, env)
    .split("\n").filter(Boolean).sort();
  t.deepEqual(ask(["jobserv", "pro"]), ["project", "promote"]);
  t.deepEqual(ask(["jobserv", "secrets", ""]), ["list", "set", "unset"]);
  t.deepEqual(ask(["jobserv", "tokens", "create", "ci", "--s"]), ["--scope"]);
  t.deepEqual(ask(["jobserv", "logs", "--"]), ["--follow", "--help", "--token", "--url"]);
  t.true(ask(["jobserv", "project", "apply", "-f", "pack"]).includes("package.json"), "file names after -f");
  t.regex(complete("bash", `source <(${cliCommand(["completion", "bash"])}); complete -p jobserv`, env), /complete -F _jobserv jobserv/);
});

test("zsh completion: loads after compinit and offers the same words", async (t) => {
  const env = cleanEnv(t);
  const compinit = `autoload -Uz compinit && compinit -u -d "$HOME/.zcompdump"; source <(${cliCommand(["completion", "zsh"])})`;
  t.is(complete("zsh", `${compinit}; print -r -- \${_comps[jobserv]}`, env).trim(), "_jobserv", "registered with compdef");
  // compadd and _files only work inside a completion widget; stand-ins print what would be offered.
  const ask = (words: string[]) => complete("zsh", `${compinit}; compadd() { shift; print -rl -- "$@" }; _files() { print -r -- '<files>' }
    words=(${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length}; _jobserv`, env).split("\n").filter(Boolean).sort();
  t.true(ask(["jobserv", ""]).includes("secrets"));
  t.deepEqual(ask(["jobserv", "secrets", ""]), ["list", "set", "unset"]);
  t.true(ask(["jobserv", "tokens", "create", "ci", "--s"]).includes("--scope"));
  t.deepEqual(ask(["jobserv", "project", "apply", "-f", ""]), ["<files>"]);
});
