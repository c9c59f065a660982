// Content negotiation: which Accept headers get the page and which JSON.
import test from "ava";
import { acceptsHtml, wantsHtml } from "../../../server/gateway/negotiate.js";

const cases: [string | undefined, boolean, boolean][] = [
  // Accept, wantsHtml (page at a page-or-JSON URL), acceptsHtml (page at a page-only URL)
  ["text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8", true, true], // Chromium
  ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true, true], // Firefox
  ["application/json", false, false],
  ["application/json, text/plain, */*", false, true],
  ["*/*", false, true],
  [undefined, false, true],
  ["", false, true],
  ["text/html;q=0.5, application/json", false, true],
  ["application/json;q=0.5, text/html", true, true],
  ["text/html, application/json", true, true],
  ["application/json, text/html", false, true],
  ["text/html;q=0", false, false],
  ["TEXT/HTML", true, true],
  ["text/*", false, true],
];

for (const [accept, page, pageOnly] of cases) {
  test(`Accept: ${accept === undefined ? "(none)" : JSON.stringify(accept)}`, (t) => {
    t.is(wantsHtml(accept), page, "wantsHtml");
    t.is(acceptsHtml(accept), pageOnly, "acceptsHtml");
  });
}
