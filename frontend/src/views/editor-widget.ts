/**
 * A text file in CodeMirror, on the server's document room (model/room.ts): every view of the
 * file, in any tab or browser, edits one shared text; the server loads it, autosaves it
 * (~1 s after a change) and merges changes made on disk. Ctrl+S saves now and checkpoints.
 * Undo is per user (only this editor's edits); other users' cursors are shown.
 *
 * The server reports in the document's `carnet` map: `saved` (time of the last save),
 * `conflict` (the file changed on disk while there were unsaved edits: the document was
 * kept, the disk version went into the history) and `last_error` (a save failed). If the
 * server's document was rebuilt (another lineage), the room starts afresh and the editor
 * offers the text it had as a copy.
 *
 * Size guard: files over 10 MB open read-only with a notice (plain text, no room), files too
 * big for a browser tab are not loaded at all; unwritable files open read-only too.
 */
import { effect, signal, type ReadonlySignal } from "@preact/signals-core";
import type * as Y from "yjs";
import { ApiError, type Connection, getModel, isRecord, listDirectory, requestJson, saveModel } from "../api";
import type { EditorConfig, EditorHandle } from "../editor/codemirror";
import type { FileType } from "../model/filetypes";
import type { Room } from "../model/room";
import type { ConflictChoice } from "../model/savecheck";
import { markdownHeadings } from "../model/toc";
import { debounce } from "../util/debounce";
import { formatSize } from "../util/format";
import { basename, dirname, withSuffix } from "../util/paths";
import { el } from "../util/dom";
import { showDialog } from "./dialogs";
import { DocumentWidget } from "./document";
import { describeError, notify } from "./notify";

/** Files above this open read-only (the editor stays responsive; saving them is refused). */
export const READ_ONLY_BYTES = 10 * 1000 * 1000;
/** Files above this are not loaded into a tab at all. */
export const MAX_OPEN_BYTES = 100 * 1000 * 1000;
/** A save stamp this soon after a local edit may not include it: stay "modified". */
const SAVE_STAMP_GRACE_MS = 300;

type CodeMirror = typeof import("../editor/codemirror");
type Collab = typeof import("../editor/collab");

export interface EditorWidgetDeps {
  readonly conn: Connection;
  readonly config: ReadonlySignal<EditorConfig>;
  /** Opens another file (the saved copy after "Save mine as a copy"). */
  readonly openFile: (path: string) => void;
}

export class EditorWidget extends DocumentWidget {
  /** Bumps on every edit (live previews re-render from `getText`). */
  readonly textVersion = signal(0);
  readonly loaded: Promise<void>;
  private handle: EditorHandle | null = null;
  private room: Room | null = null;
  private undoManager: Y.UndoManager | null = null;
  private unbind: (() => void) | null = null;
  private readOnly = false;
  private saving = false;
  private lastLocalEdit = 0;
  private shownConflict = "";
  private readonly banner: HTMLDivElement;
  private readonly host: HTMLDivElement;
  private stopConfig: (() => void) | null = null;
  private readonly updateOutline = debounce(() => this.computeOutline(), 300);

  constructor(
    private readonly deps: EditorWidgetDeps,
    path: string,
    private readonly fileType: FileType,
  ) {
    super("editor", path);
    this.addClass("carnet-EditorPanel");
    if (fileType.language !== undefined) this.node.dataset["language"] = fileType.language;
    this.banner = el("div", { className: "carnet-Banner", role: "status" });
    this.banner.hidden = true;
    this.host = el("div", { className: "carnet-Editor" });
    this.host.append(el("p", { className: "carnet-Loading" }, "Loading…"));
    this.node.append(this.banner, this.host);
    this.loaded = this.load();
  }

  override get canSave(): boolean {
    return this.handle !== null && !this.readOnly;
  }

  get isReadOnly(): boolean {
    return this.readOnly;
  }

  getText(): string {
    return this.handle?.getText() ?? "";
  }

  focusEditor(): void {
    this.handle?.focus();
  }

  goToLine(line: number): void {
    this.handle?.goToLine(line);
  }

  lineCount(): number {
    return this.handle?.lineCount() ?? 0;
  }

  openSearch(replace: boolean): void {
    this.handle?.openSearch(replace);
  }

  undo(): void {
    if (this.undoManager !== null) this.undoManager.undo();
    else this.handle?.undo();
  }

  redo(): void {
    if (this.undoManager !== null) this.undoManager.redo();
    else this.handle?.redo();
  }

  /** The room this editor is bound to (null for read-only files). */
  get documentRoom(): Room | null {
    return this.room;
  }

  override revealLine(line: number): void {
    this.handle?.goToLine(line + 1);
  }

  protected override focusTarget(): HTMLElement {
    return this.handle?.view.contentDOM ?? this.node;
  }

  private async load(): Promise<void> {
    const path = this.path.value;
    try {
      const stat = await getModel(this.deps.conn, path, { content: false, type: "file" });
      const size = stat.size ?? 0;
      if (size > MAX_OPEN_BYTES) {
        this.showTooLarge(size);
        return;
      }
      this.readOnly = size > READ_ONLY_BYTES || !stat.writable;
      if (this.readOnly) {
        await this.loadReadOnly(size, stat.writable);
        return;
      }
      const [room, cm, collab] = await Promise.all([
        import("../model/room").then((m) => m.Room.open(this.deps.conn, path, "file")),
        import("../editor/codemirror"),
        import("../editor/collab"),
      ]);
      if (this.isDisposed) {
        room.dispose();
        return;
      }
      this.room = room;
      this.bind(cm, collab);
      room.onReset(({ unsyncedText }) => {
        this.bind(cm, collab);
        if (unsyncedText !== null) this.offerLostText(unsyncedText);
      });
      this.stopRoomStatus = effect(() => this.showRoomStatus(room.status.value));
      this.saveState.value = "saved";
      this.startConfig();
      if (this.isVisible && this.node.contains(document.activeElement)) this.handle?.focus();
      this.markRendered();
    } catch (error: unknown) {
      this.showLoadError(error);
    }
  }

  private stopRoomStatus: (() => void) | null = null;

  /** (Re)creates the editor on the room's current document. */
  private bind(cm: CodeMirror, collab: Collab): void {
    const room = this.room;
    if (room === null) return;
    this.unbind?.();
    const hadFocus = this.handle?.view.hasFocus ?? false;
    this.handle?.dispose();
    this.host.replaceChildren();
    const ytext = room.doc.getText("source");
    const binding = collab.collab(ytext, room.awareness);
    this.undoManager = binding.undoManager;
    this.handle = this.createEditor(cm, ytext.toString(), false);
    collab.attach(this.handle.view, binding.extension);
    const onText = (_event: Y.YTextEvent, transaction: Y.Transaction): void => {
      if (transaction.local) this.localEdit();
    };
    ytext.observe(onText);
    const status = room.doc.getMap("carnet");
    const onStatus = (): void => this.serverStatus(status);
    status.observe(onStatus);
    this.unbind = () => {
      ytext.unobserve(onText);
      status.unobserve(onStatus);
      binding.undoManager.destroy();
    };
    this.computeOutline();
    if (hadFocus) this.handle.focus();
  }

  private createEditor(cm: CodeMirror, text: string, readOnly: boolean): EditorHandle {
    return cm.createEditor({
      parent: this.host,
      doc: text,
      ...(this.fileType.language === undefined ? {} : { language: this.fileType.language }),
      readOnly,
      config: this.deps.config.value,
      label: `Editor: ${basename(this.path.value)}`,
      onChange: () => this.changed(),
      onCursor: (line, column, selected) => {
        this.position.value = `Ln ${line}, Col ${column}${selected > 0 ? ` (${selected} selected)` : ""}`;
      },
    });
  }

  private startConfig(): void {
    this.stopConfig?.();
    this.stopConfig = effect(() => {
      const config = this.deps.config.value;
      this.handle?.configure(config);
    });
  }

  /** Big or unwritable files: plain text, read-only, no room. */
  private async loadReadOnly(size: number, writable: boolean): Promise<void> {
    const [model, cm] = await Promise.all([
      getModel(this.deps.conn, this.path.value, { type: "file", format: "text" }),
      import("../editor/codemirror"),
    ]);
    if (this.isDisposed) return;
    this.host.replaceChildren();
    this.handle = this.createEditor(cm, typeof model.content === "string" ? model.content : "", true);
    this.startConfig();
    if (size > READ_ONLY_BYTES) {
      this.showBanner(`This file is ${formatSize(size)}: it is open read-only so the tab stays responsive.`);
    } else if (!writable) {
      this.showBanner("You cannot write to this file: it is open read-only.");
    }
    this.saveState.value = "read-only";
    this.computeOutline();
    this.markRendered();
  }

  private changed(): void {
    this.textVersion.value += 1;
    if (this.fileType.kind === "markdown") this.updateOutline();
  }

  private localEdit(): void {
    this.lastLocalEdit = Date.now();
    if (!this.dirty.value) this.dirty.value = true;
    if (!this.saving) this.saveState.value = "modified";
  }

  /** The server's `carnet` map changed: saved, conflict, last_error. */
  private serverStatus(status: Y.Map<unknown>): void {
    const error = status.get("last_error");
    if (typeof error === "string" && error !== "") {
      this.saveState.value = "error";
      this.showBanner(error, [["Dismiss", "dismiss"]]);
      return;
    }
    const conflict = status.get("conflict");
    const message =
      typeof conflict === "object" && conflict !== null ? (conflict as Record<string, unknown>)["message"] : null;
    if (typeof message === "string" && message !== this.shownConflict) {
      this.shownConflict = message;
      this.showBanner(message, [
        ["Reload from disk (discard mine)", "reload"],
        ["Save mine as a copy", "save-copy"],
        ["Overwrite disk", "overwrite"],
        ["Keep mine", "cancel"],
      ]);
    } else if (message === null || message === undefined) {
      if (this.shownConflict !== "") this.hideBanner();
      this.shownConflict = "";
    }
    if (status.get("saved") !== undefined && Date.now() - this.lastLocalEdit > SAVE_STAMP_GRACE_MS && !this.saving) {
      this.dirty.value = false;
      this.saveState.value = "saved";
    }
  }

  private showRoomStatus(status: string): void {
    if (status === "closed" && !this.isDisposed) {
      this.readOnly = true;
      this.handle?.setReadOnly(true);
      this.saveState.value = "read-only";
      this.showBanner("This file was deleted or is no longer available; the editor is read-only.");
    } else if (status === "disconnected") {
      this.showBanner("Connection to the server lost; reconnecting… Your edits are kept and will sync.");
    } else if (status === "synced") {
      if (this.banner.dataset["kind"] === "notice" && this.banner.textContent?.startsWith("Connection")) {
        this.banner.hidden = true;
      }
    }
  }

  private computeOutline(): void {
    if (this.fileType.kind === "markdown" && this.handle !== null) {
      this.outline.value = markdownHeadings(this.handle.getText());
    }
  }

  /** Ctrl+S: the server saves now (it autosaves anyway) and makes a checkpoint. */
  override async save(): Promise<void> {
    if (this.handle === null || this.saving) return;
    if (this.readOnly || this.room === null) {
      notify(`${basename(this.path.value)} is open read-only and was not saved.`, "error");
      return;
    }
    this.saving = true;
    this.saveState.value = "saving";
    const version = this.textVersion.value;
    try {
      const fileId = encodeURIComponent(this.room.fileId);
      const reply = await requestJson(this.deps.conn, `api/documents/${fileId}/save`, { method: "POST" });
      if (isRecord(reply) && isRecord(reply["conflict"])) {
        // The file changed on disk while this document had unsaved edits: the user decides.
        this.saving = false;
        this.saveState.value = "modified";
        await this.resolve(await this.askConflict());
        return;
      }
      this.savedAt(version);
    } catch (error: unknown) {
      this.saveState.value = "error";
      notify(`Could not save ${basename(this.path.value)}: ${describeError(error)}`, "error");
    } finally {
      this.saving = false;
    }
  }

  private savedAt(version: number): void {
    if (this.textVersion.value === version) {
      this.dirty.value = false;
      this.saveState.value = "saved";
    } else {
      this.saveState.value = "modified";
    }
  }

  private async overwrite(): Promise<void> {
    if (this.room === null) return;
    const version = this.textVersion.value;
    const fileId = encodeURIComponent(this.room.fileId);
    await requestJson(this.deps.conn, `api/documents/${fileId}/save`, { method: "POST", body: { overwrite: true } });
    this.savedAt(version);
  }

  private askConflict(): Promise<ConflictChoice> {
    const name = basename(this.path.value);
    return showDialog<ConflictChoice>({
      title: "File changed on disk",
      id: "conflict",
      body: `"${name}" changed on disk while you had unsaved changes. Choose which version to keep; nothing is lost unless you say so.`,
      buttons: [
        { label: "Cancel", value: "cancel" },
        { label: "Save mine as a copy", value: "save-copy" },
        { label: "Reload from disk (discard mine)", value: "reload", danger: true },
        { label: "Overwrite disk", value: "overwrite", danger: true },
      ],
    }).then((c) => c ?? "cancel");
  }

  private async resolve(choice: ConflictChoice | "dismiss"): Promise<void> {
    if (choice === "overwrite") {
      await this.overwrite();
      this.hideBanner();
    } else if (choice === "reload") {
      await this.reload();
    } else if (choice === "save-copy") {
      await this.saveCopy(this.getText());
      await this.reload();
    }
  }

  /** Reloads from disk: the shared text becomes the file's (for everyone editing it). */
  override async reload(): Promise<void> {
    if (this.handle === null) return;
    const model = await getModel(this.deps.conn, this.path.value, { type: "file", format: "text" });
    const text = typeof model.content === "string" ? model.content.replace(/\r\n/g, "\n") : "";
    if (this.room === null) {
      this.handle.setText(text);
    } else {
      const ytext = this.room.doc.getText("source");
      if (ytext.toString() !== text) {
        this.room.doc.transact(() => {
          ytext.delete(0, ytext.length);
          ytext.insert(0, text);
        });
      }
    }
    this.dirty.value = false;
    this.saveState.value = this.readOnly ? "read-only" : "saved";
    this.hideBanner();
  }

  /** The server's document was rebuilt: offer the text this editor had as a copy. */
  private offerLostText(text: string): void {
    this.showBanner(
      "The server reloaded this file; your latest edits could not be merged into it.",
      [["Save my version as a copy", "copy-lost"], ["Discard", "dismiss"]],
      text,
    );
  }

  private async saveCopy(text: string): Promise<void> {
    if (text === "") return;
    const copy = await this.freePath(withSuffix(this.path.value, "-mine"));
    await saveModel(this.deps.conn, copy, { type: "file", format: "text", content: text });
    notify(`Your version was saved as ${copy}.`);
    this.deps.openFile(copy);
  }

  /** `candidate`, or "-2", "-3"… before its extension: the first name not in its folder. */
  private async freePath(candidate: string): Promise<string> {
    const taken = new Set((await listDirectory(this.deps.conn, dirname(candidate))).map((e) => e.path));
    for (let i = 1; i < 1000; i += 1) {
      const path = i === 1 ? candidate : withSuffix(candidate, `-${i}`);
      if (!taken.has(path)) return path;
    }
    throw new Error("no free name for the copy");
  }

  private showBanner(
    text: string,
    actions: [string, ConflictChoice | "dismiss" | "copy-lost"][] = [],
    lostText = "",
  ): void {
    this.banner.replaceChildren(el("span", {}, text));
    for (const [label, choice] of actions) {
      const button = el("button", { type: "button", className: "carnet-Button" }, label);
      button.addEventListener("click", () => {
        this.hideBanner();
        const done =
          choice === "copy-lost" ? this.saveCopy(lostText) : choice === "dismiss" ? null : this.resolve(choice);
        void done?.catch((e: unknown) => notify(describeError(e), "error"));
      });
      this.banner.append(button);
    }
    this.banner.hidden = false;
    this.banner.dataset["kind"] = actions.length > 0 ? "conflict" : "notice";
  }

  private hideBanner(): void {
    if (this.banner.dataset["kind"] === "conflict") this.banner.hidden = true;
  }

  private showTooLarge(size: number): void {
    this.host.replaceChildren(
      el(
        "p",
        { className: "carnet-Notice-inline", role: "status" },
        `This file is ${formatSize(size)}, too large to open in the browser. Download it instead.`,
      ),
    );
    this.saveState.value = "read-only";
    this.markRendered();
  }

  private showLoadError(error: unknown): void {
    const message =
      error instanceof ApiError && error.status === 404
        ? "This file does not exist (any more)."
        : error instanceof ApiError && (error.status === 400 || error.status === 422)
          ? "This file is not UTF-8 text; open it with another viewer."
          : `Could not open this file: ${describeError(error)}`;
    this.host.replaceChildren(el("p", { className: "carnet-Notice-inline", role: "alert" }, message));
    this.saveState.value = "";
    this.markRendered();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.updateOutline.cancel();
    this.stopConfig?.();
    this.stopRoomStatus?.();
    this.unbind?.();
    this.handle?.dispose();
    this.room?.dispose();
    super.dispose();
  }
}
