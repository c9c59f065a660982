// What commands read from the person or the pipe: a file or stdin (`-f -`),
// a line typed at the terminal (a confirmation), a secret typed at the
// terminal without echo. Prompts go to stderr, so stdout stays data.
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import { UsageError } from "./errors.js";

export function stdinIsTerminal(): boolean {
  return process.stdin.isTTY === true;
}

/** All of stdin as text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A file's text, or stdin's for "-". */
export function readFileOrStdin(file: string): Promise<string> {
  return file === "-" ? readStdin() : readFile(file, "utf8");
}

/** One line typed at the terminal after `question` (on stderr). */
export async function askLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/**
 * A line typed at the terminal without echoing it (raw mode: Enter ends it,
 * Backspace deletes, Ctrl-C or Ctrl-D abandon it).
 */
export function askSecret(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (err?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003" || ch === "\u0004") return finish(new UsageError("cancelled"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", onData);
  });
}
