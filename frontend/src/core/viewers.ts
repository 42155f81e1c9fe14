/**
 * Built-in viewers: images, PDF, HTML (sandboxed), CSV/TSV (virtualised table), JSON (tree)
 * and rendered Markdown. Each renderer's code loads on first use. "Open With" (file browser
 * context menu) offers every viewer that can open a file.
 */
import type { CarnetApp, CarnetPlugin } from "../plugins/api";
import { EditorWidget } from "../views/editor-widget";
import { HtmlViewer, ImageViewer, PdfViewer } from "../views/viewers/frame";
import { TextViewer } from "../views/viewers/text-viewer";
import { openPath } from "./filebrowser";

export const viewersPlugin: CarnetPlugin = {
  id: "@carnet/viewers-extension:plugin",
  activate(app: CarnetApp) {
    const { conn } = app;
    const context = { conn, openFile: (path: string) => void openPath(app, path) };
    app.viewers.add({
      id: "image",
      label: "Image",
      rank: 10,
      canOpen: (type) => type.kind === "image",
      isDefaultFor: (type) => type.kind === "image",
      create: ({ path }) => new ImageViewer(conn, path),
    });
    app.viewers.add({
      id: "pdf",
      label: "PDF",
      rank: 10,
      canOpen: (type) => type.kind === "pdf",
      isDefaultFor: (type) => type.kind === "pdf",
      create: ({ path }) => new PdfViewer(conn, path),
    });
    app.viewers.add({
      id: "html",
      label: "HTML Viewer",
      rank: 10,
      canOpen: (type) => type.kind === "html",
      isDefaultFor: (type) => type.kind === "html",
      create: ({ path }) => new HtmlViewer(conn, path),
    });
    app.viewers.add({
      id: "csv",
      label: "Table (CSV/TSV)",
      rank: 10,
      canOpen: (type) => type.kind === "csv" || type.kind === "text",
      isDefaultFor: (type) => type.kind === "csv",
      create: ({ path }) =>
        new TextViewer("csv", context, path, async () => (await import("../views/viewers/csv-table")).createCsvTable),
    });
    app.viewers.add({
      id: "json",
      label: "JSON Tree",
      rank: 60,
      canOpen: (type) => type.kind === "json" || type.kind === "notebook",
      isDefaultFor: () => false,
      create: ({ path }) =>
        new TextViewer("json", context, path, async () => (await import("../views/viewers/json-tree")).createJsonTree),
    });
    app.viewers.add({
      id: "markdown-preview",
      label: "Markdown Preview",
      rank: 60,
      canOpen: (type) => type.kind === "markdown",
      isDefaultFor: () => false,
      create: ({ path }) =>
        new TextViewer(
          "markdown-preview",
          context,
          path,
          async () => (await import("../views/viewers/markdown")).createMarkdownView,
          () => {
            const editor = app.docs.find(path, "editor");
            return editor instanceof EditorWidget ? editor : null;
          },
        ),
    });
  },
};
