/**
 * A code console tab: a REPL on a kernel. The executions scroll above (code, prompt and
 * outputs rendered with the notebook's OutputArea), the prompt editor sits at the bottom
 * (Shift+Enter runs, Up/Down walk the history). It talks to the kernel from the browser over
 * the kernel websocket (api/kernel-socket.ts), through a session of type "console"; the
 * Run and Kernel menus and the status bar reach it through `KernelTab`.
 */
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import { type ReadonlySignal, computed, signal } from "@preact/signals-core";
import type { Connection } from "../api";
import {
  KernelSocket,
  type KernelState,
  type SessionInfo,
  interruptKernel,
  restartKernel,
} from "../api/kernel-socket";
import type { KernelTab } from "../views/kernel-tab";
import { ConsoleCell } from "./cell";
import type { InputEditor } from "./input-editor";

export interface ConsoleOptions {
  readonly conn: Connection;
  readonly session: SessionInfo;
  /** "Python 3 (ipykernel)". */
  readonly kernelDisplayName: string;
  /** The editor's language ("python"). */
  readonly language: string;
  /** Saved input history, oldest first. */
  readonly history?: readonly string[];
  /** "1" in "Console 1". */
  readonly name: string;
  /** Asked before a restart (a dialog); true to go on. */
  readonly confirmRestart: () => Promise<boolean>;
  readonly notify: (message: string, kind?: "info" | "error") => void;
  /** The history changed: the layout saves it. */
  readonly onChange: () => void;
}

/** Inputs kept for Up/Down (and saved with the layout). */
export const HISTORY_LIMIT = 200;

const STATE_LABEL: Record<KernelState, string> = {
  connecting: "Connecting",
  starting: "Starting",
  idle: "Idle",
  busy: "Busy",
  restarting: "Restarting",
  autorestarting: "Restarting",
  dead: "Dead",
  disconnected: "Disconnected",
};

export class ConsoleWidget extends Widget implements KernelTab {
  readonly state = signal<KernelState>("connecting");
  readonly kernelStatus: ReadonlySignal<string>;
  readonly socket: KernelSocket;
  readonly session: SessionInfo;
  private readonly cells: ConsoleCell[] = [];
  private readonly log: HTMLElement;
  private readonly inputHost: HTMLElement;
  private readonly inputPrompt: HTMLElement;
  private editor: InputEditor | null = null;
  private history: string[];
  private historyIndex: number;
  private draft = "";
  /** Set by a close from the user (not by a page unload): the session ends with the tab. */
  private closing = false;

  constructor(private readonly options: ConsoleOptions) {
    super();
    this.session = options.session;
    this.id = `carnet-console-${options.name}`;
    this.addClass("carnet-ConsolePanel");
    this.title.label = `Console ${options.name}`;
    this.title.caption = `Console ${options.name}: ${options.kernelDisplayName}`;
    this.title.closable = true;
    this.node.dataset["console"] = options.name;
    this.node.tabIndex = -1;
    this.history = [...(options.history ?? [])].slice(-HISTORY_LIMIT);
    this.historyIndex = this.history.length;
    this.kernelStatus = computed(() => `${options.kernelDisplayName} | ${STATE_LABEL[this.state.value]}`);

    const toolbar = document.createElement("div");
    toolbar.className = "carnet-ConsoleToolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Console");
    const button = (label: string, text: string, action: () => void): HTMLButtonElement => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "carnet-Button carnet-mod-small";
      b.textContent = text;
      b.title = label;
      b.setAttribute("aria-label", label);
      b.dataset["action"] = text.toLowerCase();
      b.addEventListener("click", action);
      return b;
    };
    const kernel = document.createElement("span");
    kernel.className = "carnet-ConsoleToolbar-kernel";
    kernel.textContent = options.kernelDisplayName;
    const status = document.createElement("span");
    status.className = "carnet-ConsoleToolbar-status";
    status.setAttribute("aria-live", "polite");
    toolbar.append(
      button("Run (Shift+Enter)", "Run", () => this.runSelected()),
      button("Interrupt the kernel", "Interrupt", () => void this.interruptKernel()),
      button("Restart the kernel", "Restart", () => void this.restartKernel()),
      button("Clear the console's executions", "Clear", () => this.clear()),
      kernel,
      status,
    );

    this.log = document.createElement("div");
    this.log.className = "carnet-ConsoleLog";
    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-label", "Executions");
    this.log.addEventListener("carnet-console-output", () => this.scrollToEnd());

    const input = document.createElement("div");
    input.className = "carnet-ConsoleInput";
    this.inputPrompt = document.createElement("span");
    this.inputPrompt.className = "carnet-ConsoleCell-prompt";
    this.inputPrompt.textContent = "In [ ]:";
    this.inputHost = document.createElement("div");
    this.inputHost.className = "carnet-ConsoleInput-editor";
    input.append(this.inputPrompt, this.inputHost);
    this.node.append(toolbar, this.log, input);

    this.socket = new KernelSocket(options.conn, options.session.kernelId, {
      onState: (state) => {
        this.state.value = state;
        this.node.dataset["kernelState"] = state;
        status.textContent = STATE_LABEL[state];
        if (state === "restarting" || state === "autorestarting" || state === "dead") this.endRunning("aborted");
      },
    });
    this.node.dataset["kernelState"] = "connecting";
    status.textContent = STATE_LABEL.connecting;
    void this.loadEditor();
  }

  /** The inputs run in this console, oldest first. */
  get inputs(): readonly string[] {
    return this.history;
  }

  /** Runs the prompt's code (Shift+Enter, Run > Run Selected). */
  runSelected(): void {
    const editor = this.editor;
    if (editor === null) return;
    const code = editor.getText();
    if (code.trim() === "") return;
    editor.setText("");
    this.execute(code);
  }

  /** Runs `code` as if typed at the prompt. */
  execute(code: string): void {
    if (this.history[this.history.length - 1] !== code) {
      this.history.push(code);
      if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    }
    this.historyIndex = this.history.length;
    this.draft = "";
    this.options.onChange();
    const cell = new ConsoleCell(this.options.conn, code);
    this.cells.push(cell);
    this.log.append(cell.node);
    this.scrollToEnd(true);
    if (this.socket.current === "dead") {
      cell.setState("aborted");
      this.addNote("The kernel is gone: start a new console to run code.");
      return;
    }
    const future = this.socket.execute(code, {
      onIOPub: (message) => cell.handle(message),
      onInput: (request, reply) => {
        cell.askInput(request, (value) => {
          reply(value);
          this.editor?.focus();
        });
        this.scrollToEnd(true);
      },
    });
    future.done.then(
      (reply) => {
        const count = typeof reply["execution_count"] === "number" ? reply["execution_count"] : null;
        const status = reply["status"];
        cell.setState(status === "ok" ? "done" : status === "aborted" ? "aborted" : "error", count);
      },
      () => cell.setState("aborted"),
    );
  }

  async interruptKernel(): Promise<void> {
    try {
      await interruptKernel(this.options.conn, this.session.kernelId);
    } catch (error: unknown) {
      this.options.notify(`Could not interrupt the kernel: ${error instanceof Error ? error.message : String(error)}`, "error");
    }
  }

  async restartKernel(): Promise<void> {
    if (!(await this.options.confirmRestart())) return;
    this.socket.markState("restarting");
    this.socket.failPending("The kernel restarted");
    this.endRunning("aborted");
    try {
      await restartKernel(this.options.conn, this.session.kernelId);
      this.socket.markState("idle");
      this.addNote("Kernel restarted");
    } catch (error: unknown) {
      this.socket.markState("dead");
      this.options.notify(`Could not restart the kernel: ${error instanceof Error ? error.message : String(error)}`, "error");
    }
  }

  /** Removes the executions shown (the kernel and the history stay). */
  clear(): void {
    for (const cell of this.cells.splice(0)) cell.dispose();
    this.log.replaceChildren();
  }

  /** The user closed the tab: the console's session ends with it. */
  get closedByUser(): boolean {
    return this.closing;
  }

  protected override onCloseRequest(msg: Message): void {
    this.closing = true;
    super.onCloseRequest(msg);
    this.dispose();
  }

  protected override onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    if (this.editor !== null) this.editor.focus();
    else this.node.focus();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.socket.close();
    for (const cell of this.cells.splice(0)) cell.dispose();
    this.editor?.dispose();
    this.editor = null;
    super.dispose();
  }

  private addNote(text: string): void {
    const note = document.createElement("div");
    note.className = "carnet-ConsoleNote";
    note.textContent = text;
    this.log.append(note);
    this.scrollToEnd(true);
  }

  private endRunning(state: "aborted"): void {
    for (const cell of this.cells) if (cell.node.dataset["state"] === "running") cell.setState(state);
  }

  private scrollToEnd(force = false): void {
    const log = this.log;
    const nearEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    if (force || nearEnd) log.scrollTop = log.scrollHeight;
  }

  private walkHistory(direction: -1 | 1): string | null {
    const next = this.historyIndex + direction;
    if (next < 0 || next > this.history.length) return null;
    if (this.historyIndex === this.history.length) this.draft = this.editor?.getText() ?? "";
    this.historyIndex = next;
    return next === this.history.length ? this.draft : (this.history[next] ?? "");
  }

  /** Completion and inspection requests; null once the console is closed or its kernel dead. */
  private async ask(msgType: string, content: Record<string, unknown>): Promise<Record<string, unknown> | null> {
    if (this.isDisposed || this.socket.current === "dead") return null;
    return await this.socket.request("shell", msgType, content).done;
  }

  private async loadEditor(): Promise<void> {
    let mod: typeof import("./input-editor");
    try {
      mod = await import("./input-editor");
    } catch (error: unknown) {
      this.options.notify(`Could not load the editor: ${error instanceof Error ? error.message : String(error)}`, "error");
      return;
    }
    if (this.isDisposed) return;
    this.editor = mod.createInputEditor({
      parent: this.inputHost,
      language: this.options.language,
      label: "Console input",
      onRun: () => this.runSelected(),
      onHistory: (direction) => this.walkHistory(direction),
      assist: {
        complete: (code, cursorPos) => this.ask("complete_request", { code, cursor_pos: cursorPos }),
        inspect: (code, cursorPos, detailLevel) =>
          this.ask("inspect_request", { code, cursor_pos: cursorPos, detail_level: detailLevel }),
      },
    });
    this.node.dataset["ready"] = "1";
    if (this.node.contains(document.activeElement) || this.isVisible) this.editor.focus();
  }
}
