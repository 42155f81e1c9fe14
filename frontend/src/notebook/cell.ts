/**
 * One cell's view: plain DOM (no Lumino widget per cell) so a notebook of hundreds of cells
 * renders at once. The source shows as a static `<pre>` (syntax-highlighted when it scrolls
 * into view) and becomes a CodeMirror editor bound to the shared text on first focus or click;
 * markdown cells render until edited. Outputs come from the cell's `outputs` in the document
 * through the OutputArea; the prompt follows `execution_count` and `execution_state`.
 */
import type * as Y from "yjs";
import { el } from "../util/dom";
import { acceptImages, cellAttachments } from "./attachments";
import type { CellEditor, CellEditorConfig } from "./editor";
import { headingLevel } from "./sections";
import {
  type CellType,
  type YCell,
  cellId,
  cellMetadata,
  cellMetadataMap,
  cellOutputs,
  cellSource,
  cellType,
  executionCount,
  executionState,
  outputsJSON,
} from "./model";
import type { OutputAreaLike } from "./outputs";

/** What a cell needs from its notebook. */
export interface CellHost {
  awareness(): import("y-protocols/awareness").Awareness | null;
  editorConfig(): CellEditorConfig;
  /** The code cells' language ("python"), from the kernel. */
  codeLanguage(): string | null;
  createEditor(options: import("./editor").CellEditorOptions): CellEditor;
  /** Completion and inspection by the notebook's kernel (for code cells). */
  kernelAssist(): import("../editor/intel").KernelAssist | null;
  createOutputArea(trusted: boolean): OutputAreaLike;
  /** Renders a markdown cell's text; `attachment:NAME` images come from `attachments`. */
  renderMarkdown(text: string, attachments: Readonly<Record<string, unknown>>): DocumentFragment | HTMLElement;
  highlight(code: string, language: string | null): DocumentFragment | null;
  /** The editor got focus: edit mode on this cell. */
  editorFocused(cell: CellView): void;
  /** Arrow keys past the first/last line. */
  editorEdge(cell: CellView, direction: -1 | 1): boolean;
  cursorMoved(line: number, column: number): void;
  /** A click on the cell (not in its editor): select it. */
  cellClicked(cell: CellView, event: MouseEvent): void;
  cellAction(cell: CellView, action: "run" | "up" | "down" | "delete"): void;
  /** A markdown cell's text changed (the table of contents follows). */
  markdownChanged(): void;
  /** The collapse toggle of a heading cell, or its "cells hidden" bar, was clicked. */
  toggleHeading(cell: CellView): void;
  /** A cell's `heading_collapsed` metadata changed (here or in another view). */
  sectionsChanged(): void;
}

const EMPTY_MARKDOWN = "Double-click (or press Enter) to edit this Markdown cell.";

export function promptText(count: number | null, state: string): string {
  if (state === "running" || state === "queued") return "[*]:";
  return count === null ? "[ ]:" : `[${count}]:`;
}

export class CellView {
  readonly node: HTMLElement;
  readonly id: string;
  readonly type: CellType;
  editor: CellEditor | null = null;
  /** Markdown cells: showing the rendered text (not the editor). */
  private rendered: boolean;
  private readonly source: Y.Text;
  private readonly prompt: HTMLElement;
  private readonly editorHost: HTMLElement;
  private readonly staticPre: HTMLPreElement;
  private readonly renderedNode: HTMLElement | null;
  private readonly outputWrap: HTMLElement | null;
  private outputArea: OutputAreaLike | null = null;
  private outputTrusted = false;
  readonly stdinSlot: HTMLElement;
  private outputs: Y.Array<unknown> | null = null;
  private highlighted = false;
  private gutter: HTMLElement | null = null;
  private frame = 0;
  private dirtyParts = new Set<"source" | "outputs" | "prompt">();
  private disposed = false;
  private inputCollapsed = false;
  private stopImages: (() => void) | null = null;
  private outputCollapsed = false;
  private readonly onCellChange: (event: Y.YMapEvent<unknown>) => void;
  private readonly onSourceChange: () => void;
  private readonly onOutputsChange: () => void;
  private readonly onMetadataChange: (event: Y.YMapEvent<unknown>) => void;
  private metadata: Y.Map<unknown> | null = null;
  private level: number | null | undefined = undefined;
  private headingToggle: HTMLButtonElement | null = null;
  private hiddenBar: HTMLButtonElement | null = null;
  private sectionState = "v0";

  constructor(
    private readonly host: CellHost,
    readonly ycell: YCell,
  ) {
    this.id = cellId(ycell);
    this.type = cellType(ycell);
    this.source = cellSource(ycell);
    this.rendered = this.type === "markdown";
    this.node = el("div", { className: `carnet-Cell carnet-Cell-${this.type}`, "data-cell-id": this.id });
    this.node.dataset["type"] = this.type;

    const inputCollapser = el("div", { className: "carnet-Cell-collapser", title: "Collapse or expand the input" });
    inputCollapser.addEventListener("click", (e) => {
      e.stopPropagation();
      this.setInputCollapsed(!this.inputCollapsed);
    });
    this.prompt = el("div", { className: "carnet-Cell-prompt carnet-Cell-inputPrompt", draggable: "true" });
    this.prompt.title = "Drag to move the cell";
    this.editorHost = el("div", { className: "carnet-Cell-editor carnet-Editor" });
    this.staticPre = el("pre", { className: "carnet-Cell-static" });
    this.staticPre.textContent = this.source.toString();
    this.editorHost.append(this.staticPre);
    this.staticPre.addEventListener("mousedown", (e) => this.staticClicked(e));
    const placeholder = el("div", { className: "carnet-Cell-collapsedInput" }, "…");
    placeholder.addEventListener("click", () => this.setInputCollapsed(false));
    const input = el(
      "div",
      { className: "carnet-Cell-input" },
      inputCollapser,
      this.prompt,
      this.editorHost,
      placeholder,
    );
    this.node.append(input);

    if (this.type === "markdown") {
      this.renderedNode = el("div", { className: "carnet-Cell-rendered carnet-Markdown" });
      this.renderedNode.addEventListener("dblclick", (e) => {
        e.preventDefault();
        this.edit("end");
      });
      input.insertBefore(this.renderedNode, placeholder);
      this.headingToggle = el("button", { type: "button", className: "carnet-Cell-headingToggle" });
      this.headingToggle.tabIndex = -1;
      this.headingToggle.hidden = true;
      this.headingToggle.addEventListener("mousedown", (e) => e.stopPropagation());
      this.headingToggle.addEventListener("click", (e) => {
        e.stopPropagation();
        this.host.toggleHeading(this);
      });
      this.prompt.append(this.headingToggle);
    } else {
      this.renderedNode = null;
    }

    if (this.type === "code") {
      const outputCollapser = el("div", { className: "carnet-Cell-collapser", title: "Collapse or expand the output" });
      outputCollapser.addEventListener("click", (e) => {
        e.stopPropagation();
        this.setOutputCollapsed(!this.outputCollapsed);
      });
      const outPlaceholder = el("div", { className: "carnet-Cell-collapsedOutput" }, "…");
      outPlaceholder.addEventListener("click", () => this.setOutputCollapsed(false));
      this.outputWrap = el(
        "div",
        { className: "carnet-Cell-output" },
        outputCollapser,
        el("div", { className: "carnet-Cell-prompt" }),
        outPlaceholder,
      );
      this.node.append(this.outputWrap);
    } else {
      this.outputWrap = null;
    }
    this.stdinSlot = el("div", { className: "carnet-Cell-stdin" });
    this.node.append(this.stdinSlot);
    if (this.type === "markdown") {
      this.hiddenBar = el("button", { type: "button", className: "carnet-Cell-hiddenCells" });
      this.hiddenBar.hidden = true;
      this.hiddenBar.addEventListener("click", (e) => {
        e.stopPropagation();
        this.host.toggleHeading(this);
      });
      this.node.append(this.hiddenBar);
    }

    const toolbar = el("div", { className: "carnet-CellToolbar", role: "toolbar", "aria-label": "Cell actions" });
    for (const [action, label, glyph] of [
      ["up", "Move cell up", "↑"],
      ["down", "Move cell down", "↓"],
      ["run", "Run this cell", "▶"],
      ["delete", "Delete this cell", "✕"],
    ] as const) {
      const button = el("button", { type: "button", className: "carnet-CellToolbar-button", title: label }, glyph);
      button.setAttribute("aria-label", label);
      button.dataset["action"] = action;
      button.tabIndex = -1;
      button.addEventListener("mousedown", (e) => e.preventDefault());
      button.addEventListener("click", (e) => {
        e.stopPropagation();
        this.host.cellAction(this, action);
      });
      toolbar.append(button);
    }
    this.node.append(toolbar);

    this.node.addEventListener("mousedown", (e) => {
      if (e.target instanceof Element && e.target.closest(".cm-editor, .carnet-Cell-stdin, .carnet-CellToolbar")) {
        return;
      }
      // A completion option picked with the mouse: the popup is gone before the event got here.
      if (e.target instanceof Node && !e.target.isConnected) return;
      this.host.cellClicked(this, e);
    });

    const metadata = ycell.get("metadata") as { get?: (k: string) => unknown } | undefined;
    const jupyter = typeof metadata?.get === "function" ? metadata.get("jupyter") : undefined;
    if (typeof jupyter === "object" && jupyter !== null) {
      const j = jupyter as Record<string, unknown>;
      if (j["source_hidden"] === true) this.setInputCollapsed(true);
      if (j["outputs_hidden"] === true) this.setOutputCollapsed(true);
    }

    this.onCellChange = (event) => {
      if (event.keysChanged.has("outputs")) {
        this.watchOutputs();
        this.schedule("outputs");
      }
      if (event.keysChanged.has("attachments") && this.type === "markdown") this.schedule("source");
      if (event.keysChanged.has("execution_count") || event.keysChanged.has("execution_state")) {
        this.schedule("prompt");
      }
      if (event.keysChanged.has("metadata")) {
        // A new metadata map: trust and section state may both have changed.
        this.watchMetadata();
        this.schedule("outputs");
        this.host.sectionsChanged();
      }
    };
    this.onSourceChange = () => {
      if (this.editor === null || this.rendered) this.schedule("source");
      if (this.type === "markdown") {
        this.level = undefined;
        this.host.markdownChanged();
      }
    };
    this.onOutputsChange = () => this.schedule("outputs");
    this.onMetadataChange = (event) => {
      if (event.keysChanged.has("heading_collapsed")) this.host.sectionsChanged();
      // Trust given or taken (Trust Notebook, a run) re-renders the outputs.
      if (event.keysChanged.has("trusted")) this.schedule("outputs");
    };
    ycell.observe(this.onCellChange);
    this.source.observe(this.onSourceChange);
    this.watchOutputs();
    this.watchMetadata();
    this.updatePrompt();
    this.updateGutter();
    this.updateRendered();
    this.renderOutputs();
  }

  get isRendered(): boolean {
    return this.rendered;
  }

  text(): string {
    return this.source.toString();
  }

  get sourceType(): Y.Text {
    return this.source;
  }

  /** Level of the first heading of a markdown cell (null: not a heading cell). */
  headingLevel(): number | null {
    this.level ??= headingLevel(this.type, this.source.toString());
    return this.level;
  }

  get headingCollapsed(): boolean {
    if (this.type !== "markdown") return false;
    const map = cellMetadataMap(this.ycell);
    return (map === null ? cellMetadata(this.ycell)["heading_collapsed"] : map.get("heading_collapsed")) === true;
  }

  get hiddenBySection(): boolean {
    return this.sectionState.startsWith("h");
  }

  /** Shows this cell's place in the sections: its collapse toggle, hidden or not. */
  setSection(hidden: boolean, level: number | null, collapsed: boolean, hiddenCount: number): void {
    const state = `${hidden ? "h" : "v"}${level ?? ""}${collapsed ? "c" : ""}${hiddenCount}`;
    if (state === this.sectionState) return;
    this.sectionState = state;
    this.node.classList.toggle("carnet-mod-hiddenBySection", hidden);
    const toggle = this.headingToggle;
    if (toggle !== null) {
      toggle.hidden = level === null;
      toggle.textContent = collapsed ? "▸" : "▾";
      const label = collapsed ? "Expand section" : "Collapse section";
      toggle.title = label;
      toggle.setAttribute("aria-label", label);
      toggle.setAttribute("aria-expanded", String(!collapsed));
    }
    const bar = this.hiddenBar;
    if (bar !== null) {
      bar.hidden = level === null || !collapsed;
      bar.textContent = `${hiddenCount} cell${hiddenCount === 1 ? "" : "s"} hidden`;
      bar.title = "Expand this section";
    }
  }

  private watchMetadata(): void {
    const map = cellMetadataMap(this.ycell);
    if (map === this.metadata) return;
    this.metadata?.unobserve(this.onMetadataChange);
    this.metadata = map;
    this.metadata?.observe(this.onMetadataChange);
  }

  private watchOutputs(): void {
    const outputs = cellOutputs(this.ycell);
    if (outputs === this.outputs) return;
    this.outputs?.unobserveDeep(this.onOutputsChange);
    this.outputs = outputs;
    this.outputs?.observeDeep(this.onOutputsChange);
  }

  private schedule(part: "source" | "outputs" | "prompt"): void {
    this.dirtyParts.add(part);
    if (this.frame !== 0) return;
    // Remote typing and streamed output arrive in bursts: render once per frame.
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (!this.disposed) this.applyPending();
    });
  }

  private applyPending(): void {
    const parts = this.dirtyParts;
    this.dirtyParts = new Set();
    if (parts.has("source")) {
      this.highlighted = false;
      this.staticPre.textContent = this.source.toString();
      this.updateGutter();
      this.updateRendered();
    }
    if (parts.has("prompt")) this.updatePrompt();
    if (parts.has("outputs")) this.renderOutputs();
  }

  private updatePrompt(): void {
    // Other cells have no prompt text (a markdown heading's collapse toggle lives there).
    if (this.type !== "code") return;
    const state = executionState(this.ycell);
    this.prompt.textContent = promptText(executionCount(this.ycell), state);
    this.node.dataset["state"] = state;
    this.prompt.title = state === "queued" ? "Queued" : state === "running" ? "Running" : "Drag to move the cell";
  }

  private renderOutputs(): void {
    if (this.outputWrap === null) return;
    const outputs = outputsJSON(this.ycell);
    if (outputs.length === 0 && this.outputArea === null) {
      this.node.classList.add("carnet-mod-noOutputs");
      return;
    }
    // The server marks a cell trusted when it runs it (its outputs may then keep scripts/styles).
    const trusted = cellMetadata(this.ycell)["trusted"] === true;
    if (this.outputArea !== null && this.outputTrusted !== trusted) {
      this.outputArea.dispose();
      this.outputArea = null;
    }
    if (this.outputArea === null) {
      this.outputTrusted = trusted;
      this.outputArea = this.host.createOutputArea(trusted);
      this.outputArea.node.classList.add("carnet-Cell-outputArea");
      this.outputWrap.append(this.outputArea.node);
    }
    this.outputArea.setOutputs(outputs as never);
    this.node.classList.toggle("carnet-mod-noOutputs", outputs.length === 0);
  }

  private updateRendered(): void {
    if (this.renderedNode === null) return;
    this.node.classList.toggle("carnet-mod-rendered", this.rendered);
    if (!this.rendered) return;
    const text = this.source.toString();
    if (text.trim() === "") {
      this.renderedNode.replaceChildren(el("p", { className: "carnet-Cell-placeholder" }, EMPTY_MARKDOWN));
    } else {
      this.renderedNode.replaceChildren(this.host.renderMarkdown(text, cellAttachments(this.ycell)));
    }
  }

  /** Syntax-highlights the static source (called when the cell scrolls into view). */
  highlightStatic(): void {
    if (this.highlighted || this.editor !== null || this.type !== "code") return;
    this.highlighted = true;
    const fragment = this.host.highlight(this.source.toString(), this.host.codeLanguage());
    if (fragment !== null) this.staticPre.replaceChildren(fragment);
  }

  /** Creates the CodeMirror editor (first edit of the cell). */
  ensureEditor(): CellEditor {
    if (this.editor !== null) return this.editor;
    const language = this.type === "code" ? this.host.codeLanguage() : this.type === "markdown" ? "markdown" : null;
    this.staticPre.remove();
    this.gutter?.remove();
    this.gutter = null;
    this.editor = this.host.createEditor({
      parent: this.editorHost,
      ytext: this.source,
      awareness: this.host.awareness(),
      language,
      config: this.host.editorConfig(),
      label: `Cell ${this.type} input`,
      onFocus: () => this.host.editorFocused(this),
      onEdge: (direction) => this.host.editorEdge(this, direction),
      onCursor: (line, column) => this.host.cursorMoved(line, column),
      assist: this.type === "code" ? this.host.kernelAssist() : null,
    });
    // Images pasted or dropped into a markdown cell become its attachments.
    if (this.type === "markdown") this.stopImages = acceptImages(this.editor.view, this.ycell);
    return this.editor;
  }

  private staticClicked(event: MouseEvent): void {
    if (event.button !== 0 || event.shiftKey) return;
    event.preventDefault();
    event.stopPropagation();
    const x = event.clientX;
    const y = event.clientY;
    const editor = this.ensureEditor();
    editor.focus();
    const pos = editor.view.posAtCoords({ x, y });
    if (pos !== null) editor.view.dispatch({ selection: { anchor: pos } });
  }

  /** Edit mode on this cell: unrender markdown, create/focus the editor. */
  edit(where?: "start" | "end"): void {
    if (this.rendered) {
      this.rendered = false;
      this.updateRendered();
    }
    if (this.inputCollapsed) this.setInputCollapsed(false);
    const editor = this.ensureEditor();
    if (where !== undefined) editor.setCursor(where);
    editor.focus();
  }

  /** Shows the source in an editor without focusing it (a search result in this cell). */
  showSource(): CellEditor {
    if (this.rendered) {
      this.rendered = false;
      this.updateRendered();
    }
    if (this.inputCollapsed) this.setInputCollapsed(false);
    return this.ensureEditor();
  }

  /** The DOM of the `n`th output. */
  outputNode(n: number): HTMLElement | null {
    const node = this.outputArea?.node.children[n];
    return node instanceof HTMLElement ? node : null;
  }

  /** The DOM of the `n`th output, shown (a search result in it). */
  showOutput(n: number): HTMLElement | null {
    if (this.outputCollapsed) this.setOutputCollapsed(false);
    return this.outputNode(n);
  }

  /** Where the source shows as text when there is no editor: the static code or the
   * rendered markdown (null with an editor). */
  get sourceNode(): HTMLElement | null {
    if (this.editor !== null && !this.rendered) return null;
    return this.rendered && this.renderedNode !== null ? this.renderedNode : this.staticPre;
  }

  /** Markdown cells render (Shift+Enter, Escape on a rendered cell…). */
  render(): void {
    if (this.type !== "markdown" || this.rendered) return;
    this.rendered = true;
    this.updateRendered();
  }

  setActive(active: boolean): void {
    this.node.classList.toggle("carnet-mod-active", active);
  }

  setSelected(selected: boolean): void {
    this.node.classList.toggle("carnet-mod-selected", selected);
  }

  setInputCollapsed(collapsed: boolean): void {
    this.inputCollapsed = collapsed;
    this.node.classList.toggle("carnet-mod-inputCollapsed", collapsed);
  }

  setOutputCollapsed(collapsed: boolean): void {
    if (this.type !== "code") return;
    this.outputCollapsed = collapsed;
    this.node.classList.toggle("carnet-mod-outputCollapsed", collapsed);
  }

  get isOutputCollapsed(): boolean {
    return this.outputCollapsed;
  }

  configure(config: CellEditorConfig): void {
    this.editor?.configure(config);
    this.updateGutter();
  }

  /** Line numbers beside the static source (an editor draws its own). */
  private updateGutter(): void {
    if (!this.host.editorConfig().lineNumbers || this.editor !== null) {
      this.gutter?.remove();
      this.gutter = null;
      return;
    }
    this.gutter ??= el("div", { className: "carnet-Cell-gutter", "aria-hidden": "true" });
    const lines = this.source.toString().split("\n").length;
    this.gutter.textContent = Array.from({ length: lines }, (_, i) => String(i + 1)).join("\n");
    if (!this.gutter.isConnected) this.editorHost.prepend(this.gutter);
  }

  setLanguage(language: string | null): void {
    if (this.type !== "code") return;
    this.highlighted = false;
    this.editor?.setLanguage(language);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.ycell.unobserve(this.onCellChange);
    this.source.unobserve(this.onSourceChange);
    this.outputs?.unobserveDeep(this.onOutputsChange);
    this.stopImages?.();
    this.metadata?.unobserve(this.onMetadataChange);
    this.editor?.dispose();
    this.outputArea?.dispose();
    this.node.remove();
  }
}
