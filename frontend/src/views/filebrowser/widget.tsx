/**
 * The file browser side panel: a Lumino widget hosting the Preact view, and the poll that
 * keeps the listing current while the panel is visible and the page is in front.
 */
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import { render } from "preact";
import type { ReadonlySignal } from "@preact/signals-core";
import type { FileBrowserController } from "./controller";
import { FileBrowserView, type ViewProps } from "./view";

export class FileBrowserWidget extends Widget {
  private timer: ReturnType<typeof setInterval> | null = null;
  private input: HTMLInputElement | null = null;

  constructor(
    readonly ctl: FileBrowserController,
    props: Omit<ViewProps, "ctl" | "fileInput">,
    private readonly intervalSeconds: ReadonlySignal<number>,
  ) {
    super();
    this.id = "filebrowser";
    this.addClass("carnet-FileBrowser");
    this.title.label = "Files";
    this.title.caption = "File Browser";
    this.title.iconClass = "carnet-icon-folder";
    render(
      <FileBrowserView
        {...props}
        ctl={ctl}
        fileInput={(node) => {
          this.input = node;
        }}
      />,
      this.node,
    );
    window.addEventListener("focus", () => {
      if (this.isVisible) void this.ctl.refresh();
    });
  }

  /** Opens the browser's file picker (upload by button). */
  pickFiles(): void {
    this.input?.click();
  }

  /** Focuses the list (keyboard navigation starts there). */
  focusList(): void {
    this.node.querySelector<HTMLElement>(".carnet-FileList")?.focus();
  }

  protected override onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    if (!this.node.contains(document.activeElement)) this.focusList();
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.ctl.refresh();
    this.startPolling();
  }

  protected override onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) this.startPolling();
  }

  protected override onBeforeHide(msg: Message): void {
    super.onBeforeHide(msg);
    this.stopPolling();
  }

  private startPolling(): void {
    this.stopPolling();
    const seconds = this.intervalSeconds.value;
    if (seconds <= 0) return;
    this.timer = setInterval(() => {
      if (!document.hidden && this.isVisible && !this.ctl.loading.value) void this.ctl.refresh();
    }, seconds * 1000);
  }

  private stopPolling(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  override dispose(): void {
    this.stopPolling();
    render(null, this.node);
    super.dispose();
  }
}
