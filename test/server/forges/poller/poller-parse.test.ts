// Pure parts of the git poller: pkt-line ref advertisements, fnmatch patterns
// as Python's fnmatch matches GIT_POLL_REFS, and skip-ci detection.
import test from "ava";
import { matchesAny } from "../../../../server/forges/poller/fnmatch.js";
import { fnmatch } from "../../../../server/projects/fnmatch.js";
import { parseRefAdvertisement } from "../../../../server/forges/poller/pkt-line.js";
import { hasSkipCi } from "../../../../server/forges/skip-ci.js";

const pkt = (s: string) => `${(s.length + 4).toString(16).padStart(4, "0")}${s}`;
const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);

test("a ref advertisement parses into ref -> sha, without peeled tags or capabilities", (t) => {
  const body = Buffer.from(pkt("# service=git-upload-pack\n") + "0000"
    + pkt(`${A} HEAD\0multi_ack thin-pack side-band symref=HEAD:refs/heads/master agent=git/2.39.5\n`)
    + pkt(`${A} refs/heads/master\n`) + pkt(`${B} refs/tags/v1\n`) + pkt(`${C} refs/tags/v1^{}\n`) + "0000");
  t.deepEqual([...parseRefAdvertisement(body)], [["HEAD", A], ["refs/heads/master", A], ["refs/tags/v1", B]]);
  t.deepEqual([...parseRefAdvertisement(Buffer.from(pkt("# service=git-upload-pack\n") + "0000" + pkt(`${"0".repeat(40)} capabilities^{}\0agent=x\n`) + "0000"))], [], "empty repository");
  t.throws(() => parseRefAdvertisement(Buffer.from("zzzz")), { message: /bad pkt-line length/ });
  t.throws(() => parseRefAdvertisement(Buffer.from("00ffshort")), { message: /overruns/ });
  t.throws(() => parseRefAdvertisement(Buffer.from(pkt("not a ref line\n"))), { message: /unexpected line/ });
});

test("fnmatch follows Python: * crosses /, ?, sets, negated sets, whole-name match", (t) => {
  t.true(fnmatch("refs/heads/master", "refs/heads/master"));
  t.true(fnmatch("refs/heads/feature/x", "refs/heads/*"));
  t.true(fnmatch("refs/heads/release-1", "refs/heads/release-?"));
  t.false(fnmatch("refs/heads/release-10", "refs/heads/release-?"));
  t.true(fnmatch("refs/heads/v2", "refs/heads/v[0-9]"));
  t.false(fnmatch("refs/heads/vx", "refs/heads/v[0-9]"));
  t.true(fnmatch("refs/heads/vx", "refs/heads/v[!0-9]"));
  t.false(fnmatch("refs/heads/master2", "refs/heads/master"));
  t.false(fnmatch("refs/heads/a.b", "refs/heads/a+b"), "regex characters are literal");
  t.true(matchesAny("refs/heads/rel-1", "refs/heads/master, refs/heads/rel-*"));
  t.false(matchesAny("refs/tags/rel-1", "refs/heads/master refs/heads/rel-*"));
});

test("[skip ci] and [ci skip] anywhere in the message", (t) => {
  t.true(hasSkipCi("Fix docs [skip ci]\n"));
  t.true(hasSkipCi("Title\n\nBody [ci skip]"));
  t.false(hasSkipCi("skip ci without brackets"));
});
