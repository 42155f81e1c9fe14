/**
 * A terminal tab: xterm.js (loaded on demand) attached to one running terminal on the
 * server. The terminal outlives the tab: closing the tab, the page or the browser leaves it
 * running, and a tab opened on it later (a reload restores it) shows its scrollback.
 *
 * The emulator fits the panel and tells the server its size on every fit; copy and paste
 * work with the usual keys (Ctrl+C copies when text is selected, Ctrl+V pastes); links open
 * in a new tab; a search bar finds text in the scrollback; colours follow the app's theme.
 * Plain Ctrl+key presses go to the shell (readline, tmux), not to the app's shortcuts
 * (`data-carnet-ctrl-keys`, see views/app.ts).
 */
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import { type ReadonlySignal, effect, signal } from "@preact/signals-core";
import { type Connection, TerminalSocket, type TerminalSocketState } from "../api";
import type { TerminalConfig, TerminalHandle, TerminalLook } from "../terminal/xterm";
import { el } from "../util/dom";
import { isMac } from "../util/platform";
import { describeError } from "./notify";

export interface TerminalSettings extends TerminalConfig {
  readonly closeOnExit: boolean;
  readonly pasteWithCtrlV: boolean;
}

export interface TerminalWidgetDeps {
  readonly conn: Connection;
  readonly settings: ReadonlySignal<TerminalSettings>;
  /** The terminal's process ended (the tab closes itself when the settings say so). */
  readonly onEnded: (widget: TerminalWidget) => void;
}

/** The class of the element that holds the emulator (shortcut selectors scope to it). */
export const TERMINAL_SELECTOR = ".carnet-Terminal";

const STATE_TEXT: Partial<Record<TerminalSocketState, string>> = {
  connecting: "Connecting…",
  reconnecting: "The connection to the terminal was lost. Reconnecting…",
  ended: "The terminal has ended.",
};

export class TerminalWidget extends Widget {
  /** The socket's state, for the status line and the running panel. */
  readonly state = signal<TerminalSocketState>("connecting");
  readonly loaded: Promise<void>;
  private handle: TerminalHandle | null = null;
  private socket: TerminalSocket | null = null;
  private readonly host: HTMLDivElement;
  private readonly banner: HTMLDivElement;
  private readonly searchBar: HTMLFormElement;
  private readonly searchInput: HTMLInputElement;
  private readonly searchStatus: HTMLSpanElement;
  private readonly observer: MutationObserver;
  private stopSettings: (() => void) | null = null;
  private fitFrame = 0;

  constructor(
    private readonly deps: TerminalWidgetDeps,
    readonly name: string,
  ) {
    super();
    this.id = `carnet-terminal-${name}`;
    this.addClass("carnet-TerminalPanel");
    this.title.label = `Terminal ${name}`;
    this.title.caption = `Terminal ${name} (running on the server)`;
    this.title.closable = true;
    this.node.dataset["terminal"] = name;
    this.node.tabIndex = -1;

    this.banner = el("div", { className: "carnet-Banner carnet-mod-subtle", role: "status" });
    this.searchInput = el("input", {
      className: "carnet-Input",
      type: "search",
      "aria-label": "Find in terminal",
      placeholder: "Find",
    });
    this.searchStatus = el("span", { className: "carnet-TerminalSearch-status", "aria-live": "polite" });
    const button = (label: string, text: string, onClick: () => void): HTMLButtonElement => {
      const b = el("button", { type: "button", className: "carnet-Button carnet-mod-small", "aria-label": label }, text);
      b.addEventListener("click", onClick);
      return b;
    };
    this.searchBar = el(
      "form",
      { className: "carnet-TerminalSearch", role: "search" },
      this.searchInput,
      button("Previous match", "↑", () => this.findNext(true)),
      button("Next match", "↓", () => this.findNext(false)),
      this.searchStatus,
      button("Close search", "×", () => this.closeSearch()),
    );
    this.searchBar.hidden = true;
    this.searchBar.addEventListener("submit", (event) => {
      event.preventDefault();
      this.findNext(false);
    });
    this.searchInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        this.findNext(event.shiftKey);
      } else if (event.key === "Escape") {
        event.preventDefault();
        this.closeSearch();
      }
    });
    this.searchInput.addEventListener("input", () => this.findNext(false, true));

    this.host = el("div", { className: "carnet-Terminal", "data-carnet-ctrl-keys": "" });
    this.host.append(el("p", { className: "carnet-Loading" }, "Loading the terminal…"));
    this.node.append(this.searchBar, this.banner, this.host);
    this.showState("connecting");

    // Theme and font sizes are attributes and custom properties on <html>.
    this.observer = new MutationObserver(() => {
      this.handle?.setLook(currentLook());
      this.scheduleFit();
    });
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "style"] });
    this.loaded = this.load();
  }

  hasSelection(): boolean {
    return this.handle?.hasSelection() ?? false;
  }

  /** Copies the selection to the clipboard; false when nothing is selected. */
  async copySelection(): Promise<boolean> {
    const text = this.handle?.getSelection() ?? "";
    if (text === "") return false;
    await navigator.clipboard.writeText(text);
    return true;
  }

  /** Pastes the clipboard's text into the terminal. */
  async pasteClipboard(): Promise<void> {
    const text = await navigator.clipboard.readText();
    if (text !== "") this.handle?.paste(text);
    this.handle?.focus();
  }

  selectAll(): void {
    this.handle?.selectAll();
  }

  /** Shows the search bar (with the selection as the query). */
  openSearch(): void {
    const selected = this.handle?.getSelection() ?? "";
    if (selected !== "" && !selected.includes("\n")) this.searchInput.value = selected;
    this.searchBar.hidden = false;
    this.searchInput.focus();
    this.searchInput.select();
    this.scheduleFit();
  }

  closeSearch(): void {
    this.searchBar.hidden = true;
    this.searchStatus.textContent = "";
    this.handle?.clearSearch();
    this.scheduleFit();
    this.handle?.focus();
  }

  private findNext(backwards: boolean, incremental = false): void {
    if (this.handle === null) return;
    const query = this.searchInput.value;
    const found = this.handle.find(query, { caseSensitive: false, backwards });
    this.searchStatus.textContent = query === "" || found ? "" : "No match";
    if (!incremental && found) this.searchInput.focus();
  }

  private async load(): Promise<void> {
    let xterm: typeof import("../terminal/xterm");
    try {
      xterm = await import("../terminal/xterm");
    } catch (error: unknown) {
      this.host.replaceChildren(
        el("p", { className: "carnet-Notice-inline", role: "alert" }, `Could not load the terminal: ${describeError(error)}`),
      );
      return;
    }
    if (this.isDisposed) return;
    this.host.replaceChildren();
    const settings = this.deps.settings.peek();
    this.handle = xterm.createTerminal({
      parent: this.host,
      look: currentLook(),
      config: settings,
      label: `Terminal ${this.name}`,
      onData: (text) => this.socket?.send(text),
      onKey: (event) => this.keyForTerminal(event),
    });
    this.stopSettings = effect(() => {
      this.handle?.setConfig(this.deps.settings.value);
    });
    this.socket = new TerminalSocket(this.deps.conn, this.name, {
      onAttach: () => this.handle?.reset(),
      onOutput: (text) => this.handle?.write(text),
      onState: (state) => this.showState(state),
    });
    this.fitTerminal();
    if (this.isVisible && this.node.contains(document.activeElement)) this.handle.focus();
  }

  /** False leaves the key to the browser: copy with a selection, paste, and the app's search. */
  private keyForTerminal(event: KeyboardEvent): boolean {
    if (event.type !== "keydown") return true;
    const accel = isMac() ? event.metaKey : event.ctrlKey;
    const key = event.key.toLowerCase();
    if (accel && !event.altKey && key === "c" && !event.shiftKey && this.handle?.hasSelection() === true) {
      return false; // the browser's copy event: xterm puts its selection on the clipboard
    }
    if (accel && !event.altKey && key === "v" && (event.shiftKey || this.deps.settings.peek().pasteWithCtrlV)) {
      return false; // the browser's paste event: xterm sends the text
    }
    return true;
  }

  private showState(state: TerminalSocketState): void {
    this.state.value = state;
    this.node.dataset["state"] = state;
    const text = STATE_TEXT[state];
    this.banner.textContent = text ?? "";
    this.banner.hidden = text === undefined || (state === "connecting" && this.handle === null);
    if (state === "ended") {
      this.title.caption = `Terminal ${this.name} (ended)`;
      this.deps.onEnded(this);
    }
    this.scheduleFit();
  }

  /** Fits the emulator to the panel and tells the server the new size. */
  private fitTerminal(): void {
    if (this.handle === null || !this.isVisible) return;
    const size = this.handle.fit();
    if (size === null) return;
    this.node.dataset["rows"] = String(size.rows);
    this.node.dataset["cols"] = String(size.cols);
    this.socket?.resize(size.rows, size.cols, size.height, size.width);
  }

  private scheduleFit(): void {
    if (this.fitFrame !== 0) return;
    this.fitFrame = requestAnimationFrame(() => {
      this.fitFrame = 0;
      this.fitTerminal();
    });
  }

  protected override onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this.scheduleFit();
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.scheduleFit();
  }

  protected override onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.scheduleFit();
  }

  protected override onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    if (this.handle !== null) this.handle.focus();
    else this.node.focus();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (this.fitFrame !== 0) cancelAnimationFrame(this.fitFrame);
    this.observer.disconnect();
    this.stopSettings?.();
    this.socket?.close();
    this.handle?.dispose();
    this.socket = null;
    this.handle = null;
    super.dispose();
  }
}

/** The emulator's colours and font, from the app's theme (CSS variables on <html>). */
function currentLook(): TerminalLook {
  const root = document.documentElement;
  const css = getComputedStyle(root);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  const size = Number.parseFloat(v("--carnet-code-font-size", "13"));
  const dark = root.dataset["theme"] === "dark";
  return {
    dark,
    fontSize: Number.isFinite(size) && size > 0 ? size : 13,
    fontFamily: v("--carnet-code-font", "monospace"),
    background: v("--carnet-bg", "#ffffff"),
    foreground: v("--carnet-fg", "#1d2026"),
    // Translucent: xterm draws the selection over the text.
    selection: dark ? "rgba(124, 176, 255, 0.35)" : "rgba(10, 88, 202, 0.22)",
  };
}
