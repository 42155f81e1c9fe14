/**
 * A text file in CodeMirror. Loading, saving with JupyterLab's conflict protocol (hash=1,
 * see model/savecheck.ts), noticing changes on disk (a clean editor reloads; one with unsaved
 * edits asks), and the size guard: files over 10 MB open read-only with a notice, files too
 * big for a browser tab are not loaded at all.
 */
import type { Message } from "@lumino/messaging";
import { effect, signal, type ReadonlySignal } from "@preact/signals-core";
import { ApiError, type Connection, type ContentsModel, getModel, listDirectory, saveModel } from "../api";
import type { EditorConfig, EditorHandle } from "../editor/codemirror";
import type { FileType } from "../model/filetypes";
import { type ConflictChoice, type DiskState, changedOnDisk } from "../model/savecheck";
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
/** How often an open, visible editor checks the file on disk. */
const DISK_CHECK_MS = 4000;

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
  private disk: DiskState = { hash: null, lastModified: "" };
  private readOnly = false;
  private saving = false;
  private conflictShown = false;
  private timer: ReturnType<typeof setInterval> | null = null;
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
    this.handle?.undo();
  }

  redo(): void {
    this.handle?.redo();
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
      const [model, cm] = await Promise.all([
        getModel(this.deps.conn, path, { type: "file", format: "text", hash: true }),
        import("../editor/codemirror"),
      ]);
      if (this.isDisposed) return;
      this.remember(model);
      this.host.replaceChildren();
      this.handle = cm.createEditor({
        parent: this.host,
        doc: typeof model.content === "string" ? model.content : "",
        ...(this.fileType.language === undefined ? {} : { language: this.fileType.language }),
        readOnly: this.readOnly,
        config: this.deps.config.value,
        label: `Editor: ${basename(path)}`,
        onChange: () => this.changed(),
        onCursor: (line, column, selected) => {
          this.position.value = `Ln ${line}, Col ${column}${selected > 0 ? ` (${selected} selected)` : ""}`;
        },
      });
      this.stopConfig = effect(() => {
        const config = this.deps.config.value;
        this.handle?.configure(config);
      });
      if (size > READ_ONLY_BYTES) {
        this.showBanner(
          `This file is ${formatSize(size)}: it is open read-only so the tab stays responsive.`,
        );
      } else if (!stat.writable) {
        this.showBanner("You cannot write to this file: it is open read-only.");
      }
      this.saveState.value = this.readOnly ? "read-only" : "saved";
      this.computeOutline();
      if (this.isVisible && this.node.contains(document.activeElement)) this.handle.focus();
      this.startDiskChecks();
      this.markRendered();
    } catch (error: unknown) {
      this.showLoadError(error);
    }
  }

  private changed(): void {
    this.textVersion.value += 1;
    if (!this.dirty.value) this.dirty.value = true;
    if (!this.saving) this.saveState.value = "modified";
    if (this.fileType.kind === "markdown") this.updateOutline();
  }

  private computeOutline(): void {
    if (this.fileType.kind === "markdown" && this.handle !== null) {
      this.outline.value = markdownHeadings(this.handle.getText());
    }
  }

  private remember(model: ContentsModel): void {
    this.disk = { hash: model.hash, lastModified: model.lastModified };
  }

  /** Saves with the conflict check; resolves when saved, cancelled or failed (shown to the user). */
  override async save(): Promise<void> {
    if (this.handle === null || this.saving) return;
    if (this.readOnly) {
      notify(`${basename(this.path.value)} is open read-only and was not saved.`, "error");
      return;
    }
    this.saving = true;
    this.saveState.value = "saving";
    try {
      const disk = await this.diskState();
      if (disk !== null && changedOnDisk(this.disk, disk)) {
        const choice = await this.askConflict();
        if (choice !== "overwrite") {
          this.saving = false;
          this.saveState.value = this.dirty.value ? "modified" : "saved";
          await this.resolve(choice);
          return;
        }
      }
      await this.write();
    } catch (error: unknown) {
      this.saveState.value = "error";
      notify(`Could not save ${basename(this.path.value)}: ${describeError(error)}`, "error");
    } finally {
      this.saving = false;
    }
  }

  private async write(): Promise<void> {
    if (this.handle === null) return;
    const version = this.textVersion.value;
    const text = this.handle.getText();
    const path = this.path.value;
    const reply = await saveModel(this.deps.conn, path, { type: "file", format: "text", content: text });
    if (reply.hash !== null) this.remember(reply);
    else {
      const fresh = await this.diskState();
      this.disk = fresh ?? { hash: null, lastModified: reply.lastModified };
    }
    if (this.textVersion.value === version) {
      this.dirty.value = false;
      this.saveState.value = "saved";
    } else {
      this.saveState.value = "modified";
    }
  }

  /** Reloads from disk, discarding unsaved edits (callers ask first). */
  override async reload(): Promise<void> {
    if (this.handle === null) return;
    const model = await getModel(this.deps.conn, this.path.value, { type: "file", format: "text", hash: true });
    this.remember(model);
    this.handle.setText(typeof model.content === "string" ? model.content : "");
    this.dirty.value = false;
    this.saveState.value = this.readOnly ? "read-only" : "saved";
    this.hideBanner();
  }

  private async diskState(): Promise<DiskState | null> {
    try {
      const model = await getModel(this.deps.conn, this.path.value, { content: false, hash: true, type: "file" });
      return { hash: model.hash, lastModified: model.lastModified };
    } catch (error: unknown) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  private askConflict(): Promise<ConflictChoice> {
    const name = basename(this.path.value);
    return showDialog<ConflictChoice>({
      title: "File changed on disk",
      id: "conflict",
      body: `"${name}" changed on disk after you opened it. Choose which version to keep; nothing is lost unless you say so.`,
      buttons: [
        { label: "Cancel", value: "cancel" },
        { label: "Save mine as a copy", value: "save-copy" },
        { label: "Reload from disk (discard mine)", value: "reload", danger: true },
        { label: "Overwrite disk", value: "overwrite", danger: true },
      ],
    }).then((c) => c ?? "cancel");
  }

  private async resolve(choice: ConflictChoice): Promise<void> {
    if (choice === "cancel") return;
    if (choice === "overwrite") {
      await this.write();
      this.hideBanner();
    } else if (choice === "reload") {
      await this.reload();
    } else if (choice === "save-copy") {
      const copy = await this.freePath(withSuffix(this.path.value, "-mine"));
      await saveModel(this.deps.conn, copy, { type: "file", format: "text", content: this.getText() });
      notify(`Your version was saved as ${copy}.`);
      await this.reload();
      this.deps.openFile(copy);
    }
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

  private startDiskChecks(): void {
    this.timer = setInterval(() => void this.checkDisk(), DISK_CHECK_MS);
  }

  /** A visible editor notices outside changes: reload when clean, ask (in a banner) when not. */
  private async checkDisk(): Promise<void> {
    if (document.hidden || !this.isVisible || this.saving || this.handle === null) return;
    let disk: DiskState | null;
    try {
      disk = await this.diskState();
    } catch {
      return;
    }
    if (disk === null || !changedOnDisk(this.disk, disk) || this.saving) return;
    if (!this.dirty.value) {
      await this.reload();
      notify(`${basename(this.path.value)} changed on disk and was reloaded.`);
    } else if (!this.conflictShown) {
      this.conflictShown = true;
      this.showBanner(`"${basename(this.path.value)}" changed on disk, and you have unsaved changes.`, [
        ["Reload from disk (discard mine)", "reload"],
        ["Save mine as a copy", "save-copy"],
        ["Keep mine", "cancel"],
      ]);
    }
  }

  private showBanner(text: string, actions: [string, ConflictChoice][] = []): void {
    this.banner.replaceChildren(el("span", {}, text));
    for (const [label, choice] of actions) {
      const button = el("button", { type: "button", className: "carnet-Button" }, label);
      button.addEventListener("click", () => {
        this.conflictShown = false;
        this.hideBanner();
        if (choice === "cancel") {
          // Keep mine: the next save asks again (the disk version differs from ours).
          return;
        }
        void this.resolve(choice).catch((e: unknown) => notify(describeError(e), "error"));
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
        : error instanceof ApiError && error.status === 400
          ? "This file is not UTF-8 text; open it with another viewer."
          : `Could not open this file: ${describeError(error)}`;
    this.host.replaceChildren(el("p", { className: "carnet-Notice-inline", role: "alert" }, message));
    this.saveState.value = "";
    this.markRendered();
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.checkDisk();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.updateOutline.cancel();
    this.stopConfig?.();
    this.handle?.dispose();
    super.dispose();
  }
}
