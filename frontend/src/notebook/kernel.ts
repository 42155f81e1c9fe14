/**
 * The notebook's kernel: its session (found or created with `POST api/sessions`, as
 * JupyterLab does, for the notebook's path and `metadata.kernelspec.name`), its display name,
 * and its status, polled from `api/kernels/{id}` while the tab is visible. Cells run on the
 * server; a websocket of its own to the kernel (opened on the first completion or inspection)
 * carries `complete_request` and `inspect_request`.
 */
import { computed, signal } from "@preact/signals-core";
import { type Connection, listKernelSpecs } from "../api";
import type { KernelSpecs } from "../api";
import { KernelSocket } from "../api/kernel-socket";
import {
  type NotebookSession,
  changeSessionKernel,
  ensureSession,
  kernelState,
  renameSession,
  restartKernel,
} from "../api/documents";

const POLL_MS = 1500;

export class NotebookKernel {
  readonly session = signal<NotebookSession | null>(null);
  /** "idle", "busy", "starting", "restarting", "dead", "connecting", "none", "error". */
  readonly state = signal("connecting");
  readonly displayName = signal("");
  readonly language = signal<string | null>(null);
  readonly statusText = computed(() => {
    const name = this.displayName.value || "Kernel";
    const state = this.state.value;
    if (state === "none") return "No Kernel";
    const label = state === "error" ? "Error" : state.charAt(0).toUpperCase() + state.slice(1);
    return `${name} | ${label}`;
  });
  private specs: KernelSpecs | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private starting: Promise<NotebookSession | null> | null = null;
  private disposed = false;
  private changing = false;
  private socket: KernelSocket | null = null;

  constructor(
    private readonly conn: Connection,
    private readonly visible: () => boolean,
  ) {}

  async kernelSpecs(): Promise<KernelSpecs> {
    this.specs ??= await listKernelSpecs(this.conn);
    return this.specs;
  }

  /** Finds or creates the session of `path`; resolves to null when there is no kernel service. */
  start(path: string, kernelName: string | null): Promise<NotebookSession | null> {
    this.starting ??= this.doStart(path, kernelName).finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async doStart(path: string, kernelName: string | null): Promise<NotebookSession | null> {
    this.state.value = "starting";
    try {
      const specs = await this.kernelSpecs();
      if (specs.specs.length === 0) {
        this.state.value = "none";
        return null;
      }
      const name =
        kernelName !== null && specs.specs.some((s) => s.name === kernelName) ? kernelName : specs.default;
      const session = await ensureSession(this.conn, path, name);
      if (this.disposed) return session;
      this.session.value = session;
      this.describe(session.kernelName);
      await this.poll();
      this.startPolling();
      return session;
    } catch (error: unknown) {
      this.state.value = "error";
      throw error;
    }
  }

  /** The session, starting it first if needed. */
  async ready(path: string, kernelName: string | null): Promise<NotebookSession | null> {
    return this.session.value ?? (await this.start(path, kernelName));
  }

  private describe(name: string): void {
    const spec = this.specs?.specs.find((s) => s.name === name);
    this.displayName.value = spec?.displayName ?? name;
    this.language.value = spec?.language.toLowerCase() ?? null;
  }

  private startPolling(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      if (!document.hidden && this.visible()) void this.poll();
    }, POLL_MS);
  }

  async poll(): Promise<void> {
    const session = this.session.value;
    if (session === null || session.kernelId === null || this.changing) return;
    let state: string | null;
    try {
      state = await kernelState(this.conn, session.kernelId);
    } catch {
      return; // The server is unreachable for a moment: keep the last state.
    }
    if (this.disposed || this.changing || this.session.value !== session) return;
    if (state === null) {
      // Shut down elsewhere (the running panel): the next run starts a new session.
      this.reset();
      return;
    }
    this.state.value = state;
  }

  async restart(): Promise<void> {
    const session = this.session.value;
    if (session?.kernelId == null) return;
    this.state.value = "restarting";
    await restartKernel(this.conn, session.kernelId);
    await this.poll();
  }

  async change(path: string, kernelName: string): Promise<void> {
    const session = this.session.value;
    if (session === null) {
      await this.start(path, kernelName);
      return;
    }
    this.state.value = "starting";
    this.changing = true;
    try {
      const next = await changeSessionKernel(this.conn, session.id, kernelName);
      this.session.value = next;
      this.describe(next.kernelName);
    } finally {
      this.changing = false;
    }
    await this.poll();
  }

  /** The notebook was renamed: its session follows. */
  async rename(path: string): Promise<void> {
    const session = this.session.value;
    if (session !== null) await renameSession(this.conn, session.id, path);
  }

  /**
   * A shell request (complete_request, inspect_request…) on this page's own websocket to the
   * session's kernel; resolves to the reply's content, or null when there is no kernel yet.
   */
  async ask(msgType: string, content: Record<string, unknown>): Promise<Record<string, unknown> | null> {
    const kernelId = this.session.value?.kernelId ?? null;
    if (kernelId === null || this.disposed) return null;
    if (this.socket?.kernelId !== kernelId) {
      this.socket?.close();
      this.socket = new KernelSocket(this.conn, kernelId);
    }
    return await this.socket.request("shell", msgType, content).done;
  }

  /** Forgets the session (the server said there is none: it was shut down). */
  reset(): void {
    this.session.value = null;
    this.state.value = "none";
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.socket?.close();
    this.socket = null;
  }
}
