// fnmatch-style host-tag patterns against worker tags and names.
import test from "ava";
import { hostTagMatches } from "../../../server/scheduler/host-tag.js";

const worker = { name: "lab-rpi4-01", tags: ["aarch64", "rpi4"] };
const cases: [string, boolean][] = [
  ["*", true], ["aarch64", true], ["AARCH64", true], ["aarch*", true], ["rpi?", true], ["rpi[0-9]", true],
  ["rpi[!4]", false], ["amd64", false], ["lab-rpi4-*", true], ["lab-*-02", false], ["a.rch64", false], ["[", false],
];

for (const [pattern, expected] of cases) {
  test(`"${pattern}" ${expected ? "matches" : "does not match"}`, (t) => {
    t.is(hostTagMatches(pattern, worker), expected);
  });
}
