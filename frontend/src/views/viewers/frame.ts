/**
 * Viewers that show the raw file from `/files/<path>`: images, PDF, and HTML in a sandboxed
 * iframe (scripts may run, but in an opaque origin: no access to carnet's cookies or API).
 * They reload when the file changes on disk.
 */
import { type Connection, filesUrl, getModel } from "../../api";
import { el } from "../../util/dom";
import { basename } from "../../util/paths";
import { DocumentWidget } from "../document";

const CHECK_MS = 5000;

abstract class RawFileWidget extends DocumentWidget {
  private lastModified = "";
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    viewerId: string,
    protected readonly conn: Connection,
    path: string,
  ) {
    super(viewerId, path);
    this.saveState.value = "read-only";
    void this.stat().then((m) => {
      this.lastModified = m;
    });
    this.timer = setInterval(() => void this.check(), CHECK_MS);
  }

  protected url(): string {
    const base = filesUrl(this.conn, this.path.value);
    return this.lastModified === "" ? base : `${base}?v=${encodeURIComponent(this.lastModified)}`;
  }

  protected abstract refreshView(): void;

  private async stat(): Promise<string> {
    try {
      return (await getModel(this.conn, this.path.value, { content: false })).lastModified;
    } catch {
      return "";
    }
  }

  private async check(): Promise<void> {
    if (document.hidden || !this.isVisible) return;
    const modified = await this.stat();
    if (modified !== "" && this.lastModified !== "" && modified !== this.lastModified) {
      this.lastModified = modified;
      this.refreshView();
    }
  }

  override async reload(): Promise<void> {
    this.lastModified = await this.stat();
    this.refreshView();
  }

  override setPath(path: string): void {
    super.setPath(path);
    this.refreshView();
  }

  override dispose(): void {
    if (this.timer !== null) clearInterval(this.timer);
    super.dispose();
  }
}

export class ImageViewer extends RawFileWidget {
  private readonly img: HTMLImageElement;
  private fitted = true;

  constructor(conn: Connection, path: string) {
    super("image", conn, path);
    this.addClass("carnet-ImageViewer");
    this.img = el("img", { alt: basename(path), draggable: "false" });
    this.img.addEventListener("load", () => this.markRendered());
    this.img.addEventListener("error", () => this.markRendered());
    const toolbar = el("div", { className: "carnet-Toolbar", role: "toolbar", "aria-label": "Image" });
    const fit = el("button", { type: "button", className: "carnet-Button", "aria-pressed": "true" }, "Fit to window");
    fit.addEventListener("click", () => {
      this.fitted = !this.fitted;
      fit.setAttribute("aria-pressed", String(this.fitted));
      this.img.classList.toggle("carnet-mod-fit", this.fitted);
    });
    toolbar.append(fit);
    const frame = el("div", { className: "carnet-ImageViewer-frame", tabindex: "0" }, this.img);
    this.img.classList.add("carnet-mod-fit");
    this.node.append(toolbar, frame);
    this.refreshView();
  }

  protected refreshView(): void {
    this.img.alt = basename(this.path.value);
    this.img.src = this.url();
  }
}

export class PdfViewer extends RawFileWidget {
  private readonly frame: HTMLIFrameElement;

  constructor(conn: Connection, path: string) {
    super("pdf", conn, path);
    this.addClass("carnet-FrameViewer");
    this.frame = el("iframe", { title: basename(path), className: "carnet-Frame" });
    this.frame.addEventListener("load", () => this.markRendered());
    this.node.append(this.frame);
    this.refreshView();
  }

  protected refreshView(): void {
    this.frame.title = basename(this.path.value);
    this.frame.src = this.url();
  }
}

export class HtmlViewer extends RawFileWidget {
  private readonly frame: HTMLIFrameElement;

  constructor(conn: Connection, path: string) {
    super("html", conn, path);
    this.addClass("carnet-FrameViewer");
    const note = el(
      "p",
      { className: "carnet-Banner carnet-mod-subtle" },
      "Shown in a sandbox: scripts run without access to carnet.",
    );
    // No allow-same-origin: the page gets an opaque origin, so it cannot read carnet's cookies.
    this.frame = el("iframe", { title: basename(path), className: "carnet-Frame", sandbox: "allow-scripts" });
    this.frame.addEventListener("load", () => this.markRendered());
    this.node.append(note, this.frame);
    this.refreshView();
  }

  protected refreshView(): void {
    this.frame.title = basename(this.path.value);
    this.frame.src = this.url();
  }
}
