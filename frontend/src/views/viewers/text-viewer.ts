/**
 * A read-only view of a text file (CSV table, JSON tree, rendered Markdown). It loads the
 * text, then the renderer's chunk (renderers load on demand), and re-renders when the file
 * changes on disk — or, for a Markdown preview beside its editor, on every edit.
 */
import { effect, type ReadonlySignal } from "@preact/signals-core";
import { ApiError, type Connection, getModel } from "../../api";
import type { Heading } from "../../model/toc";
import { debounce } from "../../util/debounce";
import { el } from "../../util/dom";
import { formatSize } from "../../util/format";
import { DocumentWidget } from "../document";
import { describeError } from "../notify";

export interface TextRenderer {
  update(text: string): void;
  dispose(): void;
  outline?(text: string): readonly Heading[];
  revealLine?(line: number): void;
}

export interface RendererContext {
  readonly conn: Connection;
  readonly path: () => string;
  /** Opens another file in carnet (links in rendered Markdown). */
  readonly openFile: (path: string) => void;
  /** A notebook cell's attachments (`attachment:NAME` images): nbformat's `{name: {mime: data}}`. */
  readonly attachments?: () => Readonly<Record<string, unknown>>;
}

export type RendererFactory = (host: HTMLElement, context: RendererContext) => TextRenderer;

/** Where the text comes from when an editor is open on the same file. */
export interface LiveSource {
  readonly textVersion: ReadonlySignal<number>;
  getText(): string;
  readonly isDisposed: boolean;
}

/** Viewers refuse files above this: they parse the whole text in the tab. */
export const MAX_VIEW_BYTES = 64 * 1000 * 1000;
const CHECK_MS = 4000;

export class TextViewer extends DocumentWidget {
  private renderer: TextRenderer | null = null;
  private lastModified = "";
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopLive: (() => void) | null = null;
  private readonly host: HTMLDivElement;

  constructor(
    viewerId: string,
    private readonly context: Omit<RendererContext, "path">,
    path: string,
    private readonly load: () => Promise<RendererFactory>,
    private readonly live: (() => LiveSource | null) | null = null,
  ) {
    super(viewerId, path);
    this.addClass("carnet-TextViewer");
    this.saveState.value = "read-only";
    this.host = el("div", { className: "carnet-TextViewer-body" });
    this.host.append(el("p", { className: "carnet-Loading" }, "Loading…"));
    this.node.append(this.host);
    void this.start();
  }

  override revealLine(line: number): void {
    this.renderer?.revealLine?.(line);
  }

  private async start(): Promise<void> {
    try {
      const factory = this.load();
      const source = this.live?.() ?? null;
      const text = source !== null ? source.getText() : await this.fetchText();
      if (text === null || this.isDisposed) return;
      const make = await factory;
      if (this.isDisposed) return;
      this.host.replaceChildren();
      this.renderer = make(this.host, { ...this.context, path: () => this.path.value });
      this.render(text);
      this.markRendered();
      if (source !== null) this.follow(source);
      else this.timer = setInterval(() => void this.check(), CHECK_MS);
    } catch (error: unknown) {
      this.fail(error);
    }
  }

  private render(text: string): void {
    this.renderer?.update(text);
    this.outline.value = this.renderer?.outline?.(text) ?? [];
  }

  /** Re-renders on every edit of the open editor, until it closes; then follows the disk. */
  private follow(source: LiveSource): void {
    const rerender = debounce(() => {
      if (!source.isDisposed) this.render(source.getText());
    }, 150);
    this.stopLive = effect(() => {
      void source.textVersion.value;
      rerender();
    });
    this.timer = setInterval(() => {
      if (source.isDisposed && this.stopLive !== null) {
        this.stopLive();
        this.stopLive = null;
        void this.check();
      } else if (this.stopLive === null) {
        void this.check();
      }
    }, CHECK_MS);
  }

  private async fetchText(): Promise<string | null> {
    const stat = await getModel(this.context.conn, this.path.value, { content: false, type: "file" });
    if ((stat.size ?? 0) > MAX_VIEW_BYTES) {
      this.host.replaceChildren(
        el(
          "p",
          { className: "carnet-Notice-inline", role: "status" },
          `This file is ${formatSize(stat.size)}: too large for this viewer. Open it in the editor (read-only) or download it.`,
        ),
      );
      this.markRendered();
      return null;
    }
    const model = await getModel(this.context.conn, this.path.value, { type: "file", format: "text" });
    this.lastModified = model.lastModified;
    return typeof model.content === "string" ? model.content : "";
  }

  private async check(): Promise<void> {
    if (document.hidden || !this.isVisible || this.renderer === null) return;
    try {
      const stat = await getModel(this.context.conn, this.path.value, { content: false, type: "file" });
      if (stat.lastModified === this.lastModified) return;
      const text = await this.fetchText();
      if (text !== null) this.render(text);
    } catch {
      // The file may be gone for a moment (an editor saving it); the next check will tell.
    }
  }

  override async reload(): Promise<void> {
    const text = await this.fetchText();
    if (text !== null) this.render(text);
  }

  private fail(error: unknown): void {
    const message =
      error instanceof ApiError && error.status === 404
        ? "This file does not exist (any more)."
        : error instanceof ApiError && error.status === 400
          ? "This file is not UTF-8 text."
          : `Could not show this file: ${describeError(error)}`;
    this.host.replaceChildren(el("p", { className: "carnet-Notice-inline", role: "alert" }, message));
    this.markRendered();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.stopLive?.();
    this.renderer?.dispose();
    super.dispose();
  }
}
