/**
 * Opens files in tabs: picks the viewer (or uses the one asked for), reuses an open tab for
 * the same file and viewer, and keeps tabs in step when files are renamed.
 */
import { type ReadonlySignal, computed } from "@preact/signals-core";
import type { FileTypeRegistry } from "../model/filetypes";
import { isInside } from "../util/paths";
import { type DocumentWidget, isDocument } from "./document";
import type { InsertMode, Shell } from "./shell";
import type { ViewerRegistry } from "./viewers";

export interface OpenOptions {
  /** A viewer id; default: the default viewer for the file's type. */
  readonly viewer?: string;
  readonly mode?: InsertMode;
  readonly ref?: DocumentWidget | null;
  readonly activate?: boolean;
}

export class DocumentManager {
  private readonly pending = new Map<string, Promise<DocumentWidget | null>>();
  readonly active: ReadonlySignal<DocumentWidget | null>;
  readonly documents: ReadonlySignal<readonly DocumentWidget[]>;

  constructor(
    private readonly shell: Shell,
    private readonly viewers: ViewerRegistry,
    private readonly fileTypes: FileTypeRegistry,
  ) {
    this.active = computed(() => {
      const w = shell.current.value;
      return isDocument(w) ? w : null;
    });
    this.documents = computed(() => shell.mainWidgets.value.filter(isDocument));
  }

  /** The open tab of `path` (with `viewer`, if given). */
  find(path: string, viewer?: string): DocumentWidget | undefined {
    return this.documents.value.find(
      (w) => w.path.value === path && (viewer === undefined || w.viewerId === viewer),
    );
  }

  /** Opens `path` (or activates its tab); null when no viewer can open it. */
  open(path: string, options: OpenOptions = {}): Promise<DocumentWidget | null> {
    const fileType = this.fileTypes.forPath(path);
    const viewer =
      options.viewer === undefined
        ? this.viewers.defaultFor(fileType, path)
        : this.viewers.get(options.viewer);
    if (viewer === undefined) return Promise.resolve(null);
    const existing = this.find(path, viewer.id);
    if (existing !== undefined) {
      if (options.activate !== false) this.shell.activate(existing);
      return Promise.resolve(existing);
    }
    const key = `${viewer.id}:${path}`;
    const inflight = this.pending.get(key);
    if (inflight !== undefined) return inflight;
    const created = (async () => {
      try {
        const widget = await viewer.create({ path, fileType });
        const addOptions = {
          ...(options.mode === undefined ? {} : { mode: options.mode }),
          ...(options.ref === undefined ? {} : { ref: options.ref }),
          ...(options.activate === undefined ? {} : { activate: options.activate }),
        };
        this.shell.addToMain(widget, addOptions);
        return widget;
      } finally {
        this.pending.delete(key);
      }
    })();
    this.pending.set(key, created);
    return created;
  }

  /** Keeps open tabs pointing at `from` (a file, or anything inside a folder) after a move. */
  renamed(from: string, to: string): void {
    for (const w of this.documents.value) {
      const p = w.path.value;
      if (p === from) w.setPath(to);
      else if (isInside(p, from)) w.setPath(to + p.slice(from.length));
    }
  }
}
