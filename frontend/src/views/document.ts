/**
 * The base of every tab in the main area that shows a file. Viewers (editor, image, CSV…,
 * later notebooks) subclass it; the shell, the status bar, the save command and the layout
 * restorer only talk to this surface.
 */
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import { type ReadonlySignal, type Signal, effect, signal } from "@preact/signals-core";
import type { Heading } from "../model/toc";
import { basename } from "../util/paths";

export type SaveState = "" | "saved" | "modified" | "saving" | "read-only" | "error";

let counter = 0;

export abstract class DocumentWidget extends Widget {
  /** The file's API path; changes when the file is renamed. */
  readonly path: Signal<string>;
  /** Unsaved changes. */
  readonly dirty = signal(false);
  readonly saveState = signal<SaveState>("");
  /** Short status text for the status bar ("Ln 3, Col 7"). */
  readonly position = signal("");
  /** Headings for the table of contents (empty for documents without any). */
  readonly outline = signal<readonly Heading[]>([]);
  /** Asked before closing a tab with unsaved changes; true closes it. */
  static confirmClose: (widget: DocumentWidget) => Promise<boolean> = () => Promise.resolve(true);

  private readonly stopEffects: () => void;

  constructor(
    /** The viewer (factory) that made it, as the layout stores it. */
    readonly viewerId: string,
    path: string,
  ) {
    super();
    counter += 1;
    this.id = `carnet-doc-${counter}`;
    this.path = signal(path);
    this.addClass("carnet-Document");
    this.title.closable = true;
    this.node.tabIndex = -1;
    this.stopEffects = effect(() => {
      const name = basename(this.path.value);
      const dirty = this.dirty.value;
      this.title.label = name;
      this.title.caption = `${this.path.value}${dirty ? " (unsaved changes)" : ""}`;
      this.title.className = dirty ? "carnet-mod-dirty" : "";
      this.node.dataset["path"] = this.path.value;
      this.node.dataset["viewer"] = this.viewerId;
    });
  }

  get pathSignal(): ReadonlySignal<string> {
    return this.path;
  }

  /** Whether `save` does anything. */
  get canSave(): boolean {
    return false;
  }

  async save(): Promise<void> {}

  /** Reload from disk (discarding unsaved changes: callers ask first). */
  async reload(): Promise<void> {}

  /** Scrolls to a 0-based line (a heading picked in the table of contents). */
  revealLine(_line: number): void {}

  /** Whether the headings of `outline` are sections that run (a notebook's). */
  get canRunSections(): boolean {
    return false;
  }

  /** Runs the section of the heading at `line` of `outline` (see canRunSections). */
  async runOutlineSection(_line: number): Promise<void> {}

  /** The file moved (renamed in the file browser). */
  setPath(path: string): void {
    this.path.value = path;
  }

  /** Marks the panel fully rendered, for measurement (`data-carnet-rendered="1"`). */
  protected markRendered(): void {
    this.node.dataset["carnetRendered"] = "1";
  }

  /** Where keyboard focus goes when the tab is activated. */
  protected focusTarget(): HTMLElement {
    return this.node;
  }

  protected override onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    const target = this.focusTarget();
    if (!target.contains(document.activeElement)) target.focus();
  }

  protected override onCloseRequest(msg: Message): void {
    if (!this.dirty.value) {
      super.onCloseRequest(msg);
      return;
    }
    void DocumentWidget.confirmClose(this).then((ok) => {
      if (ok) this.dispose();
    });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.stopEffects();
    super.dispose();
  }
}

/** Type guard for shell code that handles any widget. */
export function isDocument(widget: Widget | null | undefined): widget is DocumentWidget {
  return widget instanceof DocumentWidget;
}
