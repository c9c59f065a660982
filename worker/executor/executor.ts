// The container executor contract: run one container to completion, stream
// its output in the order it was written, and always remove it afterwards.
export interface ContainerSpec {
  /** Container name; also labels it so a restarted worker can find leftovers. */
  name: string;
  image: string;
  env: Record<string, string>;
  /** Executable inside the container; its stderr is merged into stdout in order. */
  command: string;
  /** host path -> container path (":ro" suffix allowed in the container part). */
  binds: string[];
  workingDir: string;
  /** Unset: the image's entrypoint; [] clears it; otherwise replaces it. */
  entrypoint?: string[];
  /** Registry credentials for pulling `image`. */
  auth?: { username: string; password: string; serveraddress: string };
  network: string;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  user: string;
  labels: Record<string, string>;
  /** Memory limit in bytes (also the memory+swap limit); undefined or 0: none. */
  memoryBytes?: number;
}

export type Ending = "exited" | "timeout" | "cancelled";

export interface ContainerResult {
  exitCode: number;
  ending: Ending;
  /** The kernel's OOM killer killed a process of the container (over its memory limit). */
  oomKilled?: boolean;
  /** Settles when the container is removed (unset: it was removed before run() resolved). */
  removed?: Promise<void>;
}

export interface Executor {
  /**
   * Removes containers a previous process of this worker left behind (it was
   * killed mid-run): those labelled with both its name and its folder, so a
   * same-named worker with another folder (another server's, another test
   * suite's) keeps its containers. Returns their names. Called once at start.
   */
  removeLeftovers(worker: string, workDir: string): Promise<string[]>;

  /**
   * Runs `spec`. `onOutput` receives the bytes the program wrote, in order;
   * they may live in a buffer the executor reuses once `onOutput` returns, so
   * whoever keeps them copies them.
   * The container is killed after `timeoutMs` or when `cancel` aborts, and is
   * removed in every case: before this rejects, or, once it exited, while the
   * caller reports the result (`removed` settles then).
   */
  run(spec: ContainerSpec, onOutput: (data: Uint8Array) => void, timeoutMs: number, cancel: AbortSignal): Promise<ContainerResult>;

  /**
   * Makes `image` present: pulled every time with "always", only when missing
   * with "if-not-present". Returns the image's digest (repo@sha256:..., or its
   * id when it came from no registry). Rejects with the registry's message.
   */
  prepareImage?(image: string, auth: ContainerSpec["auth"], policy: "always" | "if-not-present"): Promise<string>;

  /** Removes Docker volumes no container uses (JobServ's `docker volume prune`); returns how many. */
  pruneVolumes?(): Promise<number>;
}
