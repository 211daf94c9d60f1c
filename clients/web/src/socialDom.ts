// Small DOM helpers of the social panels (alliance, chat, friends, mail). Every text goes in with textContent (never as
// markup), so whatever a peer wrote shows as the characters it wrote.

/** A new `tag` element of class `cls` (none when ""), holding `text` as text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== "") e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A one-line text field that gives the focus back to the page on Escape. */
export function input(cls: string, placeholder: string): HTMLInputElement {
  const i = el("input", cls);
  i.type = "text";
  i.placeholder = placeholder;
  i.autocomplete = "off";
  i.spellcheck = false;
  i.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") i.blur();
  });
  return i;
}

/** A button doing `action` (its `data-action`), with `data` as further data attributes. */
export function button(cls: string, text: string, action: string, data: Record<string, string>, title?: string): HTMLButtonElement {
  const b = el("button", cls, text);
  b.type = "button";
  b.dataset.action = action;
  for (const [k, v] of Object.entries(data)) b.dataset[k] = v;
  if (title !== undefined) b.title = title;
  return b;
}

/** The nearest button of a click inside a panel (not a form's submit button), blurred, or null. */
export function clickedButton(ev: MouseEvent): HTMLButtonElement | null {
  const target = ev.target instanceof Element ? ev.target.closest("button") : null;
  if (!(target instanceof HTMLButtonElement) || target.type === "submit") return null;
  // Focus goes back to the page, so game keys (Escape, S) keep working after a click.
  target.blur();
  return target;
}

/** A whole number from a data attribute (ids up to 2^53 - 1), or null. */
export function dataId(value: string | undefined): number | null {
  if (value === undefined || !/^[0-9]{1,16}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}
