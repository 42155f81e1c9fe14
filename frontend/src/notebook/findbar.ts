/**
 * The notebook's find and replace bar. It searches the shared model (search.ts), so cells far
 * off screen — not laid out, without an editor — are found too; going to a match expands its
 * section, creates the cell's editor and selects the match there.
 *
 * Matches are marked where they show: CodeMirror decorations in live editors, and the CSS
 * Custom Highlight API (`::highlight(carnet-find)`) in static sources, rendered markdown and
 * outputs of the cells near the view — ranges only, no DOM changes and no style attributes
 * (the CSP forbids them). Replacing edits sources only, in one transaction with the
 * notebook's undo origin: one "Undo Cell Operation" (Z) restores a whole "Replace All".
 */
import type * as Y from "yjs";
import { debounce } from "../util/debounce";
import { el } from "../util/dom";
import type { CellView } from "./cell";
import type { FindMark } from "./editor";
import { type NotebookModel, sourceText } from "./model";
import {
  type FindOptions,
  MAX_MATCHES,
  type Match,
  compile,
  findAll,
  matchesIn,
  replaceAll,
  replaceMatches,
  replacementFor,
} from "./search";

export interface FindHost {
  /** The notebook's scrolling element. */
  readonly scroller: HTMLElement;
  /** The parent of the cell chunks. */
  readonly cellsNode: HTMLElement;
  model(): NotebookModel | null;
  viewById(id: string): CellView | undefined;
  activeIndex(): number;
  /** Makes the cell shown (expanding collapsed sections) and the active one. */
  reveal(index: number): void;
  /** The bar closed: `cell` has the current match selected in its editor (edit mode there),
   * or null (back to the cell list). */
  closed(cell: CellView | null): void;
}

const ALL = "carnet-find";
const CURRENT = "carnet-find-current";
const TYPING_DELAY_MS = 150;
const REFRESH_DELAY_MS = 250;
/** How far outside the view (in px) matches are still marked, for smooth scrolling. */
const MARGIN = 600;

function sharedHighlight(name: string): Highlight | null {
  if (typeof CSS === "undefined" || !("highlights" in CSS)) return null;
  let highlight = CSS.highlights.get(name);
  if (highlight === undefined) {
    highlight = new Highlight();
    CSS.highlights.set(name, highlight);
  }
  return highlight;
}

/** Ranges of the matches of `regex` in the text under `root`. */
function domRanges(root: Node, regex: RegExp): Range[] {
  const nodes: Text[] = [];
  const starts: number[] = [];
  let text = "";
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
    if (!(n instanceof Text)) continue;
    nodes.push(n);
    starts.push(text.length);
    text += n.data;
  }
  const locate = (offset: number): [Text, number] | null => {
    let lo = 0;
    let hi = nodes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    const node = nodes[lo];
    return node === undefined ? null : [node, Math.min(offset - (starts[lo] ?? 0), node.length)];
  };
  const out: Range[] = [];
  for (const [from, to] of matchesIn(text, regex, 1000)) {
    const start = locate(from);
    const end = locate(to - 1);
    if (start === null || end === null) continue;
    const range = document.createRange();
    range.setStart(start[0], start[1]);
    range.setEnd(end[0], end[1] + 1);
    out.push(range);
  }
  return out;
}

function before(a: Match, b: { cell: number; output: number; from: number }): boolean {
  if (a.cell !== b.cell) return a.cell < b.cell;
  if (a.output !== b.output) return a.output < b.output;
  return a.from < b.from;
}

export class FindBar {
  readonly node: HTMLFormElement;
  private readonly query: HTMLInputElement;
  private readonly replacement: HTMLInputElement;
  private readonly replaceRow: HTMLElement;
  private readonly expander: HTMLButtonElement;
  private readonly counter: HTMLElement;
  private readonly message: HTMLElement;
  private readonly caseToggle: HTMLButtonElement;
  private readonly regexToggle: HTMLButtonElement;
  private readonly outputsToggle: HTMLButtonElement;
  private regex: RegExp | null = null;
  private matches: Match[] = [];
  private current = -1;
  private byCell = new Map<string, Match[]>();
  private ranges: { range: Range; current: boolean }[] = [];
  private marked = new Set<CellView>();
  private paintFrame = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private observed: Y.Array<unknown> | null = null;
  private readonly searchSoon = debounce(() => this.search("query"), TYPING_DELAY_MS);

  constructor(private readonly host: FindHost) {
    const toggle = (label: string, glyph: string): HTMLButtonElement => {
      const b = el("button", { type: "button", className: "carnet-FindBar-toggle", title: label }, glyph);
      b.setAttribute("aria-label", label);
      b.setAttribute("aria-pressed", "false");
      // Keep typing in the query field: options and arrows do not take the focus.
      b.addEventListener("mousedown", (e) => e.preventDefault());
      b.addEventListener("click", () => {
        b.setAttribute("aria-pressed", String(b.getAttribute("aria-pressed") !== "true"));
        this.search("query");
      });
      return b;
    };
    const button = (label: string, text: string, action: () => void, glyph = false): HTMLButtonElement => {
      const b = el("button", { type: "button", className: "carnet-Button carnet-mod-small" }, text);
      if (glyph) {
        b.title = label;
        b.setAttribute("aria-label", label);
        b.addEventListener("mousedown", (e) => e.preventDefault());
      }
      b.addEventListener("click", action);
      return b;
    };
    this.query = el("input", {
      className: "carnet-Input carnet-FindBar-query",
      type: "text",
      "aria-label": "Find in notebook",
      placeholder: "Find",
      spellcheck: "false",
    });
    this.replacement = el("input", {
      className: "carnet-Input carnet-FindBar-replacement",
      type: "text",
      "aria-label": "Replace with",
      placeholder: "Replace",
      spellcheck: "false",
    });
    this.caseToggle = toggle("Match case", "Aa");
    this.regexToggle = toggle("Use regular expression", ".*");
    this.outputsToggle = toggle("Search outputs", "Out");
    this.counter = el("span", { className: "carnet-FindBar-counter", "aria-live": "polite" });
    this.message = el("span", { className: "carnet-FindBar-message", role: "alert" });
    this.expander = el("button", {
      type: "button",
      className: "carnet-FindBar-toggle carnet-FindBar-expander",
      title: "Toggle replace",
      "aria-label": "Toggle replace",
      "aria-expanded": "false",
    });
    this.expander.textContent = "▸";
    this.expander.addEventListener("click", () => this.showReplace(this.replaceRow.hidden === true));
    this.replaceRow = el(
      "div",
      { className: "carnet-FindBar-row" },
      this.replacement,
      button("Replace", "Replace", () => this.replaceCurrent()),
      button("Replace All", "Replace All", () => this.replaceEvery()),
    );
    this.replaceRow.hidden = true;
    this.node = el(
      "form",
      { className: "carnet-FindBar", role: "search", "aria-label": "Find in notebook" },
      this.expander,
      el(
        "div",
        { className: "carnet-FindBar-rows" },
        el(
          "div",
          { className: "carnet-FindBar-row" },
          this.query,
          this.caseToggle,
          this.regexToggle,
          this.outputsToggle,
          this.counter,
          button("Previous match", "↑", () => this.step(-1), true),
          button("Next match", "↓", () => this.step(1), true),
          button("Close find", "×", () => this.close(), true),
        ),
        this.replaceRow,
        this.message,
      ),
    );
    this.node.hidden = true;
    this.node.addEventListener("submit", (e) => e.preventDefault());
    this.node.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        this.close();
      }
    });
    this.query.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();
      this.step(e.shiftKey ? -1 : 1);
    });
    this.replacement.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();
      this.replaceCurrent();
    });
    this.query.addEventListener("input", () => this.searchSoon());
    host.scroller.addEventListener("scroll", () => this.schedulePaint(), { passive: true });
  }

  get isOpen(): boolean {
    return !this.node.hidden;
  }

  /** Opens the bar (with the replace row when `replace`), the query selected for typing. */
  open(replace: boolean, initial = ""): void {
    const wasOpen = this.isOpen;
    this.node.hidden = false;
    if (replace) this.showReplace(true);
    if (initial !== "" && !initial.includes("\n")) this.query.value = initial;
    const field = replace && this.query.value !== "" ? this.replacement : this.query;
    field.focus();
    field.select();
    this.observe();
    if (!wasOpen || initial !== "") this.search("query");
  }

  close(): void {
    if (!this.isOpen) return;
    this.searchSoon.cancel();
    this.node.hidden = true;
    this.unobserve();
    const match = this.matches[this.current];
    let focus: CellView | null = null;
    if (match !== undefined && match.output < 0) focus = this.goTo(match) ?? null;
    this.clearMarks();
    this.matches = [];
    this.byCell = new Map();
    this.current = -1;
    this.host.closed(focus);
  }

  /** The notebook's document was replaced (a reload): search the new one. */
  rebind(): void {
    if (!this.isOpen) return;
    this.unobserve();
    this.observe();
    this.search("refresh");
  }

  /** Next (1) or previous (-1) match, shown in its cell. */
  step(direction: 1 | -1): void {
    this.flush();
    const n = this.matches.length;
    if (n === 0) return;
    this.current = this.current < 0 ? 0 : (this.current + direction + n) % n;
    const match = this.matches[this.current];
    if (match !== undefined) this.goTo(match);
    this.showCount();
    this.paint();
  }

  dispose(): void {
    this.searchSoon.cancel();
    this.unobserve();
    this.clearMarks();
    this.node.remove();
  }

  // --- searching ------------------------------------------------------------------------

  private options(): FindOptions {
    const pressed = (b: HTMLButtonElement): boolean => b.getAttribute("aria-pressed") === "true";
    return {
      query: this.query.value,
      caseSensitive: pressed(this.caseToggle),
      regex: pressed(this.regexToggle),
      outputs: pressed(this.outputsToggle),
    };
  }

  /** Runs a search due now (typing, a change of the notebook). */
  private flush(): void {
    this.searchSoon.flush();
    if (this.refreshTimer !== null) {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = null;
      this.search("refresh");
    }
  }

  /**
   * Searches the whole notebook. A new query starts from the active cell and scrolls to the
   * first match; a refresh (the notebook changed) keeps the position of the current match,
   * or starts after `after`.
   */
  private search(reason: "query" | "refresh", after?: { cell: number; output: number; from: number }): void {
    this.searchSoon.cancel();
    const model = this.host.model();
    const previous = after ?? this.matches[this.current];
    const compiled = compile(this.options());
    this.message.textContent = "";
    this.node.classList.remove("carnet-mod-invalid");
    if (compiled === null || model === null || "error" in compiled) {
      if (compiled !== null && "error" in compiled) {
        this.message.textContent = `Invalid regular expression: ${compiled.error}`;
        this.node.classList.add("carnet-mod-invalid");
      }
      this.regex = null;
      this.matches = [];
    } else {
      this.regex = compiled.regex;
      this.matches = findAll(model.cells.toArray(), compiled.regex, this.options().outputs);
    }
    this.byCell = new Map();
    for (const m of this.matches) {
      const list = this.byCell.get(m.cellId);
      if (list === undefined) this.byCell.set(m.cellId, [m]);
      else list.push(m);
    }
    if (this.matches.length === 0) {
      this.current = -1;
    } else if (reason === "refresh" && previous !== undefined) {
      const at = this.matches.findIndex((m) => !before(m, previous));
      this.current = at < 0 ? 0 : at;
    } else {
      const active = Math.max(0, this.host.activeIndex());
      const at = this.matches.findIndex((m) => m.cell >= active);
      this.current = at < 0 ? 0 : at;
    }
    this.showCount();
    const match = this.matches[this.current];
    if (reason === "query" && match !== undefined) this.scrollTo(match);
    this.paint();
  }

  private showCount(): void {
    const n = this.matches.length;
    const total = n >= MAX_MATCHES ? `${MAX_MATCHES}+` : String(n);
    this.counter.textContent =
      this.query.value === "" || this.regex === null ? "" : n === 0 ? "No results" : `${this.current + 1} of ${total}`;
  }

  /** Follows the notebook's changes while open (typing elsewhere, outputs arriving). */
  private observe(): void {
    const cells = this.host.model()?.cells ?? null;
    if (cells === this.observed) return;
    this.unobserve();
    this.observed = cells as Y.Array<unknown> | null;
    this.observed?.observeDeep(this.onChange);
  }

  private unobserve(): void {
    this.observed?.unobserveDeep(this.onChange);
    this.observed = null;
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  private readonly onChange = (): void => {
    // Not a debounce: streaming output must not postpone the refresh for ever.
    if (this.refreshTimer !== null) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      if (this.isOpen) this.search("refresh");
    }, REFRESH_DELAY_MS);
  };

  // --- going to a match -----------------------------------------------------------------

  private viewOf(match: Match): CellView | undefined {
    return this.host.viewById(match.cellId);
  }

  /** Scrolls the cell of a match into view when it is shown (typing a query). */
  private scrollTo(match: Match): void {
    const view = this.viewOf(match);
    if (view === undefined || view.node.classList.contains("carnet-mod-hiddenBySection")) return;
    const box = view.node.getBoundingClientRect();
    const port = this.host.scroller.getBoundingClientRect();
    if (box.bottom < port.top || box.top > port.bottom) view.node.scrollIntoView({ block: "center" });
  }

  /** Shows a match: its section expanded, its cell active; in an editor, selected. */
  private goTo(match: Match): CellView | undefined {
    const view = this.viewOf(match);
    if (view === undefined) return undefined;
    this.host.reveal(match.cell);
    if (match.output >= 0) {
      const node = view.showOutput(match.output) ?? view.node;
      node.scrollIntoView({ block: "center" });
      return undefined;
    }
    const editor = view.showSource();
    view.node.scrollIntoView({ block: "center" });
    editor.select(match.from, match.to);
    return view;
  }

  // --- replacing ------------------------------------------------------------------------

  private replaceCurrent(): void {
    this.flush();
    const model = this.host.model();
    const regex = this.regex;
    if (model === null || regex === null || this.matches.length === 0) return;
    const match = this.matches[this.current];
    if (match === undefined || match.output >= 0) {
      // Outputs are read-only: go to the next match in a source instead.
      const next = this.nextSource();
      if (next < 0) {
        this.message.textContent = "Matches in outputs cannot be replaced.";
        return;
      }
      this.current = next;
      const m = this.matches[next];
      if (m !== undefined) this.goTo(m);
      this.showCount();
      this.paint();
      return;
    }
    const cells = model.cells.toArray();
    const expand = this.options().regex;
    const cell = cells[match.cell];
    const template = this.replacement.value;
    const text = cell === undefined ? "" : sourceText(cell);
    const replaced = replacementFor(text, match.from, match.to, regex, template, expand) ?? template;
    model.transact(() => replaceMatches(cells, [match], regex, template, expand));
    this.search("refresh", { cell: match.cell, output: -1, from: match.from + replaced.length });
    const next = this.matches[this.current];
    if (next !== undefined) this.goTo(next);
    this.paint();
  }

  private nextSource(): number {
    const n = this.matches.length;
    for (let k = 1; k <= n; k += 1) {
      const i = (Math.max(0, this.current) + k) % n;
      if ((this.matches[i]?.output ?? 0) < 0) return i;
    }
    return -1;
  }

  private replaceEvery(): void {
    this.flush();
    const model = this.host.model();
    const regex = this.regex;
    if (model === null || regex === null) return;
    let count = 0;
    const expand = this.options().regex;
    model.transact(() => {
      count = replaceAll(model.cells.toArray(), regex, this.replacement.value, expand);
    });
    this.search("refresh");
    this.message.textContent = `Replaced ${count} match${count === 1 ? "" : "es"}.`;
  }

  private showReplace(show: boolean): void {
    this.replaceRow.hidden = !show;
    this.expander.textContent = show ? "▾" : "▸";
    this.expander.setAttribute("aria-expanded", String(show));
    if (show && this.isOpen && document.activeElement !== this.query) this.replacement.focus();
  }

  // --- marking --------------------------------------------------------------------------

  private schedulePaint(): void {
    if (this.paintFrame !== 0 || !this.isOpen || this.matches.length === 0) return;
    this.paintFrame = requestAnimationFrame(() => {
      this.paintFrame = 0;
      if (this.isOpen) this.paint();
    });
  }

  private clearMarks(): void {
    if (this.paintFrame !== 0) cancelAnimationFrame(this.paintFrame);
    this.paintFrame = 0;
    for (const view of this.marked) view.editor?.setMatches([]);
    this.marked.clear();
    this.setRanges([]);
  }

  private setRanges(ranges: { range: Range; current: boolean }[]): void {
    const all = sharedHighlight(ALL);
    const current = sharedHighlight(CURRENT);
    for (const r of this.ranges) (r.current ? current : all)?.delete(r.range);
    this.ranges = ranges;
    for (const r of ranges) (r.current ? current : all)?.add(r.range);
  }

  /** Marks the matches in live editors, and in the static text of the cells near the view. */
  private paint(): void {
    const regex = this.regex;
    const currentMatch = this.matches[this.current];
    const marked = new Set<CellView>();
    for (const [id, list] of this.byCell) {
      const view = this.host.viewById(id);
      if (view?.editor == null || view.sourceNode !== null) continue;
      const marks: FindMark[] = list
        .filter((m) => m.output < 0)
        .map((m) => ({ from: m.from, to: m.to, current: m === currentMatch }));
      if (marks.length === 0) continue;
      view.editor.setMatches(marks);
      marked.add(view);
    }
    for (const view of this.marked) if (!marked.has(view)) view.editor?.setMatches([]);
    this.marked = marked;

    const ranges: { range: Range; current: boolean }[] = [];
    if (regex !== null && this.byCell.size > 0) {
      for (const view of this.viewsNearView()) {
        const list = this.byCell.get(view.id);
        if (list === undefined) continue;
        const add = (root: Node | null, part: number): void => {
          if (root === null) return;
          const own = list.filter((m) => m.output === part);
          if (own.length === 0) return;
          const k = currentMatch === undefined ? -1 : own.indexOf(currentMatch);
          domRanges(root, regex).forEach((range, i) => ranges.push({ range, current: i === k }));
        };
        view.highlightStatic();
        add(view.sourceNode, -1);
        const parts = new Set(list.map((m) => m.output));
        for (const part of parts) if (part >= 0) add(view.outputNode(part), part);
      }
    }
    this.setRanges(ranges);
  }

  /** The cells whose boxes are within MARGIN of the view (via their chunks: ~N/50 boxes). */
  private viewsNearView(): CellView[] {
    const port = this.host.scroller.getBoundingClientRect();
    const top = port.top - MARGIN;
    const bottom = port.bottom + MARGIN;
    const out: CellView[] = [];
    for (const chunk of Array.from(this.host.cellsNode.children)) {
      const box = chunk.getBoundingClientRect();
      if (box.bottom < top || box.top > bottom) continue;
      for (const node of Array.from(chunk.children)) {
        if (!(node instanceof HTMLElement)) continue;
        const id = node.dataset["cellId"];
        if (id === undefined || !this.byCell.has(id)) continue;
        const cellBox = node.getBoundingClientRect();
        if (cellBox.bottom < top || cellBox.top > bottom) continue;
        const view = this.host.viewById(id);
        if (view !== undefined) out.push(view);
      }
    }
    return out;
  }
}
