// Secret masking (worker/logs/mask.ts) and the runner's masked output path
// (worker/runner/masked-output.ts): a secret is masked wherever the writes
// split it, overlapping secrets leak no part of either, regex characters are
// plain bytes, and multi-byte UTF-8 may be split mid-character.
import test from "ava";
import { MIN_SECRET_LENGTH, SecretMasker } from "../../../worker/logs/mask.js";
import { prng } from "../../support/prng.js";

/** Feeds `pieces` one write each, then flushes; returns the text that would be sent. */
function run(secrets: string[], pieces: Uint8Array[]): string {
  const m = new SecretMasker(secrets);
  const out = pieces.map((p) => m.push(p));
  out.push(m.flush());
  return Buffer.concat(out).toString("utf8");
}

/** Every way to cut `text` into two writes, and into three. */
function splits(bytes: Buffer): Buffer[][] {
  const all: Buffer[][] = [[bytes]];
  for (let i = 0; i <= bytes.length; i++) {
    all.push([bytes.subarray(0, i), bytes.subarray(i)]);
    for (let j = i; j <= bytes.length; j++) all.push([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]);
  }
  return all;
}

const cases: Array<{ title: string; secrets: string[]; text: string; masked: string }> = [
  { title: "one secret", secrets: ["hunter22"], text: "login hunter22 ok\n", masked: "login *** ok\n" },
  { title: "twice, back to back", secrets: ["s3cret"], text: "s3crets3cret!", masked: "******!" },
  { title: "a secret inside a longer one", secrets: ["word", "password123"], text: "x password123 word y", masked: "x *** *** y" },
  { title: "overlapping secrets", secrets: ["abcdef", "defghi"], text: "xxabcdefghixx", masked: "xx***xx" },
  { title: "a secret overlapping itself", secrets: ["abab"], text: "-ababab-", masked: "-***-" },
  { title: "regex characters", secrets: ["a.b*c+(d)?[e]$^|\\"], text: "1 a.b*c+(d)?[e]$^|\\ 2 aXbbc(d)e", masked: "1 *** 2 aXbbc(d)e" },
  { title: "multi-byte UTF-8", secrets: ["pässwörd€"], text: "→ pässwörd€ ←", masked: "→ *** ←" },
  { title: "shorter than the minimum: kept", secrets: ["abc"], text: "abc abcd", masked: "abc abcd" },
];

for (const c of cases) {
  test(`${c.title}: masked at every split point`, (t) => {
    const bytes = Buffer.from(c.text);
    for (const pieces of splits(bytes)) {
      const got = run(c.secrets, pieces);
      if (got !== c.masked) return t.fail(`split ${JSON.stringify(pieces.map((p) => p.toString("latin1")))}: ${JSON.stringify(got)}`);
    }
    t.pass();
  });
}

test("a secret written one byte at a time never leaves whole, and bytes after it are held back no longer than needed", (t) => {
  const m = new SecretMasker(["topsecret"]);
  const sent: string[] = [];
  for (const b of Buffer.from("say topsecret now and then some more text")) sent.push(m.push(Buffer.from([b])).toString("latin1"));
  const before = sent.join("");
  t.false(before.includes("topsecret"));
  t.false(before.includes("topsecre"), "no partial secret is sent either");
  // At most (longest secret - 1) bytes are held back.
  t.true(before.length >= "say *** now and then some more text".length - ("topsecret".length - 1), before);
  t.is(before + m.flush().toString("latin1"), "say *** now and then some more text");
});

test("no secrets (or only short ones): bytes pass through untouched and at once", (t) => {
  for (const secrets of [[], ["ab"], ["x".repeat(MIN_SECRET_LENGTH - 1)]]) {
    const m = new SecretMasker(secrets);
    t.false(m.active);
    const bytes = Buffer.from([0xff, 0x00, 0xe2, 0x82]);
    t.deepEqual(m.push(bytes), bytes);
  }
});

test("a long run of a repeating secret is masked and not held back without bound", (t) => {
  const m = new SecretMasker(["aaaa"]);
  let sent = "";
  for (let i = 0; i < 1000; i++) sent += m.push(Buffer.from("a".repeat(10))).toString("latin1");
  t.true(sent.length > 0, "output keeps flowing");
  t.false(sent.includes("a"), sent.slice(0, 80));
  t.is(sent + m.flush().toString("latin1") + m.push(Buffer.from("b")).toString() + m.flush().toString(), "***b");
});

/** Masking done on the whole text at once: every occurrence found, overlapping ones merged, each stretch one `***`. */
function reference(secrets: string[], text: string): string {
  const found: Array<[number, number]> = [];
  for (const s of secrets.filter((v) => v.length >= MIN_SECRET_LENGTH)) {
    for (let i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + 1)) found.push([i, i + s.length]);
  }
  found.sort((a, b) => a[0] - b[0]);
  let out = "";
  let pos = 0;
  for (const [s, e] of found) {
    if (s >= pos) out += text.slice(pos, s) + "***";
    pos = Math.max(pos, e);
  }
  return out + text.slice(pos);
}

test("random output (seeded) in random writes: the same as masking the whole text, and lines are never held back", (t) => {
  const r = prng(7);
  for (let round = 0; round < 300; round++) {
    const secrets = round % 3 === 0 ? ["abab", "ba\nab"] : round % 3 === 1 ? ["aabba"] : ["abba", "bbbb", "run-token-0123"];
    const lineSafe = secrets.every((s) => !s.includes("\n"));
    const text = Array.from({ length: 1 + r.int(400) }, () => r.pick(["a", "b", "\n", "x", "run-token-0123", "abba"])).join("");
    const m = new SecretMasker(secrets);
    let sent = "";
    for (let pos = 0; pos < text.length;) {
      const n = 1 + r.int(40);
      sent += m.push(Buffer.from(text.slice(pos, pos + n))).toString("latin1");
      pos += n;
      if (lineSafe) {
        const done = text.slice(0, Math.min(pos, text.length));
        const lastLine = done.lastIndexOf("\n");
        const upTo = reference(secrets, done.slice(0, lastLine + 1));
        if (!sent.startsWith(upTo)) return t.fail(`round ${round}: a finished line was held back: ${JSON.stringify(sent)} vs ${JSON.stringify(upTo)}`);
      }
    }
    sent += m.flush().toString("latin1");
    if (sent !== reference(secrets, text)) return t.fail(`round ${round}: ${JSON.stringify(text)} -> ${JSON.stringify(sent)}`);
  }
  t.pass();
});
