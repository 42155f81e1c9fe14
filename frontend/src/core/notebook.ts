/**
 * The notebook plugin: the "notebook" viewer (default for `.ipynb`), its commands with
 * JupyterLab's ids and default shortcuts (command mode and edit mode), and the Run, Kernel and
 * Edit menu items. The notebook's code (views, CodeMirror bindings, Yjs) is a lazy chunk
 * loaded when the first notebook opens; this module only holds the wiring.
 */
import { computed } from "@preact/signals-core";
import type { KeyBinding } from "../model/keymap";
import type { NotebookActions } from "../notebook/actions";
import type { CellEditorConfig } from "../notebook/editor";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";
import { EDITOR_SETTINGS, rulerColumns } from "./editor";
import { openPath } from "./filebrowser";
import { afterReady } from "../util/ready";

/** Keys of a notebook in command mode (focus on the cell list, not in an editor or input). */
export const NOTEBOOK_COMMAND_SELECTOR = ".carnet-Notebook-cells.carnet-mod-command:focus";
/** Keys inside a cell editor. */
export const NOTEBOOK_EDIT_SELECTOR = ".carnet-Notebook-cells.carnet-mod-edit .cm-content";
/** Both modes. */
export const NOTEBOOK_SELECTOR = ".carnet-Notebook-cells";
/** Anywhere in a notebook tab, its find bar included. */
export const NOTEBOOK_PANEL_SELECTOR = ".carnet-NotebookPanel";

export const NotebookCommandIds = {
  runAndAdvance: "notebook:run-cell-and-select-next",
  run: "notebook:run-cell",
  runAndInsert: "notebook:run-cell-and-insert-below",
  runAll: "notebook:run-all-cells",
  runAbove: "notebook:run-all-above",
  runBelow: "notebook:run-all-below",
  restartRunAll: "notebook:restart-run-all",
  editMode: "notebook:enter-edit-mode",
  commandMode: "notebook:enter-command-mode",
  insertAbove: "notebook:insert-cell-above",
  insertBelow: "notebook:insert-cell-below",
  cut: "notebook:cut-cell",
  copy: "notebook:copy-cell",
  paste: "notebook:paste-cell-below",
  pasteAbove: "notebook:paste-cell-above",
  del: "notebook:delete-cell",
  undo: "notebook:undo-cell-action",
  redo: "notebook:redo-cell-action",
  toCode: "notebook:change-cell-to-code",
  toMarkdown: "notebook:change-cell-to-markdown",
  toRaw: "notebook:change-cell-to-raw",
  extendAbove: "notebook:extend-marked-cells-above",
  extendBelow: "notebook:extend-marked-cells-below",
  selectAll: "notebook:select-all",
  up: "notebook:move-cursor-up",
  down: "notebook:move-cursor-down",
  moveUp: "notebook:move-cell-up",
  moveDown: "notebook:move-cell-down",
  merge: "notebook:merge-cells",
  split: "notebook:split-cell-at-cursor",
  interrupt: "notebook:interrupt-kernel",
  restart: "notebook:restart-kernel",
  changeKernel: "notebook:change-kernel",
  lineNumbers: "notebook:toggle-cell-line-numbers",
  toggleOutputs: "notebook:toggle-cell-outputs",
  clearOutputs: "notebook:clear-cell-output",
  clearAllOutputs: "notebook:clear-all-cell-outputs",
  revert: "docmanager:restore-checkpoint",
  find: "documentsearch:start",
  findReplace: "documentsearch:start-with-replace",
  findNext: "documentsearch:highlight-next",
  findPrevious: "documentsearch:highlight-previous",
  runSection: "notebook:run-section",
  toggleHeading: "notebook:toggle-heading-collapse",
  collapseAll: "notebook:collapse-all-headings",
  expandAll: "notebook:expand-all-headings",
  trust: "notebook:trust",
  exportTo: "notebook:export-to-format",
} as const;

/** "Save and Export Notebook As": nbconvert exporter names and their menu labels. */
export const EXPORT_FORMATS: readonly (readonly [format: string, label: string])[] = [
  ["notebook", "Notebook (.ipynb)"],
  ["script", "Executable Script"],
  ["markdown", "Markdown"],
  ["html", "HTML"],
  ["latex", "LaTeX"],
  ["pdf", "PDF"],
  ["webpdf", "WebPDF"],
  ["rst", "reStructuredText"],
  ["asciidoc", "AsciiDoc"],
  ["slides", "Reveal.js Slides"],
];

const N = NotebookCommandIds;
const CMD = NOTEBOOK_COMMAND_SELECTOR;
const EDIT = NOTEBOOK_EDIT_SELECTOR;
const ANY = NOTEBOOK_SELECTOR;
const PANEL = NOTEBOOK_PANEL_SELECTOR;

export const NOTEBOOK_KEYMAP: readonly KeyBinding[] = [
  { command: N.runAndAdvance, keys: ["Shift Enter"], selector: ANY },
  { command: N.run, keys: ["Accel Enter"], selector: ANY },
  { command: N.runAndInsert, keys: ["Alt Enter"], selector: ANY },
  { command: N.editMode, keys: ["Enter"], selector: CMD },
  { command: N.commandMode, keys: ["Escape"], selector: EDIT },
  { command: N.commandMode, keys: ["Ctrl M"], selector: EDIT },
  { command: N.insertAbove, keys: ["A"], selector: CMD },
  { command: N.insertBelow, keys: ["B"], selector: CMD },
  { command: N.cut, keys: ["X"], selector: CMD },
  { command: N.copy, keys: ["C"], selector: CMD },
  { command: N.paste, keys: ["V"], selector: CMD },
  { command: N.pasteAbove, keys: ["Shift V"], selector: CMD },
  { command: N.del, keys: ["D", "D"], selector: CMD },
  { command: N.undo, keys: ["Z"], selector: CMD },
  { command: N.undo, keys: ["Accel Z"], selector: CMD },
  { command: N.redo, keys: ["Shift Z"], selector: CMD },
  { command: N.redo, keys: ["Accel Shift Z"], selector: CMD },
  { command: N.toCode, keys: ["Y"], selector: CMD },
  { command: N.toMarkdown, keys: ["M"], selector: CMD },
  { command: N.toRaw, keys: ["R"], selector: CMD },
  { command: N.extendAbove, keys: ["Shift ArrowUp"], selector: CMD },
  { command: N.extendAbove, keys: ["Shift K"], selector: CMD },
  { command: N.extendBelow, keys: ["Shift ArrowDown"], selector: CMD },
  { command: N.extendBelow, keys: ["Shift J"], selector: CMD },
  { command: N.selectAll, keys: ["Accel A"], selector: CMD },
  { command: N.up, keys: ["ArrowUp"], selector: CMD },
  { command: N.up, keys: ["K"], selector: CMD },
  { command: N.down, keys: ["ArrowDown"], selector: CMD },
  { command: N.down, keys: ["J"], selector: CMD },
  { command: N.merge, keys: ["Shift M"], selector: CMD },
  { command: N.split, keys: ["Accel Shift -"], selector: EDIT },
  { command: N.interrupt, keys: ["I", "I"], selector: CMD },
  { command: N.restart, keys: ["0", "0"], selector: CMD },
  { command: N.lineNumbers, keys: ["L"], selector: CMD },
  { command: N.toggleOutputs, keys: ["O"], selector: CMD },
  { command: N.find, keys: ["Accel F"], selector: PANEL },
  { command: N.findReplace, keys: ["Ctrl H"], selector: PANEL },
  { command: N.findNext, keys: ["Accel G"], selector: PANEL },
  { command: N.findPrevious, keys: ["Accel Shift G"], selector: PANEL },
];

function isNotebook(widget: unknown): widget is NotebookActions {
  return (
    typeof widget === "object" &&
    widget !== null &&
    (widget as { viewerId?: unknown }).viewerId === "notebook" &&
    "runAll" in widget
  );
}

export const notebookPlugin: CarnetPlugin = {
  id: "@carnet/notebook-extension:plugin",
  activate(app: CarnetApp) {
    // Once the shell is usable and the browser idle, fetch the notebook editor's chunks, so
    // that opening the first notebook waits only for its document (first load unchanged).
    afterReady(() => void import("../notebook/panel"));
    const { commands, settings, docs } = app;
    const field = <T>(key: string) => settings.watch<T>(EDITOR_SETTINGS, key);
    const lineWrap = field<boolean>("lineWrap");
    const tabSize = field<number>("tabSize");
    const insertSpaces = field<boolean>("insertSpaces");
    const brackets = field<boolean>("matchBrackets");
    const closing = field<boolean>("autoClosingBrackets");
    const folding = field<boolean>("codeFolding");
    const rulers = field<unknown>("rulers");
    const editorConfig = computed<CellEditorConfig>(() => ({
      // Cells show no line numbers by default, as in JupyterLab; L toggles them.
      lineNumbers: false,
      lineWrap: lineWrap.value,
      tabSize: tabSize.value,
      insertSpaces: insertSpaces.value,
      matchBrackets: brackets.value,
      autoClosingBrackets: closing.value,
      codeFolding: folding.value,
      rulers: rulerColumns(rulers.value),
    }));

    app.viewers.add({
      id: "notebook",
      label: "Notebook",
      rank: 10,
      canOpen: (type) => type.kind === "notebook",
      isDefaultFor: (type) => type.kind === "notebook",
      create: async ({ path }) => {
        const { NotebookPanel } = await import("../notebook/panel");
        return new NotebookPanel(
          { conn: app.conn, editorConfig, openFile: (p) => void openPath(app, p) },
          path,
        );
      },
    });

    const active = (): NotebookActions | null => {
      const doc = docs.active.value;
      return isNotebook(doc) ? doc : null;
    };
    const enabled = (): boolean => active() !== null;
    const add = (id: string, label: string, run: (nb: NotebookActions) => unknown, caption?: string): void => {
      commands.addCommand(id, {
        label,
        ...(caption === undefined ? {} : { caption }),
        isEnabled: enabled,
        execute: () => {
          const nb = active();
          return nb === null ? undefined : run(nb);
        },
      });
    };
    add(N.runAndAdvance, "Run Selected Cells and Select Below", (nb) => nb.run("next"));
    add(N.run, "Run Selected Cells and Do not Advance", (nb) => nb.run("stay"));
    add(N.runAndInsert, "Run Selected Cells and Insert Below", (nb) => nb.run("insert"));
    add(N.runAll, "Run All Cells", (nb) => nb.runAll());
    add(N.runAbove, "Run All Above Selected Cell", (nb) => nb.runAbove());
    add(N.runBelow, "Run Selected Cell and All Below", (nb) => nb.runBelow());
    add(N.restartRunAll, "Restart Kernel and Run All Cells…", (nb) => nb.restartRunAll());
    add(N.editMode, "Enter Edit Mode", (nb) => nb.enterEdit());
    add(N.commandMode, "Enter Command Mode", (nb) => nb.enterCommand());
    add(N.insertAbove, "Insert Cell Above", (nb) => nb.insert("above"));
    add(N.insertBelow, "Insert Cell Below", (nb) => nb.insert("below"));
    add(N.cut, "Cut Cells", (nb) => nb.cut());
    add(N.copy, "Copy Cells", (nb) => nb.copy());
    add(N.paste, "Paste Cells Below", (nb) => nb.paste("below"));
    add(N.pasteAbove, "Paste Cells Above", (nb) => nb.paste("above"));
    add(N.del, "Delete Cells", (nb) => nb.deleteSelected());
    add(N.undo, "Undo Cell Operation", (nb) => nb.undoCells());
    add(N.redo, "Redo Cell Operation", (nb) => nb.redoCells());
    add(N.toCode, "Change to Code Cell Type", (nb) => nb.setCellType("code"));
    add(N.toMarkdown, "Change to Markdown Cell Type", (nb) => nb.setCellType("markdown"));
    add(N.toRaw, "Change to Raw Cell Type", (nb) => nb.setCellType("raw"));
    add(N.extendAbove, "Extend Selection Above", (nb) => nb.extendSelection(-1));
    add(N.extendBelow, "Extend Selection Below", (nb) => nb.extendSelection(1));
    add(N.selectAll, "Select All Cells", (nb) => nb.selectAll());
    add(N.up, "Select Cell Above", (nb) => nb.select(-1));
    add(N.down, "Select Cell Below", (nb) => nb.select(1));
    add(N.moveUp, "Move Cells Up", (nb) => nb.moveSelected(-1));
    add(N.moveDown, "Move Cells Down", (nb) => nb.moveSelected(1));
    add(N.merge, "Merge Selected Cells", (nb) => nb.merge());
    add(N.split, "Split Cell", (nb) => nb.split());
    add(N.interrupt, "Interrupt Kernel", (nb) => nb.interruptKernel());
    add(N.restart, "Restart Kernel…", (nb) => nb.restartKernel());
    add(N.changeKernel, "Change Kernel…", (nb) => nb.changeKernel());
    add(N.lineNumbers, "Toggle Line Numbers", (nb) => nb.toggleLineNumbers());
    add(N.toggleOutputs, "Toggle Outputs of Selected Cells", (nb) => nb.toggleOutputs());
    add(N.clearOutputs, "Clear Cell Output", (nb) => nb.clearOutputs(false));
    add(N.clearAllOutputs, "Clear Outputs of All Cells", (nb) => nb.clearOutputs(true));
    add(N.revert, "Revert Notebook to Checkpoint…", (nb) => nb.revertToCheckpoint());
    add(N.find, "Find in Notebook…", (nb) => nb.openFind(false));
    add(N.findReplace, "Find and Replace in Notebook…", (nb) => nb.openFind(true));
    add(N.findNext, "Find Next", (nb) => nb.findStep(1));
    add(N.findPrevious, "Find Previous", (nb) => nb.findStep(-1));
    add(N.runSection, "Run Section", (nb) => nb.runSection(), "Run the heading of the active cell's section and its cells");
    add(N.toggleHeading, "Collapse or Expand Section", (nb) => nb.toggleHeading());
    add(N.collapseAll, "Collapse All Headings", (nb) => nb.setAllHeadings(true));
    add(N.expandAll, "Expand All Headings", (nb) => nb.setAllHeadings(false));
    add(N.trust, "Trust Notebook", (nb) => nb.trustNotebook());
    const formatLabels = new Map(EXPORT_FORMATS);
    commands.addCommand(N.exportTo, {
      label: (args) => {
        const label = formatLabels.get(String(args["format"] ?? ""));
        return args["palette"] === true ? `Save and Export Notebook: ${label ?? "?"}` : (label ?? "Export");
      },
      caption: "Download the notebook converted by the server (nbconvert)",
      isEnabled: enabled,
      execute: (args) => {
        const nb = active();
        const format = args["format"];
        return nb === null || typeof format !== "string" ? undefined : nb.exportAs(format);
      },
    });

    app.keymap.addDefaults(NOTEBOOK_KEYMAP);

    const items = app.menus.items;
    items.add({ id: "run:notebook-run-advance", menu: "run", command: N.runAndAdvance, group: 1, rank: 0 });
    items.add({ id: "run:notebook-run", menu: "run", command: N.run, group: 1, rank: 1 });
    items.add({ id: "run:notebook-run-insert", menu: "run", command: N.runAndInsert, group: 1, rank: 2 });
    items.add({ id: "run:notebook-run-above", menu: "run", command: N.runAbove, group: 2, rank: 0 });
    items.add({ id: "run:notebook-run-below", menu: "run", command: N.runBelow, group: 2, rank: 1 });
    items.add({ id: "run:notebook-run-section", menu: "run", command: N.runSection, group: 2, rank: 2 });
    items.add({ id: "edit:notebook-find", menu: "edit", command: N.find, group: 2, rank: 3 });
    items.add({ id: "edit:notebook-replace", menu: "edit", command: N.findReplace, group: 2, rank: 4 });
    items.add({ id: "view:notebook-collapse-all", menu: "view", command: N.collapseAll, group: 4, rank: 1 });
    items.add({ id: "view:notebook-expand-all", menu: "view", command: N.expandAll, group: 4, rank: 2 });
    items.add({ id: "kernel:notebook-restart-run-all", menu: "kernel", command: N.restartRunAll, group: 1, rank: 0 });
    items.add({ id: "kernel:notebook-change", menu: "kernel", command: N.changeKernel, group: 2, rank: 0 });
    items.add({ id: "edit:notebook-clear", menu: "edit", command: N.clearOutputs, group: 5, rank: 0 });
    items.add({ id: "edit:notebook-clear-all", menu: "edit", command: N.clearAllOutputs, group: 5, rank: 1 });
    items.add({ id: "edit:notebook-merge", menu: "edit", command: N.merge, group: 6, rank: 0 });
    items.add({ id: "edit:notebook-split", menu: "edit", command: N.split, group: 6, rank: 1 });
    items.add({ id: "file:notebook-revert", menu: "file", command: N.revert, group: 2, rank: 3 });
    items.add({ id: "file:notebook-trust", menu: "file", command: N.trust, group: 2, rank: 4 });
    app.menus.menus.add({ id: "file-export", label: "Save and Export Notebook As", submenuOnly: true });
    items.add({ id: "file:notebook-export", menu: "file", submenu: "file-export", group: 2, rank: 5 });
    EXPORT_FORMATS.forEach(([format], rank) => {
      items.add({ id: `file-export:${format}`, menu: "file-export", command: N.exportTo, args: { format }, rank });
      app.palette.add({
        id: `palette:export:${format}`,
        command: N.exportTo,
        args: { format, palette: true },
        category: "Notebook Operations",
      });
    });
    for (const command of Object.values(N)) {
      if (command === N.exportTo) continue;
      app.palette.add({ id: `palette:${command}`, command, category: "Notebook Operations" });
    }
  },
};
