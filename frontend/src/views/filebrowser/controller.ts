/**
 * The file browser's state and operations: the current folder and its listing (polled while
 * visible, so changes on disk show up), selection, sort, clipboard and uploads. Views render
 * it; commands call its methods. Every operation refreshes the listing when it is done.
 */
import { batch, computed, type ReadonlySignal, signal } from "@preact/signals-core";
import {
  ApiError,
  type Connection,
  type ContentsEntry,
  copyInto,
  createUntitled,
  deletePath,
  filesUrl,
  listDirectory,
  renamePath,
  saveModel,
  uploadFile,
} from "../../api";
import {
  EMPTY_SELECTION,
  type Selection,
  type SortOrder,
  listingSignature,
  pruneSelection,
  sortEntries,
  visibleEntries,
} from "../../model/listing";
import { basename, dirname, joinPath, normalizePath } from "../../util/paths";

export interface UploadItem {
  readonly id: number;
  readonly name: string;
  readonly path: string;
  readonly done: number;
  readonly total: number;
  readonly state: "uploading" | "done" | "error";
  readonly error?: string;
}

export interface Clipboard {
  readonly mode: "cut" | "copy";
  readonly paths: readonly string[];
}

export interface BrowserHooks {
  /** The file at `from` moved to `to` (tabs follow it). */
  renamed(from: string, to: string): void;
  /** Show an error to the user. */
  error(message: string): void;
  /** Asks whether uploads may replace these existing files; false skips them. */
  confirmOverwrite(names: readonly string[]): Promise<boolean>;
}

let uploadIds = 0;

export class FileBrowserController {
  readonly path = signal("");
  readonly entries = signal<readonly ContentsEntry[]>([]);
  readonly selection = signal<Selection>(EMPTY_SELECTION);
  readonly clipboard = signal<Clipboard | null>(null);
  readonly uploads = signal<readonly UploadItem[]>([]);
  readonly error = signal<string | null>(null);
  readonly loading = signal(false);
  /** Set once the first listing arrived (the shell is "usable" then). */
  readonly loaded: Promise<void>;
  readonly order: ReadonlySignal<readonly ContentsEntry[]>;
  private signature = "";
  private resolveLoaded: () => void = () => {};
  private generation = 0;

  constructor(
    private readonly conn: Connection,
    readonly sort: ReadonlySignal<SortOrder>,
    readonly showHidden: ReadonlySignal<boolean>,
    private readonly hooks: BrowserHooks,
  ) {
    this.loaded = new Promise((resolve) => {
      this.resolveLoaded = resolve;
    });
    this.order = computed(() =>
      sortEntries(visibleEntries(this.entries.value, this.showHidden.value), this.sort.value),
    );
  }

  /** Selected entries in display order (the focused one when nothing is selected). */
  get selected(): ContentsEntry[] {
    const sel = this.selection.value;
    const picked = this.order.value.filter((e) => sel.paths.has(e.path));
    if (picked.length > 0) return picked;
    const focus = this.order.value.find((e) => e.path === sel.focus);
    return focus === undefined ? [] : [focus];
  }

  async cd(path: string): Promise<void> {
    const target = normalizePath(path);
    const previous = this.path.value;
    this.path.value = target;
    if (target !== previous) {
      this.signature = "";
      this.selection.value = EMPTY_SELECTION;
    }
    await this.refresh();
  }

  /** Re-lists the current folder; a listing equal to the last one changes nothing. */
  async refresh(): Promise<void> {
    const path = this.path.value;
    const generation = ++this.generation;
    this.loading.value = true;
    try {
      const entries = await listDirectory(this.conn, path);
      if (generation !== this.generation) return;
      const signature = `${path}\u0002${listingSignature(entries)}`;
      batch(() => {
        if (signature !== this.signature) {
          this.signature = signature;
          this.entries.value = entries;
          this.selection.value = pruneSelection(
            this.selection.value,
            this.order.value.map((e) => e.path),
          );
        }
        this.error.value = null;
      });
    } catch (error: unknown) {
      if (generation !== this.generation) return;
      if (error instanceof ApiError && error.status === 404 && path !== "") {
        // The folder went away (deleted or renamed elsewhere): go to its nearest parent.
        await this.cd(dirname(path));
        return;
      }
      this.error.value = describe(error);
    } finally {
      if (generation === this.generation) this.loading.value = false;
      this.resolveLoaded();
    }
  }

  async createFile(ext = ".txt"): Promise<ContentsEntry | null> {
    return this.run(() => createUntitled(this.conn, this.path.value, { type: "file", ext }));
  }

  async createFolder(): Promise<ContentsEntry | null> {
    return this.run(() => createUntitled(this.conn, this.path.value, { type: "directory" }));
  }

  /** A new notebook; with a kernel, its metadata names it (as JupyterLab's launcher does). */
  async createNotebook(
    kernel: { name: string; displayName: string; language: string } | null,
  ): Promise<ContentsEntry | null> {
    return this.run(async () => {
      const model = await createUntitled(this.conn, this.path.value, { type: "notebook" });
      if (kernel === null) return model;
      const content = {
        cells: [],
        metadata: {
          kernelspec: { name: kernel.name, display_name: kernel.displayName, language: kernel.language },
          language_info: { name: kernel.language },
        },
        nbformat: 4,
        nbformat_minor: 5,
      };
      return saveModel(this.conn, model.path, { type: "notebook", format: "json", content });
    });
  }

  async rename(path: string, newName: string): Promise<ContentsEntry | null> {
    const to = joinPath(dirname(path), newName);
    if (to === path) return null;
    const model = await this.run(() => renamePath(this.conn, path, to));
    if (model !== null) {
      this.hooks.renamed(path, to);
      this.selection.value = { paths: new Set([to]), focus: to, anchor: to };
    }
    return model;
  }

  /** Moves `paths` into folder `dir` (drag and drop, cut and paste). */
  async move(paths: readonly string[], dir: string): Promise<void> {
    for (const from of paths) {
      const to = joinPath(dir, basename(from));
      if (to === from || to.startsWith(`${from}/`)) continue;
      const ok = await this.run(() => renamePath(this.conn, from, to));
      if (ok !== null) this.hooks.renamed(from, to);
    }
  }

  async remove(paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      await this.run(async () => {
        await deletePath(this.conn, path);
        return null;
      });
    }
    this.selection.value = EMPTY_SELECTION;
  }

  async duplicate(paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      await this.run(() => copyInto(this.conn, path, dirname(path)));
    }
  }

  cut(paths: readonly string[]): void {
    this.clipboard.value = paths.length === 0 ? null : { mode: "cut", paths };
  }

  copy(paths: readonly string[]): void {
    this.clipboard.value = paths.length === 0 ? null : { mode: "copy", paths };
  }

  async paste(): Promise<void> {
    const clip = this.clipboard.value;
    if (clip === null) return;
    const dir = this.path.value;
    if (clip.mode === "cut") {
      this.clipboard.value = null;
      await this.move(clip.paths, dir);
    } else {
      for (const path of clip.paths) {
        await this.run(() => copyInto(this.conn, path, dir));
      }
    }
  }

  download(paths: readonly string[]): void {
    for (const path of paths) {
      const a = document.createElement("a");
      a.href = filesUrl(this.conn, path, true);
      a.download = basename(path);
      a.rel = "noopener";
      document.body.append(a);
      a.click();
      a.remove();
    }
  }

  /** Uploads `files` into `dir` (default: the current folder), showing progress. */
  async upload(files: readonly File[], dir = this.path.value): Promise<void> {
    let chosen = files;
    if (dir === this.path.value) {
      // Never replace a file silently: ask, and skip the clashing ones on "Cancel".
      const existing = new Set(this.entries.value.map((e) => e.name));
      const clashes = files.filter((f) => existing.has(f.name)).map((f) => f.name);
      if (clashes.length > 0 && !(await this.hooks.confirmOverwrite(clashes))) {
        chosen = files.filter((f) => !existing.has(f.name));
      }
    }
    const jobs = chosen.map((file) => {
      uploadIds += 1;
      const item: UploadItem = {
        id: uploadIds,
        name: file.name,
        path: joinPath(dir, file.name),
        done: 0,
        total: file.size,
        state: "uploading",
      };
      this.uploads.value = [...this.uploads.value, item];
      return { file, item };
    });
    for (const { file, item } of jobs) {
      try {
        await uploadFile(this.conn, item.path, file, (done, total) => {
          this.updateUpload(item.id, { done, total });
        });
        this.updateUpload(item.id, { state: "done" });
        setTimeout(() => this.dismissUpload(item.id), 4000);
      } catch (error: unknown) {
        this.updateUpload(item.id, { state: "error", error: describe(error) });
        this.hooks.error(`Upload of ${file.name} failed: ${describe(error)}`);
      }
      if (dirname(item.path) === this.path.value) await this.refresh();
    }
  }

  dismissUpload(id: number): void {
    this.uploads.value = this.uploads.value.filter((u) => u.id !== id);
  }

  private updateUpload(id: number, change: Partial<UploadItem>): void {
    this.uploads.value = this.uploads.value.map((u) => (u.id === id ? { ...u, ...change } : u));
  }

  /** Runs one API operation: errors are shown, the listing is refreshed either way. */
  private async run<T>(op: () => Promise<T>): Promise<T | null> {
    try {
      return await op();
    } catch (error: unknown) {
      this.hooks.error(describe(error));
      return null;
    } finally {
      await this.refresh();
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
