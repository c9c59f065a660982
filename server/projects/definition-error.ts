// Owns ProjectDefinitionError: the only error type thrown by the project-definition parser, carrying
// the offending key path (e.g. `triggers[0].runs[1].host-tag`) and its 1-based source position.

export interface SourcePos {
  readonly line: number;
  readonly column: number;
}

export class ProjectDefinitionError extends Error {
  /** Dotted YAML key path with `[index]` for list items; "" for document-level problems. */
  readonly keyPath: string;
  readonly line?: number;
  readonly column?: number;
  /** The message without the key-path/position prefix. */
  readonly detail: string;

  constructor(keyPath: string, pos: SourcePos | undefined, detail: string) {
    super(formatDefinitionError(keyPath, pos, detail));
    this.name = "ProjectDefinitionError";
    this.keyPath = keyPath;
    this.detail = detail;
    if (pos !== undefined) {
      this.line = pos.line;
      this.column = pos.column;
    }
  }
}

/** `triggers[0].runs[1].script (line 12, column 9): unknown script "build"; ...` */
export function formatDefinitionError(keyPath: string, pos: SourcePos | undefined, detail: string): string {
  const where = pos === undefined ? "" : `line ${pos.line}, column ${pos.column}`;
  if (keyPath !== "" && where !== "") return `${keyPath} (${where}): ${detail}`;
  if (keyPath !== "") return `${keyPath}: ${detail}`;
  if (where !== "") return `${where}: ${detail}`;
  return detail;
}
