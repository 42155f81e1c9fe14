/**
 * Cell attachments (nbformat: a markdown cell's `attachments` is `{name: {mime: base64}}`,
 * stored in the shared cell as a plain JSON value, as jupyter_ydoc does). An image pasted or
 * dropped into a markdown cell's editor becomes an attachment, and `![name](attachment:name)`
 * is inserted where the cursor is; rendering resolves `attachment:` URLs (viewers/markdown.ts).
 */
import type { EditorView } from "@codemirror/view";
import * as Y from "yjs";
import { notify } from "../views/notify";
import type { YCell } from "./model";

/** Images larger than this are refused: every user's browser holds the whole notebook. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export function cellAttachments(cell: YCell): Record<string, unknown> {
  const value = cell.get("attachments");
  if (value instanceof Y.Map) return value.toJSON();
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function sameBundle(a: unknown, b: Record<string, string>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `name`, or `stem-1.ext`, `stem-2.ext`… when another attachment already has that name. */
export function attachmentName(existing: Readonly<Record<string, unknown>>, name: string, bundle: Record<string, string>): string {
  const clean = name.replace(/[\s()[\]<>]+/g, "_") || "image.png";
  const dot = clean.lastIndexOf(".");
  const stem = dot > 0 ? clean.slice(0, dot) : clean;
  const ext = dot > 0 ? clean.slice(dot) : "";
  let candidate = clean;
  for (let i = 1; candidate in existing && !sameBundle(existing[candidate], bundle); i += 1) {
    candidate = `${stem}-${i}${ext}`;
  }
  return candidate;
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = typeof reader.result === "string" ? reader.result : "";
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error("could not read the file"));
    reader.readAsDataURL(file);
  });
}

function imageFiles(data: DataTransfer | null): File[] {
  if (data === null) return [];
  return [...data.files].filter((f) => f.type.startsWith("image/"));
}

/** Stores `files` in the cell's attachments and inserts their Markdown at `pos` (or the selection). */
async function attach(view: EditorView, cell: YCell, files: readonly File[], pos: number | null): Promise<void> {
  const links: string[] = [];
  for (const file of files) {
    if (file.size > MAX_ATTACHMENT_BYTES) {
      notify(`${file.name} is too large to attach (over ${MAX_ATTACHMENT_BYTES >> 20} MiB).`, "error");
      continue;
    }
    const bundle = { [file.type]: await readBase64(file) };
    const existing = cellAttachments(cell);
    const name = attachmentName(existing, file.name || "image.png", bundle);
    cell.set("attachments", { ...existing, [name]: bundle });
    links.push(`![${name}](attachment:${encodeURI(name)})`);
  }
  if (links.length === 0 || view.dom.isConnected === false) return;
  const text = links.join("\n");
  if (pos === null) {
    view.dispatch(view.state.replaceSelection(text), { scrollIntoView: true });
  } else {
    view.dispatch({ changes: { from: pos, insert: text }, selection: { anchor: pos + text.length } });
  }
  view.focus();
}

/** Pasting or dropping image files into `view` attaches them to `cell`. Returns the remover. */
export function acceptImages(view: EditorView, cell: YCell): () => void {
  const fail = (error: unknown): void =>
    notify(`Could not attach the image: ${error instanceof Error ? error.message : String(error)}`, "error");
  // Capture phase on the editor's root: CodeMirror's own paste/drop handlers never see them.
  const onPaste = (e: ClipboardEvent): void => {
    const files = imageFiles(e.clipboardData);
    if (files.length === 0) return;
    e.preventDefault();
    e.stopPropagation();
    attach(view, cell, files, null).catch(fail);
  };
  const onDragOver = (e: DragEvent): void => {
    if (e.dataTransfer?.types.includes("Files") !== true) return;
    e.preventDefault();
    e.stopPropagation();
    e.dataTransfer.dropEffect = "copy";
  };
  const onDrop = (e: DragEvent): void => {
    const files = imageFiles(e.dataTransfer);
    if (files.length === 0) return;
    e.preventDefault();
    e.stopPropagation();
    const pos = view.posAtCoords({ x: e.clientX, y: e.clientY });
    attach(view, cell, files, pos).catch(fail);
  };
  view.dom.addEventListener("paste", onPaste, true);
  view.dom.addEventListener("dragover", onDragOver, true);
  view.dom.addEventListener("drop", onDrop, true);
  return () => {
    view.dom.removeEventListener("paste", onPaste, true);
    view.dom.removeEventListener("dragover", onDragOver, true);
    view.dom.removeEventListener("drop", onDrop, true);
  };
}
