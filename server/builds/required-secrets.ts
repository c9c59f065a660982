// Checks, at trigger time, that the secrets a trigger's runs name (registry
// auth, script-repo tokens, webhook signing keys) exist, as JobServ does:
// the error lists the names that are available, never their values.
import { InvalidArgumentError } from "../errors.js";
import type { ProjectDefinition, TriggerSpec } from "../projects/schema.js";

export function requiredSecretsPresent(def: ProjectDefinition, trigger: TriggerSpec, available: readonly string[]): void {
  const needed = new Set<string>();
  for (const run of trigger.runs) {
    if (run.containerAuth) needed.add(run.containerAuth);
    const repo = run.scriptRepo ? def.scriptRepos[run.scriptRepo.name] : undefined;
    // `token` names a secret, or `user_secret:token_secret`.
    for (const name of repo?.token?.split(":") ?? []) if (name) needed.add(name);
  }
  const missing = [...needed].filter((n) => !available.includes(n));
  if (missing.length) {
    throw new InvalidArgumentError(`trigger "${trigger.name}" needs secret(s) ${missing.join(", ")}; it has: ${available.length ? available.join(", ") : "none"}`);
  }
}
