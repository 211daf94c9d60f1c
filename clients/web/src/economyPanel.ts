// The economy panel: a DOM panel in the top-right corner for the selected own building (its
// queue with progress and cancel buttons, one train button per recipe with a repeat checkbox)
// or builder unit (one build button per building recipe). The model comes from economyView.ts;
// the DOM is rebuilt only when the model's structure changes, and progress bars and
// affordability are updated in place.

import { type ActionRow, type JobRow, type PanelModel, panelKey } from "./economyView";

/** What the panel's buttons do. */
export interface PanelActions {
  /** Queue `recipe` in `building`. */
  train(building: number, recipe: number, repeat: boolean): void;
  /** Cancel job `job` of `building`. */
  cancel(building: number, job: number): void;
  /** Choose to build a building of `kind` (recipe `recipe`) with `unit`: the next hex click places it. */
  startBuild(unit: number, kind: number, recipe: number): void;
  /** Drop the chosen build. */
  cancelBuild(): void;
}

/** The panel; call {@link EconomyPanel.update} every frame. */
export class EconomyPanel {
  private readonly root: HTMLDivElement;
  private key = "";
  private model: PanelModel | null = null;
  /** The repeat checkboxes' states by recipe id (kept across rebuilds and selections). */
  private readonly repeat = new Map<number, boolean>();
  private bars: { job: number; fill: HTMLDivElement }[] = [];
  private buttons: { recipe: number; el: HTMLButtonElement }[] = [];

  constructor(
    parent: HTMLElement,
    private readonly actions: PanelActions,
  ) {
    this.root = document.createElement("div");
    this.root.id = "panel";
    this.root.hidden = true;
    this.root.addEventListener("click", (ev) => this.onClick(ev));
    this.root.addEventListener("change", (ev) => this.onChange(ev));
    parent.append(this.root);
  }

  /** Shows `m` (null hides the panel). */
  update(m: PanelModel | null): void {
    this.model = m;
    const key = panelKey(m);
    if (key !== this.key) {
      this.key = key;
      this.rebuild(m);
    }
    if (!m) return;
    for (const b of this.bars) {
      const job = m.queue.find((j) => j.job === b.job);
      const width = `${Math.round((job?.progress ?? 0) * 1000) / 10}%`;
      if (b.fill.style.width !== width) b.fill.style.width = width;
    }
    for (const b of this.buttons) {
      const a = m.actions.find((x) => x.recipe === b.recipe);
      b.el.classList.toggle("unaffordable", a !== undefined && !a.affordable);
    }
  }

  private rebuild(m: PanelModel | null): void {
    this.root.replaceChildren();
    this.bars = [];
    this.buttons = [];
    this.root.hidden = m === null;
    if (!m) {
      delete this.root.dataset.entity;
      return;
    }
    this.root.dataset.entity = String(m.entity);
    this.root.classList.toggle("construction", m.construction);
    this.root.append(el("div", "title", m.title));
    if (m.hint) this.root.append(el("div", "hint", m.hint));
    if (m.pending) {
      const b = el("button", "cancel-build", "cancel build");
      b.dataset.action = "cancel-build";
      this.root.append(b);
    }
    if (m.building) {
      this.root.append(el("div", "section", m.queue.length === 0 ? "queue: empty" : "queue"));
      for (const j of m.queue) this.root.append(this.jobRow(m.entity, j));
    }
    if (m.actions.length > 0) this.root.append(el("div", "section", m.building ? "train" : "build"));
    for (const a of m.actions) this.root.append(this.actionRow(a));
  }

  private jobRow(building: number, j: JobRow): HTMLElement {
    const row = el("div", j.running ? "job running" : "job queued");
    row.dataset.job = String(j.job);
    row.append(el("span", "name", j.name));
    if (j.running) {
      const bar = el("div", "bar");
      const fill = el("div", "fill");
      fill.style.width = "0%";
      bar.append(fill);
      row.append(bar);
      this.bars.push({ job: j.job, fill });
    } else {
      row.append(el("span", "state", "queued"));
    }
    const cancel = el("button", "cancel", "×");
    cancel.title = `cancel ${j.name} (refunded)`;
    cancel.dataset.action = "cancel";
    cancel.dataset.building = String(building);
    cancel.dataset.job = String(j.job);
    row.append(cancel);
    return row;
  }

  private actionRow(a: ActionRow): HTMLElement {
    const row = el("div", "action");
    const button = el("button", "recipe", a.name);
    button.dataset.action = a.type;
    button.dataset.recipe = String(a.recipe);
    if (a.kind !== null) button.dataset.kind = String(a.kind);
    button.title = `${a.name}: ${a.inputs} → ${a.output} in ${a.secs} s`;
    button.classList.toggle("unaffordable", !a.affordable);
    this.buttons.push({ recipe: a.recipe, el: button });
    row.append(button);
    if (a.type === "train") {
      const label = el("label", "repeat");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.dataset.repeat = String(a.recipe);
      box.checked = this.repeat.get(a.recipe) ?? false;
      label.append(box, document.createTextNode("repeat"));
      row.append(label);
    }
    row.append(el("div", "cost", `${a.inputs} → ${a.output}, ${a.secs} s`));
    return row;
  }

  private onClick(ev: MouseEvent): void {
    const target = ev.target instanceof Element ? ev.target.closest("button") : null;
    const m = this.model;
    if (!target || !m) return;
    // Focus goes back to the page, so game keys (Escape, S) keep working after a click.
    target.blur();
    const d = target.dataset;
    switch (d.action) {
      case "train": {
        const recipe = Number(d.recipe);
        this.actions.train(m.entity, recipe, this.repeat.get(recipe) ?? false);
        break;
      }
      case "cancel":
        this.actions.cancel(Number(d.building), Number(d.job));
        break;
      case "build":
        this.actions.startBuild(m.entity, Number(d.kind), Number(d.recipe));
        break;
      case "cancel-build":
        this.actions.cancelBuild();
        break;
    }
  }

  private onChange(ev: Event): void {
    const box = ev.target;
    if (!(box instanceof HTMLInputElement) || box.dataset.repeat === undefined) return;
    this.repeat.set(Number(box.dataset.repeat), box.checked);
    box.blur();
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
