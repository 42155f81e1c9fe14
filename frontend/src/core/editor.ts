/**
 * The text editor plugin: the "editor" viewer (every text file; the default for most),
 * its settings, and the document and editing commands (save, reload, find, replace, go to
 * line, undo/redo, Markdown preview) with their menus.
 */
import { computed } from "@preact/signals-core";
import { CommandIds as C } from "../commands/ids";
import type { EditorConfig } from "../editor/codemirror";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";
import { confirm, prompt } from "../views/dialogs";
import { isDocument } from "../views/document";
import { EditorWidget } from "../views/editor-widget";
import { describeError } from "../views/notify";
import { openPath } from "./filebrowser";

export const EDITOR_SETTINGS = "@carnet/fileeditor-extension:plugin";

/** The `rulers` setting as columns: positive whole numbers, anything else ignored. */
export function rulerColumns(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  return value.filter((c): c is number => typeof c === "number" && Number.isInteger(c) && c > 0 && c < 1000);
}

export const editorPlugin: CarnetPlugin = {
  id: "@carnet/fileeditor-extension:plugin",
  activate(app: CarnetApp) {
    const { commands, settings, docs } = app;
    settings.register({
      id: EDITOR_SETTINGS,
      title: "Text Editor",
      rank: 20,
      fields: [
        { key: "lineNumbers", title: "Line numbers", type: "boolean", default: true },
        { key: "lineWrap", title: "Wrap long lines", type: "boolean", default: false },
        { key: "tabSize", title: "Tab size", type: "number", default: 4, min: 1, max: 16 },
        { key: "insertSpaces", title: "Indent with spaces", type: "boolean", default: true },
        { key: "highlightActiveLine", title: "Highlight the current line", type: "boolean", default: true },
        { key: "matchBrackets", title: "Highlight matching brackets", type: "boolean", default: true },
        { key: "autoClosingBrackets", title: "Close brackets automatically", type: "boolean", default: false },
        { key: "codeFolding", title: "Code folding", type: "boolean", default: true },
        {
          key: "rulers",
          title: "Rulers",
          description: "Columns where a vertical line is drawn, as a JSON list, e.g. [80, 100].",
          type: "json",
          default: [],
        },
      ],
    });
    const field = <T>(key: string) => settings.watch<T>(EDITOR_SETTINGS, key);
    const lineNumbers = field<boolean>("lineNumbers");
    const lineWrap = field<boolean>("lineWrap");
    const tabSize = field<number>("tabSize");
    const insertSpaces = field<boolean>("insertSpaces");
    const activeLine = field<boolean>("highlightActiveLine");
    const brackets = field<boolean>("matchBrackets");
    const closing = field<boolean>("autoClosingBrackets");
    const folding = field<boolean>("codeFolding");
    const rulers = field<unknown>("rulers");
    const config = computed<EditorConfig>(() => ({
      lineNumbers: lineNumbers.value,
      lineWrap: lineWrap.value,
      tabSize: tabSize.value,
      insertSpaces: insertSpaces.value,
      highlightActiveLine: activeLine.value,
      matchBrackets: brackets.value,
      autoClosingBrackets: closing.value,
      codeFolding: folding.value,
      rulers: rulerColumns(rulers.value),
    }));

    app.viewers.add({
      id: "editor",
      label: "Editor",
      rank: 50,
      canOpen: (type) =>
        !(type.kind === "pdf" || type.kind === "binary" || (type.kind === "image" && type.id !== "svg")),
      isDefaultFor: (type) => ["text", "markdown", "json", "notebook"].includes(type.kind),
      create: ({ path, fileType }) =>
        new EditorWidget(
          { conn: app.conn, config, openFile: (p) => void openPath(app, p) },
          path,
          fileType,
        ),
    });

    const active = (): EditorWidget | null => {
      const doc = docs.active.value;
      return doc instanceof EditorWidget ? doc : null;
    };
    const hasEditor = (): boolean => active() !== null;

    commands.addCommand(C.save, {
      label: "Save",
      caption: "Save the current file",
      isEnabled: () => true,
      execute: async () => {
        const doc = docs.active.value;
        if (doc !== null && doc.canSave) await doc.save();
      },
    });
    commands.addCommand(C.saveAll, {
      label: "Save All",
      isEnabled: () => docs.documents.value.some((d) => d.dirty.value),
      execute: async () => {
        for (const doc of docs.documents.value) {
          if (doc.dirty.value && doc.canSave) await doc.save();
        }
      },
    });
    commands.addCommand(C.revert, {
      label: "Reload from Disk",
      isEnabled: () => isDocument(docs.active.value),
      execute: async () => {
        const doc = docs.active.value;
        if (doc === null) return;
        if (doc.dirty.value) {
          const ok = await confirm(
            "Reload from disk?",
            `Your unsaved changes to "${doc.path.value}" will be lost.`,
            "Reload",
            true,
          );
          if (!ok) return;
        }
        await doc.reload().catch((e: unknown) => app.notify(describeError(e), "error"));
      },
    });
    commands.addCommand(C.find, {
      label: "Find…",
      isEnabled: hasEditor,
      execute: () => active()?.openSearch(false),
    });
    commands.addCommand(C.replace, {
      label: "Find and Replace…",
      isEnabled: hasEditor,
      execute: () => active()?.openSearch(true),
    });
    commands.addCommand(C.undo, { label: "Undo", isEnabled: hasEditor, execute: () => active()?.undo() });
    commands.addCommand(C.redo, { label: "Redo", isEnabled: hasEditor, execute: () => active()?.redo() });
    commands.addCommand(C.goToLine, {
      label: "Go to Line…",
      isEnabled: hasEditor,
      execute: async () => {
        const editor = active();
        if (editor === null) return;
        const max = editor.lineCount();
        const value = await prompt({
          title: "Go to line",
          label: `Line number (1–${max})`,
          okLabel: "Go",
          id: "go-to-line",
          validate: (v) => (/^\s*\d+\s*$/.test(v) && Number(v) >= 1 ? null : "Enter a line number."),
        });
        if (value !== null) editor.goToLine(Number(value));
        else editor.focusEditor();
      },
    });
    commands.addCommand(C.markdownPreview, {
      label: "Show Markdown Preview",
      isEnabled: () => active()?.path.value.toLowerCase().endsWith(".md") ?? false,
      execute: async () => {
        const editor = active();
        if (editor === null) return;
        await docs.open(editor.path.value, { viewer: "markdown-preview", mode: "split-right", ref: editor });
      },
    });

    const items = app.menus.items;
    items.add({ id: "file:save", menu: "file", command: C.save, group: 2, rank: 0 });
    items.add({ id: "file:save-all", menu: "file", command: C.saveAll, group: 2, rank: 1 });
    items.add({ id: "file:reload", menu: "file", command: C.revert, group: 2, rank: 2 });
    items.add({ id: "edit:undo", menu: "edit", command: C.undo, group: 0, rank: 0 });
    items.add({ id: "edit:redo", menu: "edit", command: C.redo, group: 0, rank: 1 });
    items.add({ id: "edit:find", menu: "edit", command: C.find, group: 2, rank: 0 });
    items.add({ id: "edit:replace", menu: "edit", command: C.replace, group: 2, rank: 1 });
    items.add({ id: "edit:goto", menu: "edit", command: C.goToLine, group: 2, rank: 2 });
    items.add({ id: "view:md-preview", menu: "view", command: C.markdownPreview, group: 4, rank: 0 });
    const category = "Text Editor";
    for (const command of [C.save, C.saveAll, C.revert, C.find, C.replace, C.goToLine, C.markdownPreview]) {
      app.palette.add({ id: `palette:${command}`, command, category });
    }
  },
};
