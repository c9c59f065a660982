// `/login`: a person pastes an API token once; the form posts to the server
// (a plain form: no script ever holds the token afterwards), which answers
// with a session cookie and goes back to the page in `next`.
import { notice, setTitle } from "../core/chrome.js";
import { append, h } from "../core/dom.js";
import type { PageContext } from "../core/page-context.js";

export function renderLogin(main: HTMLElement, ctx: PageContext): void {
  setTitle("Sign in");
  const query = new URLSearchParams(location.search);
  const next = query.get("next") ?? "/";
  const error = query.get("error");
  append(main, [
    h("h1", null, "Sign in"),
    ctx.viewer ? notice("info", `Signed in as ${ctx.viewer.name} (${ctx.viewer.scope} scope). Sign in again to use another token.`) : null,
    error ? notice("error", error) : null,
    h("form", { method: "post", action: "/login", class: "login" },
      h("input", { type: "hidden", name: "next", value: next }),
      h("label", { for: "token" }, "API token"),
      h("input", { type: "password", id: "token", name: "token", required: true, autocomplete: "off", spellcheck: "false", autofocus: true, "aria-describedby": "token-help" }),
      h("p", { id: "token-help", class: "muted" },
        "Paste a token made with ", h("code", null, "jobserv tokens create NAME --scope read"), " (or trigger, admin). ",
        "The browser keeps a session cookie instead of the token; signing out or revoking the token ends the session. ",
        "Public projects need no sign-in."),
      h("button", { type: "submit" }, "Sign in")),
  ]);
}
