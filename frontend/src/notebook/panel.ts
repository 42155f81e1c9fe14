/**
 * The notebook tab: a view of the server's document (a Room, contract §3) with JupyterLab's
 * command and edit modes, cell selection, the toolbar, drag-and-drop, and execution by the
 * server (`POST api/documents/{id}/execute` with cell ids and source hashes): this view only
 * renders what the server writes into the document (states, counts, outputs, stdin prompts).
 */
import type { Message } from "@lumino/messaging";
import { type ReadonlySignal, computed, effect, signal } from "@preact/signals-core";
import { h } from "preact";
import { ApiError, type Connection } from "../api";
import { answerInput, interruptExecution, revertDocument, saveDocument } from "../api/documents";
import { exportNotebook, saveBlob, trustNotebook } from "../api/nbconvert";
import { Room } from "../model/room";
import "../style/notebook.css";
import * as Y from "yjs";
import { type Heading, markdownHeadings } from "../model/toc";
import { debounce } from "../util/debounce";
import { el } from "../util/dom";
import { basename } from "../util/paths";
import { confirm, showDialog } from "../views/dialogs";
import { DocumentWidget } from "../views/document";
import type { KernelTab } from "../views/kernel-tab";
import { describeError, notify } from "../views/notify";
import type { CellSource, NotebookActions, NotebookMode } from "./actions";
import { CellView, type CellHost } from "./cell";
import { type CellEditorConfig, type CellEditorOptions, createCellEditor } from "./editor";
import type { KernelAssist } from "../editor/intel";
import { highlightStatic } from "./highlight";
import { CellDragAndDrop } from "./dnd";
import { NotebookKernel } from "./kernel";
import { renderCellMarkdown } from "./markdown";
import { type CellJSON, type CellType, NotebookModel, cellId, cellToJSON, cellType, sourceText } from "./model";
import { type OutputAreaLike, createOutputArea } from "./outputs";
import { executeOnServer } from "./runner";
import { renderStdin } from "./stdin";
import { createToolbar } from "./toolbar";
import { CellChunks } from "./chunks";
import { FindBar } from "./findbar";
import { type SectionCell, ancestors, hiddenCells, sectionEnd, sectionHead } from "./sections";
import { ShownWatcher } from "./shown";
import { notebookTrusted } from "./trust";

export interface NotebookDeps {
  readonly conn: Connection;
  readonly editorConfig: ReadonlySignal<CellEditorConfig>;
  readonly openFile: (path: string) => void;
  readonly createOutputArea?: (conn: Connection, trusted: boolean) => OutputAreaLike;
}

/** Cells copied or cut, shared by every notebook of the page. */
let clipboard: CellJSON[] = [];


export class NotebookPanel extends DocumentWidget implements KernelTab, NotebookActions {
  declare readonly viewerId: "notebook";
  readonly mode = signal<NotebookMode>("command");
  readonly kernel: NotebookKernel;
  readonly kernelStatus: ReadonlySignal<string>;
  readonly contentVersion = signal(0);
  readonly trusted = signal(true);
  readonly loaded: Promise<void>;
  private room: Room | null = null;
  private model: NotebookModel | null = null;
  private views: CellView[] = [];
  private readonly byCell = new Map<unknown, CellView>();
  private readonly byId = new Map<string, CellView>();
  private readonly byNode = new WeakMap<Element, CellView>();
  private readonly bySource = new WeakMap<object, CellView>();
  private activeId: string | null = null;
  private anchorId: string | null = null;
  private lineNumbers = signal<boolean | null>(null);
  private readonly toolbar: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly cellsNode: HTMLElement;
  private readonly typeSelect: HTMLSelectElement;
  private readonly kernelButton: HTMLButtonElement;
  private readonly trustButton: HTMLButtonElement;
  private readonly stdinBox: HTMLElement;
  private readonly visibility: ShownWatcher;
  private readonly chunks: CellChunks;
  private readonly find: FindBar;
  private readonly stops: (() => void)[] = [];
  private unbindDoc: (() => void) | null = null;
  private readonly origin = {};
  private readonly assist: KernelAssist = {
    complete: (code, cursorPos) => this.kernel.ask("complete_request", { code, cursor_pos: cursorPos }),
    inspect: (code, cursorPos, detailLevel) =>
      this.kernel.ask("inspect_request", { code, cursor_pos: cursorPos, detail_level: detailLevel }),
  };

  constructor(
    private readonly deps: NotebookDeps,
    path: string,
  ) {
    super("notebook", path);
    this.addClass("carnet-NotebookPanel");
    this.kernel = new NotebookKernel(deps.conn, () => this.isVisible);
    this.kernelStatus = computed(() => this.kernel.statusText.value);
    const toolbar = createToolbar(this);
    this.toolbar = toolbar.node;
    this.typeSelect = toolbar.typeSelect;
    this.kernelButton = toolbar.kernelButton;
    this.trustButton = toolbar.trustButton;
    this.banner = el("div", { className: "carnet-Banner", role: "status" });
    this.banner.hidden = true;
    this.scroller = el("div", { className: "carnet-Notebook" });
    this.cellsNode = el("div", {
      className: "carnet-Notebook-cells carnet-mod-command",
      tabindex: "0",
      "aria-label": "Notebook cells",
    });
    this.cellsNode.append(el("p", { className: "carnet-Loading" }, "Loading…"));
    this.scroller.append(this.cellsNode);
    this.chunks = new CellChunks(this.cellsNode);
    this.stdinBox = el("div", { className: "carnet-Stdin" });
    this.find = new FindBar({
      scroller: this.scroller,
      cellsNode: this.cellsNode,
      model: () => this.model,
      viewById: (id) => this.byId.get(id),
      activeIndex: () => this.activeIndex(),
      reveal: (index) => {
        this.expandTo(index);
        const view = this.views[index];
        if (view === undefined) return;
        this.activeId = view.id;
        this.anchorId = null;
        this.updateSelection();
      },
      closed: (view) => {
        if (view?.editor != null) view.editor.focus();
        else this.enterCommand();
      },
    });
    this.node.append(this.toolbar, this.find.node, this.banner, this.scroller);
    this.visibility = new ShownWatcher(this.scroller, (node) => this.byNode.get(node)?.highlightStatic());
    this.cellsNode.addEventListener("focusout", (e) => {
      // Focus went from an editor to the cell list: command mode.
      if (e.relatedTarget === this.cellsNode) this.mode.value = "command";
    });
    new CellDragAndDrop(this.cellsNode, {
      dragIds: (id) => {
        const index = this.views.findIndex((v) => v.id === id);
        const selected = this.selectedIndices();
        return selected.includes(index) ? selected.map((i) => this.views[i]?.id ?? "") : [id];
      },
      indexOfId: (id) => this.views.findIndex((v) => v.id === id),
      indexOfNode: (node) => this.views.findIndex((v) => v.node === node),
      move: (from, count, to) => this.moveBlock(from, count, to),
    });
    this.stops.push(
      effect(() => {
        const trusted = this.trusted.value;
        this.trustButton.textContent = trusted ? "Trusted" : "Not Trusted";
        this.trustButton.title = trusted
          ? "This notebook is trusted: its outputs show as you made them"
          : "Outputs of this notebook are sanitised: click to trust it";
        this.trustButton.classList.toggle("carnet-mod-untrusted", !trusted);
        this.node.dataset["trusted"] = trusted ? "1" : "0";
      }),
      effect(() => {
        this.kernelButton.textContent = this.kernelStatus.value;
        this.node.dataset["kernelState"] = this.kernel.state.value;
      }),
      effect(() => {
        const config = this.cellEditorConfig();
        for (const v of this.views) v.configure(config);
      }),
      effect(() => {
        const language = this.kernel.language.value;
        for (const v of this.views) v.setLanguage(language);
      }),
      effect(() => {
        const mode = this.mode.value;
        this.cellsNode.classList.toggle("carnet-mod-command", mode === "command");
        this.cellsNode.classList.toggle("carnet-mod-edit", mode === "edit");
      }),
    );
    this.loaded = this.load();
  }

  // --- loading --------------------------------------------------------------------------

  private async load(): Promise<void> {
    try {
      const room = await Room.open(this.deps.conn, this.path.value, "notebook");
      if (this.isDisposed) {
        room.dispose();
        return;
      }
      this.room = room;
      this.stops.push(
        room.onReset((info) => {
          this.bindDoc();
          if (info.unsyncedText !== null && info.unsyncedText !== "") void this.offerUnsynced(info.unsyncedText);
        }),
        effect(() => {
          const status = room.status.value;
          this.node.dataset["room"] = status;
          if (status === "disconnected") this.showBanner("Connection lost: reconnecting…", "offline");
          else if (status === "closed" && !this.isDisposed) {
            this.showBanner("This notebook was closed by the server (deleted or moved?): edits are not saved.", "offline");
          } else this.hideBanner("offline");
        }),
      );
      this.bindDoc();
      this.markRendered();
      const model = this.model;
      if (model !== null) {
        this.kernel.start(this.path.value, model.kernelName()).catch((error: unknown) => {
          notify(`Could not start a kernel for ${basename(this.path.value)}: ${describeError(error)}`, "error");
        });
      }
    } catch (error: unknown) {
      const message =
        error instanceof ApiError && error.status === 404
          ? "This notebook does not exist (any more)."
          : `Could not open this notebook: ${describeError(error)}`;
      this.cellsNode.replaceChildren(el("p", { className: "carnet-Notice-inline", role: "alert" }, message));
      this.saveState.value = "";
      this.markRendered();
    }
  }

  /** The server's copy was rebuilt while we had unsynced edits: give their text back. */
  private async offerUnsynced(text: string): Promise<void> {
    const copy = await showDialog<boolean>({
      title: "Notebook reloaded by the server",
      id: "unsynced",
      body: h(
        "div",
        null,
        h("p", null, "Your last edits could not be merged into the server's copy. Their text:"),
        h("pre", { class: "carnet-Unsynced" }, text),
      ),
      buttons: [
        { label: "Close", value: false },
        { label: "Copy the text", value: true, accept: true },
      ],
    });
    if (copy === true) {
      await navigator.clipboard.writeText(text).catch(() => notify("Could not copy to the clipboard.", "error"));
    }
  }

  /** (Re)binds the view to the room's current document (first load, epoch reset). */
  private bindDoc(): void {
    const room = this.room;
    if (room === null) return;
    this.unbindDoc?.();
    for (const v of this.views) {
      this.visibility.unobserve(v.node);
      v.dispose();
    }
    this.views = [];
    this.byCell.clear();
    this.model?.dispose();
    const model = new NotebookModel(room.doc, this.origin);
    this.model = model;
    this.cellsNode.replaceChildren();
    const onCells = (): void => this.reconcile();
    const onCarnet = (): void => {
      this.showStdin();
      this.showConflict();
      const error = model.carnet.get("last_error");
      if (typeof error === "string" && error !== "") {
        this.saveState.value = "error";
        this.showBanner(`The notebook could not be saved: ${error}`, "save-error");
      } else {
        this.hideBanner("save-error");
        if (this.saveState.value === "error") this.saveState.value = "saved";
      }
    };
    const state = room.doc.getMap("state");
    const onState = (): void => {
      const dirty = state.get("dirty") === true;
      this.dirty.value = dirty;
      if (this.saveState.value !== "saving") this.saveState.value = dirty ? "modified" : "saved";
    };
    // Trust follows metadata and outputs, not typing (text events are sources or streams).
    const onDeep = (events: Y.YEvent<Y.AbstractType<unknown>>[]): void => {
      if (events.some((e) => !(e.target instanceof Y.Text))) this.updateTrust();
    };
    model.cells.observe(onCells);
    model.cells.observeDeep(this.bumpContent);
    model.cells.observeDeep(onDeep);
    model.carnet.observe(onCarnet);
    state.observe(onState);
    const awareness = room.awareness;
    awareness.on("change", this.onAwareness);
    this.unbindDoc = () => {
      awareness.off("change", this.onAwareness);
      model.cells.unobserve(onCells);
      model.cells.unobserveDeep(this.bumpContent);
      model.cells.unobserveDeep(onDeep);
      model.carnet.unobserve(onCarnet);
      state.unobserve(onState);
    };
    this.reconcile();
    onCarnet();
    onState();
    this.find.rebind();
    this.trusted.value = notebookTrusted(model.cells);
  }

  // --- trust and export -----------------------------------------------------------------

  private readonly updateTrust = debounce(() => {
    const model = this.model;
    if (model !== null) this.trusted.value = notebookTrusted(model.cells);
  }, 100);

  async trustNotebook(): Promise<void> {
    const name = basename(this.path.value);
    if (this.room === null) return;
    const ok = await confirm(
      "Trust this notebook?",
      h(
        "div",
        null,
        h("p", null, `Trust "${name}"? Its outputs will show as when you run its code yourself: unsanitised HTML with its styles.`),
        h("p", null, "Trust only notebooks that you made or whose source you trust."),
      ),
      "Trust",
    );
    if (!ok) return;
    try {
      await trustNotebook(this.deps.conn, this.path.value);
      notify(`"${name}" is trusted.`);
    } catch (error: unknown) {
      notify(`Could not trust ${name}: ${describeError(error)}`, "error");
    }
  }

  async exportAs(format: string): Promise<void> {
    const name = basename(this.path.value);
    try {
      saveBlob(await exportNotebook(this.deps.conn, this.path.value, format));
    } catch (error: unknown) {
      notify(`Could not export ${name}: ${describeError(error)}`, "error");
    }
  }

  // --- cells ----------------------------------------------------------------------------

  private readonly host: CellHost = {
    awareness: () => this.room?.awareness ?? null,
    editorConfig: () => this.cellEditorConfig(),
    codeLanguage: () => this.kernel.language.value ?? "python",
    createEditor: (options: CellEditorOptions) => createCellEditor(options),
    kernelAssist: () => this.assist,
    createOutputArea: (trusted: boolean) => (this.deps.createOutputArea ?? createOutputArea)(this.deps.conn, trusted),
    renderMarkdown: (text: string, attachments: Readonly<Record<string, unknown>>) =>
      renderCellMarkdown(
        text,
        { conn: this.deps.conn, path: () => this.path.value, openFile: this.deps.openFile },
        attachments,
      ),
    highlight: (code: string, language: string | null) => highlightStatic(code, language),
    editorFocused: (cell: CellView) => {
      this.activeId = cell.id;
      this.anchorId = null;
      this.mode.value = "edit";
      this.updateSelection();
    },
    editorEdge: (cell: CellView, direction: -1 | 1) => {
      const next = this.views[this.shownFrom(this.views.indexOf(cell) + direction, direction)];
      if (next === undefined) return false;
      this.activeId = next.id;
      this.anchorId = null;
      this.updateSelection();
      next.edit(direction === 1 ? "start" : "end");
      next.node.scrollIntoView({ block: "nearest" });
      return true;
    },
    cursorMoved: (line: number, column: number) => {
      this.position.value = `Ln ${line}, Col ${column}`;
    },
    cellClicked: (cell: CellView, event: MouseEvent) => {
      if (event.shiftKey && this.activeId !== null) {
        this.anchorId ??= this.activeId;
      } else {
        this.anchorId = null;
      }
      this.activeId = cell.id;
      this.enterCommand();
    },
    markdownChanged: () => this.updateOutline(),
    toggleHeading: (cell: CellView) => {
      const index = this.views.indexOf(cell);
      if (index >= 0) this.setHeadingCollapsed(index, !cell.headingCollapsed);
    },
    sectionsChanged: () => this.scheduleSections(),
    cellAction: (cell: CellView, action: "run" | "up" | "down" | "delete") => {
      this.activeId = cell.id;
      this.anchorId = null;
      this.updateSelection();
      if (action === "run") void this.run("stay");
      else if (action === "up") this.moveSelected(-1);
      else if (action === "down") this.moveSelected(1);
      else this.deleteSelected();
    },
  };

  private cellEditorConfig(): CellEditorConfig {
    const base = this.deps.editorConfig.value;
    const numbers = this.lineNumbers.value;
    return numbers === null ? base : { ...base, lineNumbers: numbers };
  }

  /** Makes the cell views follow the document's cells (by identity of the shared cell maps). */
  private reconcile(): void {
    const model = this.model;
    if (model === null) return;
    const cells = model.cells.toArray();
    const keep = new Set(cells);
    for (const [cell, view] of this.byCell) {
      if (!keep.has(cell as never)) {
        this.visibility.unobserve(view.node);
        view.dispose();
        this.byCell.delete(cell);
        if (this.byId.get(view.id) === view) this.byId.delete(view.id);
      }
    }
    const views: CellView[] = [];
    for (const cell of cells) {
      let view = this.byCell.get(cell);
      if (view === undefined) {
        view = new CellView(this.host, cell);
        this.byCell.set(cell, view);
        this.byNode.set(view.node, view);
        this.bySource.set(view.sourceType, view);
        this.visibility.observe(view.node);
      }
      this.byId.set(view.id, view);
      views.push(view);
    }
    this.chunks.arrange(views.map((v) => v.node));
    this.views = views;
    if (this.activeId === null || !views.some((v) => v.id === this.activeId)) {
      const fallback = Math.min(this.lastActiveIndex, views.length - 1);
      this.activeId = views[Math.max(0, fallback)]?.id ?? null;
      if (this.mode.value === "edit" && !this.cellsNode.contains(document.activeElement)) this.mode.value = "command";
    }
    if (this.anchorId !== null && !views.some((v) => v.id === this.anchorId)) this.anchorId = null;
    this.applySections();
    this.updateSelection();
    this.showStdin();
    this.updateOutline();
    this.node.dataset["cells"] = String(views.length);
  }

  private lastActiveIndex = 0;
  private readonly bumpContent = debounce(() => {
    this.contentVersion.value += 1;
  }, 250);

  cellSources(): CellSource[] {
    const model = this.model;
    if (model === null) return [];
    return model.cells.toArray().map((c) => ({ id: cellId(c), type: cellType(c), source: sourceText(c) }));
  }

  restoreCells(cells: readonly CellJSON[]): void {
    const model = this.model;
    if (model === null) return;
    this.activeId = null;
    this.anchorId = null;
    this.lastActiveIndex = 0;
    model.replaceAll(cells);
    this.reconcile();
    this.enterCommand();
  }
  private outlineCells: string[] = [];
  private hidden: boolean[] = [];
  private sectionsFrame = 0;
  private readonly updateOutline = debounce(() => this.computeOutline(), 300);

  /** Headings of the markdown cells; `line` indexes `outlineCells` (see revealLine). */
  private computeOutline(): void {
    const headings: Heading[] = [];
    const ids: string[] = [];
    for (const view of this.views) {
      if (view.type !== "markdown") continue;
      for (const h of markdownHeadings(view.text())) {
        headings.push({ level: h.level, text: h.text, line: ids.length });
        ids.push(view.id);
      }
    }
    this.outlineCells = ids;
    this.outline.value = headings;
    this.applySections();
  }

  override revealLine(line: number): void {
    const id = this.outlineCells[line];
    const index = this.views.findIndex((v) => v.id === id);
    if (index < 0) return;
    this.expandTo(index);
    this.setActive(index);
    this.views[index]?.node.scrollIntoView({ block: "start" });
    this.enterCommand();
  }

  // --- sections (collapsed headings, run section) ------------------------------------

  private sectionCells(): SectionCell[] {
    return this.views.map((v) => ({ level: v.headingLevel(), collapsed: v.headingCollapsed }));
  }

  /** Hides the cells of collapsed sections; shows each heading's toggle. */
  private applySections(): void {
    if (this.sectionsFrame !== 0) cancelAnimationFrame(this.sectionsFrame);
    this.sectionsFrame = 0;
    const cells = this.sectionCells();
    const hidden = hiddenCells(cells);
    this.hidden = hidden;
    this.views.forEach((view, i) => {
      const { level, collapsed } = cells[i] ?? { level: null, collapsed: false };
      const count = level !== null && collapsed ? sectionEnd(cells, i, level) - i - 1 : 0;
      view.setSection(hidden[i] === true, level, collapsed, count);
    });
  }

  private scheduleSections(): void {
    if (this.sectionsFrame !== 0) return;
    this.sectionsFrame = requestAnimationFrame(() => {
      this.sectionsFrame = 0;
      if (!this.isDisposed) this.applySections();
    });
  }

  /** The first cell from `index` on (stepping by `direction`) that no collapsed heading hides. */
  private shownFrom(index: number, direction: -1 | 1): number {
    let i = index;
    while (i >= 0 && i < this.views.length && this.hidden[i] === true) i += direction;
    return i;
  }

  /** Expands the collapsed headings whose sections hide the cell at `index`. */
  private expandTo(index: number): void {
    if (this.hidden[index] !== true) return;
    const cells = this.sectionCells();
    for (const head of ancestors(cells, index)) {
      if (cells[head]?.collapsed === true) this.setHeadingCollapsed(head, false);
    }
  }

  /** Collapses or expands the heading cell at `index` (stored as JupyterLab does, in the
   * cell's metadata: `heading_collapsed: true`, removed when expanded). */
  private setHeadingCollapsed(index: number, collapsed: boolean): void {
    const model = this.model;
    const view = this.views[index];
    if (model === null || view === undefined || view.headingLevel() === null) return;
    if (view.headingCollapsed !== collapsed) model.setMetadata(index, "heading_collapsed", collapsed || undefined, false);
    this.applySections();
    const active = this.activeIndex();
    if (collapsed && active >= 0 && this.hidden[active] === true) {
      this.activeId = view.id;
      this.anchorId = null;
      if (this.mode.value === "edit") this.enterCommand();
      this.updateSelection();
    }
  }

  toggleHeading(): void {
    const cells = this.sectionCells();
    const head = sectionHead(cells, this.activeIndex());
    const view = this.views[head];
    if (view === undefined) return;
    this.setHeadingCollapsed(head, !view.headingCollapsed);
    if (view.headingCollapsed) this.setActive(head);
  }

  setAllHeadings(collapsed: boolean): void {
    const model = this.model;
    if (model === null) return;
    this.views.forEach((view, i) => {
      if (view.headingLevel() !== null && view.headingCollapsed !== collapsed) {
        model.setMetadata(i, "heading_collapsed", collapsed || undefined, false);
      }
    });
    this.applySections();
    const active = this.activeIndex();
    if (active >= 0 && this.hidden[active] === true) this.setActive(this.shownFrom(active, -1));
  }

  /** Runs the section of the active cell: its heading and the cells up to the next heading
   * of the same or a higher level (from the top when no heading is above). */
  async runSection(): Promise<void> {
    const cells = this.sectionCells();
    const head = sectionHead(cells, this.activeIndex());
    const level = cells[head]?.level ?? null;
    if (head < 0 || level === null) {
      const first = cells.findIndex((c) => c.level !== null);
      await this.execute(this.views.slice(0, first < 0 ? this.views.length : first));
      return;
    }
    await this.execute(this.views.slice(head, sectionEnd(cells, head, level)));
  }

  override get canRunSections(): boolean {
    return true;
  }

  /** Runs the section of a heading of the table of contents. */
  override async runOutlineSection(line: number): Promise<void> {
    const id = this.outlineCells[line];
    const level = this.outline.value[line]?.level;
    const index = this.views.findIndex((v) => v.id === id);
    if (index < 0 || level === undefined) return;
    await this.execute(this.views.slice(index, sectionEnd(this.sectionCells(), index, level)));
  }

  // --- find -----------------------------------------------------------------------------

  /** Opens the find bar (Ctrl+F), with the replace field (Ctrl+H); starts from the
   * selection of the active editor. */
  openFind(replace: boolean): void {
    const editor = this.mode.value === "edit" ? this.activeView()?.editor : null;
    const sel = editor?.view.state.selection.main;
    const initial = editor != null && sel !== undefined && !sel.empty ? editor.view.state.sliceDoc(sel.from, sel.to) : "";
    this.find.open(replace, initial);
  }

  findStep(direction: -1 | 1): void {
    if (!this.find.isOpen) this.find.open(false);
    else this.find.step(direction);
  }

  /** Remote cursors show in cells that have an editor: give one to cells others edit. */
  private readonly onAwareness = (_changes: unknown, origin: unknown): void => {
    const room = this.room;
    if (origin === "local" || room === null) return;
    const doc = room.doc;
    room.awareness.getStates().forEach((state, client) => {
      if (client === room.awareness.clientID) return;
      const cursors = (state as { cursors?: unknown }).cursors;
      if (!Array.isArray(cursors)) return;
      for (const c of cursors as { head?: unknown }[]) {
        try {
          const pos = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(c.head), doc);
          const view = pos === null ? undefined : this.bySource.get(pos.type);
          if (view !== undefined && view.editor === null && !view.isRendered) view.ensureEditor();
        } catch {
          // Not a cursor of ours: ignore.
        }
      }
    });
  };

  private activeIndex(): number {
    const index = this.views.findIndex((v) => v.id === this.activeId);
    return index;
  }

  private activeView(): CellView | null {
    return this.views[this.activeIndex()] ?? null;
  }

  /** The selected cells' indices, in order (the active cell alone when nothing is marked). */
  selectedIndices(): number[] {
    const active = this.activeIndex();
    if (active < 0) return [];
    if (this.anchorId === null) return [active];
    const anchor = this.views.findIndex((v) => v.id === this.anchorId);
    if (anchor < 0) return [active];
    const [a, b] = anchor < active ? [anchor, active] : [active, anchor];
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }

  private updateSelection(): void {
    const selected = new Set(this.selectedIndices());
    const active = this.activeIndex();
    if (active >= 0) this.lastActiveIndex = active;
    this.views.forEach((v, i) => {
      v.setActive(i === active);
      v.setSelected(selected.has(i) && (selected.size > 1 || this.anchorId !== null));
    });
    const view = this.views[active];
    if (view !== undefined && this.typeSelect.value !== view.type) this.typeSelect.value = view.type;
  }

  private setActive(index: number, extend = false): void {
    const view = this.views[Math.max(0, Math.min(index, this.views.length - 1))];
    if (view === undefined) return;
    if (extend) this.anchorId ??= this.activeId;
    else this.anchorId = null;
    this.activeId = view.id;
    this.updateSelection();
    view.node.scrollIntoView({ block: "nearest" });
  }

  // --- modes ----------------------------------------------------------------------------

  enterEdit(): void {
    const view = this.activeView();
    if (view === null) return;
    this.anchorId = null;
    this.mode.value = "edit";
    view.edit();
    this.updateSelection();
  }

  enterCommand(): void {
    this.mode.value = "command";
    this.updateSelection();
    if (document.activeElement !== this.cellsNode) this.cellsNode.focus({ preventScroll: true });
  }

  protected override focusTarget(): HTMLElement {
    if (this.mode.value === "edit") {
      const editor = this.activeView()?.editor;
      if (editor != null) return editor.view.contentDOM;
    }
    return this.cellsNode;
  }

  // --- running --------------------------------------------------------------------------

  async run(advance: "stay" | "next" | "insert"): Promise<void> {
    const model = this.model;
    if (model === null) return;
    const indices = this.selectedIndices();
    const last = indices[indices.length - 1] ?? 0;
    const views = indices.map((i) => this.views[i]).filter((v): v is CellView => v !== undefined);
    for (const v of views) v.render();
    let editNew = false;
    if (advance === "insert" || (advance === "next" && last === this.views.length - 1)) {
      const cell = model.insert(last + 1, "code");
      this.activeId = cell.get("id") as string;
      editNew = true;
    } else if (advance === "next") {
      this.activeId = this.views[last + 1]?.id ?? this.activeId;
    }
    this.anchorId = null;
    if (editNew) {
      this.enterEdit();
    } else {
      this.enterCommand();
    }
    this.activeView()?.node.scrollIntoView({ block: "nearest" });
    await this.execute(views);
  }

  async runAll(): Promise<void> {
    await this.execute(this.views);
  }

  async runAbove(): Promise<void> {
    await this.execute(this.views.slice(0, Math.max(0, this.activeIndex())));
  }

  async runBelow(): Promise<void> {
    await this.execute(this.views.slice(Math.max(0, this.activeIndex())));
  }

  async runSelected(): Promise<void> {
    await this.run("next");
  }

  /** Asks the server to run the code cells of `views` (markdown cells just render). */
  private async execute(views: readonly CellView[]): Promise<void> {
    const room = this.room;
    const model = this.model;
    if (room === null || model === null) return;
    for (const v of views) v.render();
    const code = views.filter((v) => v.type === "code" && v.text().trim() !== "");
    if (code.length === 0) return;
    try {
      const session = await this.kernel.ready(this.path.value, model.kernelName());
      if (session === null) {
        notify("There is no kernel to run this notebook.", "error");
        return;
      }
      await executeOnServer(this.deps.conn, room.fileId, code, async () => {
        this.kernel.reset();
        await this.kernel.start(this.path.value, model.kernelName());
      });
    } catch (error: unknown) {
      notify(`Could not run: ${describeError(error)}`, "error");
    }
  }

  async interruptKernel(): Promise<void> {
    if (this.room === null) return;
    try {
      await interruptExecution(this.deps.conn, this.room.fileId);
    } catch (error: unknown) {
      notify(`Could not interrupt the kernel: ${describeError(error)}`, "error");
    }
  }

  async restartKernel(): Promise<void> {
    await this.confirmRestart();
  }

  private async confirmRestart(): Promise<boolean> {
    const ok = await confirm(
      "Restart the kernel?",
      "All variables will be lost; queued cells will not run.",
      "Restart",
      true,
    );
    if (!ok) return false;
    try {
      await this.kernel.restart();
      return true;
    } catch (error: unknown) {
      notify(`Could not restart the kernel: ${describeError(error)}`, "error");
      return false;
    }
  }

  async restartRunAll(): Promise<void> {
    if (await this.confirmRestart()) await this.runAll();
  }

  async changeKernel(): Promise<void> {
    const model = this.model;
    if (model === null) return;
    let specs;
    try {
      specs = await this.kernel.kernelSpecs();
    } catch (error: unknown) {
      notify(describeError(error), "error");
      return;
    }
    const current = this.kernel.session.value?.kernelName ?? model.kernelName();
    const name = await showDialog<string>({
      title: "Select Kernel",
      id: "kernel-picker",
      body: h("p", null, `Choose the kernel for ${basename(this.path.value)}.`),
      buttons: [
        ...specs.specs.map((s) => ({ label: s.displayName, value: s.name, accept: s.name === current })),
        { label: "Cancel", value: "" },
      ],
    });
    if (name === null || name === "") return;
    const spec = specs.specs.find((s) => s.name === name);
    try {
      await this.kernel.change(this.path.value, name);
      model.setKernelSpec(name, spec?.displayName ?? name, spec?.language ?? "");
    } catch (error: unknown) {
      notify(`Could not change the kernel: ${describeError(error)}`, "error");
    }
  }

  // --- cell operations ------------------------------------------------------------------

  insert(where: "above" | "below", type: CellType = "code"): void {
    const model = this.model;
    if (model === null) return;
    const indices = this.selectedIndices();
    const index = where === "above" ? (indices[0] ?? 0) : (indices[indices.length - 1] ?? -1) + 1;
    const cell = model.insert(index, type);
    this.activeId = cell.get("id") as string;
    this.anchorId = null;
    this.enterCommand();
  }

  copy(): void {
    const model = this.model;
    if (model === null) return;
    clipboard = this.selectedIndices().flatMap((i) => {
      const cell = model.cell(i);
      return cell === undefined ? [] : [cellToJSON(cell)];
    });
  }

  cut(): void {
    this.copy();
    this.deleteSelected();
  }

  paste(where: "above" | "below"): void {
    const model = this.model;
    if (model === null || clipboard.length === 0) return;
    const indices = this.selectedIndices();
    const index = where === "above" ? (indices[0] ?? 0) : (indices[indices.length - 1] ?? -1) + 1;
    model.paste(index, clipboard);
    this.activeId = cellIdAt(model, index + clipboard.length - 1) ?? this.activeId;
    this.anchorId = null;
    this.updateSelection();
  }

  deleteSelected(): void {
    const model = this.model;
    if (model === null) return;
    const indices = this.selectedIndices();
    this.lastActiveIndex = indices[0] ?? 0;
    this.activeId = null;
    this.anchorId = null;
    model.remove(indices);
    this.reconcile();
    this.enterCommand();
  }

  undoCells(): void {
    this.model?.undoManager.undo();
  }

  redoCells(): void {
    this.model?.undoManager.redo();
  }

  setCellType(type: CellType): void {
    const model = this.model;
    if (model === null) return;
    const wasEdit = this.mode.value === "edit";
    model.setType(this.selectedIndices(), type);
    if (wasEdit) this.enterEdit();
    else this.enterCommand();
  }

  extendSelection(direction: -1 | 1): void {
    this.setActive(this.activeIndex() + direction, true);
  }

  select(direction: -1 | 1): void {
    const index = this.shownFrom(this.activeIndex() + direction, direction);
    if (index >= 0 && index < this.views.length) this.setActive(index);
  }

  selectAll(): void {
    if (this.views.length === 0) return;
    this.anchorId = this.views[0]?.id ?? null;
    this.activeId = this.views[this.views.length - 1]?.id ?? null;
    this.updateSelection();
  }

  merge(): void {
    const model = this.model;
    if (model === null) return;
    let indices = this.selectedIndices();
    if (indices.length === 1) {
      const next = (indices[0] ?? 0) + 1;
      if (next >= this.views.length) return;
      indices = [indices[0] ?? 0, next];
    }
    const first = model.merge(indices);
    this.activeId = cellIdAt(model, first) ?? this.activeId;
    this.anchorId = null;
    this.enterCommand();
  }

  split(): void {
    const model = this.model;
    const view = this.activeView();
    if (model === null || view === null) return;
    const offsets = view.editor?.cursorOffsets() ?? [];
    if (offsets.length === 0) return;
    const index = this.activeIndex();
    model.split(index, offsets);
    this.activeId = cellIdAt(model, index + offsets.length) ?? this.activeId;
    this.anchorId = null;
    this.enterEdit();
    this.activeView()?.editor?.setCursor("start");
  }

  moveSelected(direction: -1 | 1): void {
    const model = this.model;
    if (model === null) return;
    const indices = this.selectedIndices();
    const first = indices[0];
    if (first === undefined) return;
    const count = indices.length;
    const to = first + direction;
    if (to < 0 || to + count > this.views.length) return;
    this.moveBlock(first, count, to);
  }

  /** Moves [from, from+count) to start at `to` (index without the block); keeps the selection. */
  private moveBlock(from: number, count: number, to: number): void {
    const model = this.model;
    if (model === null) return;
    const ids = this.views.slice(from, from + count).map((v) => v.id);
    const activeWasInside = ids.includes(this.activeId ?? "");
    model.move(from, count, to);
    if (activeWasInside && count > 1) {
      this.anchorId = ids[0] ?? null;
      this.activeId = ids[ids.length - 1] ?? null;
    }
    this.reconcile();
    this.activeView()?.node.scrollIntoView({ block: "nearest" });
    // The moved cells are new views (their editors are gone): continue in command mode.
    this.enterCommand();
  }

  toggleLineNumbers(): void {
    this.lineNumbers.value = !(this.lineNumbers.value ?? this.deps.editorConfig.value.lineNumbers);
  }

  toggleOutputs(): void {
    const views = this.selectedIndices().map((i) => this.views[i]).filter((v): v is CellView => v !== undefined);
    const collapse = !views.every((v) => v.isOutputCollapsed);
    for (const v of views) v.setOutputCollapsed(collapse);
  }

  clearOutputs(all: boolean): void {
    const model = this.model;
    if (model === null) return;
    model.clearOutputs(all ? this.views.map((_, i) => i) : this.selectedIndices());
  }

  // --- saving ---------------------------------------------------------------------------

  override get canSave(): boolean {
    return this.room !== null;
  }

  override async save(): Promise<void> {
    const room = this.room;
    if (room === null) return;
    this.saveState.value = "saving";
    try {
      const reply = await saveDocument(this.deps.conn, room.fileId);
      if (reply.conflict !== null) {
        const overwrite = await confirm(
          "File changed on disk",
          `${reply.conflict.message} Overwrite the file on disk with this notebook?`,
          "Overwrite",
          true,
        );
        if (!overwrite) {
          this.saveState.value = "error";
          return;
        }
        await saveDocument(this.deps.conn, room.fileId, true);
      }
      this.dirty.value = false;
      this.saveState.value = "saved";
    } catch (error: unknown) {
      this.saveState.value = "error";
      notify(`Could not save ${basename(this.path.value)}: ${describeError(error)}`, "error");
    }
  }

  override setPath(path: string): void {
    const changed = path !== this.path.value;
    super.setPath(path);
    if (changed) {
      this.kernel.rename(path).catch((error: unknown) => {
        notify(`The kernel session did not follow the rename: ${describeError(error)}`, "error");
      });
    }
  }

  override async reload(): Promise<void> {
    const room = this.room;
    if (room === null) return;
    await revertDocument(this.deps.conn, room.fileId);
  }

  async revertToCheckpoint(): Promise<void> {
    const ok = await confirm(
      "Revert to checkpoint?",
      `"${basename(this.path.value)}" will go back to its last checkpoint (its last explicit save).`,
      "Revert",
      true,
    );
    if (!ok) return;
    try {
      await this.reload();
    } catch (error: unknown) {
      notify(`Could not revert: ${describeError(error)}`, "error");
    }
  }

  // --- stdin and banners ----------------------------------------------------------------

  private showStdin(): void {
    const request = this.model?.stdin() ?? null;
    const room = this.room;
    if (request === null || room === null) {
      this.stdinBox.remove();
      delete this.stdinBox.dataset["requestId"];
      return;
    }
    const view = this.views.find((v) => v.id === request.cellId);
    if (view === undefined) {
      this.stdinBox.remove();
      return;
    }
    if (this.stdinBox.dataset["requestId"] === request.requestId && view.stdinSlot.contains(this.stdinBox)) return;
    const input = renderStdin(this.stdinBox, request, (value) =>
      answerInput(this.deps.conn, room.fileId, request.requestId, value),
    );
    view.stdinSlot.append(this.stdinBox);
    if (this.isVisible) {
      input.focus();
      this.mode.value = "command";
    }
  }

  private showConflict(): void {
    const conflict = this.model?.conflict() ?? null;
    if (conflict === null) {
      this.hideBanner("conflict");
      return;
    }
    if (this.banner.dataset["kind"] !== "conflict" || this.banner.hidden) notify(conflict.message, "error");
    const history = conflict.historyPath === "" ? "" : ` The other version is kept in ${conflict.historyPath}.`;
    this.showBanner(`${conflict.message}${history}`, "conflict");
  }

  private showBanner(text: string, kind: string): void {
    this.banner.replaceChildren(el("span", {}, text));
    this.banner.dataset["kind"] = kind;
    this.banner.hidden = false;
  }

  private hideBanner(kind: string): void {
    if (this.banner.dataset["kind"] === kind) this.banner.hidden = true;
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.kernel.poll();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    for (const stop of this.stops) stop();
    this.unbindDoc?.();
    this.visibility.disconnect();
    this.updateOutline.cancel();
    this.bumpContent.cancel();
    if (this.sectionsFrame !== 0) cancelAnimationFrame(this.sectionsFrame);
    this.find.dispose();
    for (const v of this.views) v.dispose();
    this.views = [];
    this.model?.dispose();
    this.kernel.dispose();
    this.room?.dispose();
    super.dispose();
  }
}

function cellIdAt(model: NotebookModel, index: number): string | null {
  const cell = model.cell(index);
  const id = cell?.get("id");
  return typeof id === "string" ? id : null;
}
