// The buttons that change things (cancel, rerun, promote), shown only when
// the viewer's scope allows them (the server refuses them anyway). Each asks
// for confirmation, then reports the outcome in a status line; the page's
// watch shows the effect.
import { messageOf } from "../core/api.js";
import { h } from "../core/dom.js";

export interface ActionBar {
  element: HTMLElement;
  /** Replaces the buttons. */
  set(buttons: (HTMLElement | null)[]): void;
  /** Says how the last action went. */
  say(text: string): void;
}

export function actionBar(label: string): ActionBar {
  const buttons = h("div", { class: "buttons" });
  const result = h("p", { class: "muted", role: "status" });
  const element = h("section", { class: "actions", "aria-label": label }, buttons, result);
  return {
    element,
    say(text) {
      result.textContent = text;
    },
    set(list) {
      buttons.replaceChildren(...list.filter((b): b is HTMLElement => b !== null));
      element.hidden = buttons.childElementCount === 0;
    },
  };
}

/** A button that runs `call` after `question` is confirmed, and says how it went in `bar`'s status line. */
export function actionButton(bar: ActionBar, label: string, question: string, call: () => Promise<unknown>, done: string, cls = ""): HTMLButtonElement {
  const button = h("button", { type: "button", class: cls }, label);
  button.addEventListener("click", async () => {
    if (!confirm(question)) return;
    button.disabled = true;
    bar.say(`${label}…`);
    try {
      await call();
      bar.say(done);
    } catch (e) {
      bar.say(`${label} failed: ${messageOf(e)}`);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** The promote form: a release name (required) and an annotation. */
export function promoteForm(bar: ActionBar, call: (name: string, annotation: string) => Promise<unknown>): HTMLElement {
  const name = h("input", { id: "promote-name", name: "name", required: true, placeholder: "v1.2", autocomplete: "off" });
  const annotation = h("input", { id: "promote-annotation", name: "annotation", autocomplete: "off" });
  const form = h("form", { class: "promote" },
    h("label", { for: "promote-name" }, "Release name"), name,
    h("label", { for: "promote-annotation" }, "Annotation"), annotation,
    h("button", { type: "submit" }, "Promote"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    bar.say("Promoting…");
    try {
      await call(name.value.trim(), annotation.value.trim());
      bar.say(`Promoted as ${name.value.trim()}.`);
    } catch (e) {
      bar.say(`Promote failed: ${messageOf(e)}`);
    }
  });
  return form;
}
