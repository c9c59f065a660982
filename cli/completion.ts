// `jobserv completion bash|zsh`: a completion script generated from the
// command table (commands.ts, passed in): command names, then a command's subcommands,
// its flags after "-", and file names where the command takes files.
import { UsageError } from "./errors.js";

/** What completion needs of a command (commands.ts's table entries have it). */
export interface CompletionEntry {
  name: string;
  subcommands?: readonly string[];
  flags: readonly string[];
  files?: boolean;
}

/** Flags whose value is a file or folder. */
const FILE_FLAGS = ["-f", "--file", "--workdir"];

const words = (c: CompletionEntry) => ({ subs: (c.subcommands ?? []).join(" "), flags: [...c.flags, "--help"].join(" "), files: c.files ? 1 : 0 });

export function bashCompletion(commands: readonly CompletionEntry[]): string {
  const cases = commands.map((c) => {
    const w = words(c);
    return `    ${c.name}) subs="${w.subs}"; flags="${w.flags}"; files=${w.files} ;;`;
  }).join("\n");
  return `# bash completion for jobserv: source <(jobserv completion bash)
_jobserv() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local subs="" flags="" files=0
  COMPREPLY=()
  if (( COMP_CWORD == 1 )); then
    COMPREPLY=( $(compgen -W "${commands.map((c) => c.name).join(" ")} help --help --version" -- "$cur") )
    return
  fi
  case $prev in ${FILE_FLAGS.join("|")}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;; esac
  case \${COMP_WORDS[1]} in
${cases}
    help) subs="${commands.map((c) => c.name).join(" ")}" ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
  elif (( COMP_CWORD == 2 )) && [[ -n $subs ]]; then
    COMPREPLY=( $(compgen -W "$subs" -- "$cur") )
  elif (( files )); then
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -F _jobserv jobserv
`;
}

export function zshCompletion(commands: readonly CompletionEntry[]): string {
  const cases = commands.map((c) => {
    const w = words(c);
    return `    ${c.name}) subs=(${w.subs}); flags=(${w.flags}); files=${w.files} ;;`;
  }).join("\n");
  return `#compdef jobserv
# zsh completion for jobserv: source <(jobserv completion zsh) after compinit, or save as _jobserv in $fpath
_jobserv() {
  local -a subs flags
  local files=0
  if (( CURRENT == 2 )); then
    compadd -- ${commands.map((c) => c.name).join(" ")} help --help --version
    return
  fi
  case \${words[CURRENT-1]} in ${FILE_FLAGS.join("|")}) _files; return ;; esac
  case \${words[2]} in
${cases}
    help) subs=(${commands.map((c) => c.name).join(" ")}) ;;
  esac
  if [[ \${words[CURRENT]} == -* ]]; then
    compadd -- $flags
  elif (( CURRENT == 3 && \${#subs} )); then
    compadd -- $subs
  elif (( files )); then
    _files
  fi
}
if [[ \${funcstack[1]} == _jobserv ]]; then _jobserv "$@"; else compdef _jobserv jobserv; fi
`;
}

export async function run(argv: string[], commands: readonly CompletionEntry[]): Promise<number> {
  const [shell, ...rest] = argv;
  if (rest.length || (shell !== "bash" && shell !== "zsh")) throw new UsageError("usage: jobserv completion bash | zsh");
  process.stdout.write(shell === "bash" ? bashCompletion(commands) : zshCompletion(commands));
  return 0;
}
