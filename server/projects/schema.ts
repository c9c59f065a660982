// Owns the typed shape of a parsed, validated and loop-expanded JobServ project definition
// (the `project.yml` schema, inventory §3). Field names are camelCase versions of the YAML keys.

export type TriggerType = "simple" | "github_pr" | "gitlab_mr" | "git_poller";

export const TRIGGER_TYPES: readonly TriggerType[] = ["simple", "github_pr", "gitlab_mr", "git_poller"];

/** A chained trigger (`triggers:` entry of a trigger or a run); `{loop}` already substituted. */
export interface ChainedTrigger {
  name: string;
  /** Format string for the chained runs' names; may contain `{name}`. */
  runNames?: string;
}

export interface RunSpec {
  /** Final name (`{loop}` substituted), unique within its trigger. */
  name: string;
  container: string;
  /** Name of a secret holding base64 `user:pass` registry auth. */
  containerAuth?: string;
  /** Lower-cased worker tag pattern (shell wildcards allowed); "*" when the YAML omits it. */
  hostTag: string;
  /** Name of an entry of `ProjectDefinition.scripts` (exclusive with scriptRepo). */
  script?: string;
  /** `name` is a key of `ProjectDefinition.scriptRepos` (exclusive with script). */
  scriptRepo?: { name: string; path: string };
  /** Run-level params, including the values of this run's loop-on combination. */
  params: Record<string, string>;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  containerUser?: string;
  /** Empty string is meaningful: clear the image's entrypoint. */
  containerEntrypoint?: string;
  persistentVolumes: Record<string, string>;
  sharedVolumes: Record<string, string>;
  consoleProgress?: { progressPattern: string };
  testGrepping?: { testPattern?: string; resultPattern: string; fixupdict: Record<string, string> };
  triggers: ChainedTrigger[];
  /** The loop-on combination that produced this run (param → value); empty if none. */
  loopValues: Record<string, string>;
}

export interface EmailSpec {
  users: string;
  onlyFailures: boolean;
}

export interface WebhookSpec {
  url: string;
  secretName: string;
  onlyFailures: boolean;
}

export interface TriggerSpec {
  name: string;
  type: TriggerType;
  params: Record<string, string>;
  /** Already loop-expanded, in definition order. */
  runs: RunSpec[];
  /** Build-level chain: fired when every run of the build passed. */
  triggers: ChainedTrigger[];
  email?: EmailSpec;
  webhooks: WebhookSpec[];
  /** `queue-priority` (extension): copied to each run of the trigger's builds; higher runs first. 0 when absent. */
  queuePriority: number;
}

export interface ScriptRepoSpec {
  cloneUrl: string;
  gitRef?: string;
  /** Secret name, or `user_secret:token_secret`. */
  token?: string;
}

export interface ProjectDefinition {
  description?: string;
  /** Minutes per run. */
  timeoutSeconds: number;
  params: Record<string, string>;
  scripts: Record<string, string>;
  scriptRepos: Record<string, ScriptRepoSpec>;
  email?: EmailSpec;
  webhooks: WebhookSpec[];
  triggers: TriggerSpec[];
  /** `synchronous-builds` (JobServ's project setting): absent when the YAML does not say. */
  synchronousBuilds?: boolean;
}
