// The README's examples as tests run them: the fenced code block right after
// an HTML comment marker such as `<!-- sdk-go -->`, exactly as written.
import { readFileSync } from "node:fs";
import path from "node:path";

const README = path.resolve(import.meta.dirname, "../../README.md");

export function readmeBlock(marker: string): string {
  const text = readFileSync(README, "utf8");
  const m = new RegExp(`<!-- ${marker} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(text);
  if (!m) throw new Error(`README.md has no code block after <!-- ${marker} -->`);
  return `${m[1]!}\n`;
}
