/**
 * A small client for a kernel's websocket (`api/kernels/{id}/channels`, Jupyter messaging
 * protocol 5.3 over the legacy JSON framing; binary frames carry buffers). It sends
 * `execute_request`s and routes what comes back (iopub by `parent_header.msg_id`, the shell
 * reply, stdin's `input_request`) to the request that caused it; iopub `status` messages give
 * the kernel's state. It reconnects with the same session id after a drop, so the server
 * replays what the kernel said meanwhile.
 */
import { apiUrl, type Connection, isRecord, requestJson } from "./client";
import { listKernels } from "./kernels";

export type Channel = "shell" | "iopub" | "stdin" | "control";

export interface KernelMessage {
  readonly header: { readonly msg_id: string; readonly msg_type: string; readonly [k: string]: unknown };
  readonly parent_header: { readonly msg_id?: string; readonly [k: string]: unknown };
  readonly metadata: Record<string, unknown>;
  readonly content: Record<string, unknown>;
  readonly channel: Channel;
  readonly buffers: readonly ArrayBuffer[];
}

/** The kernel's execution state, plus the socket's own states. */
export type KernelState =
  | "connecting"
  | "starting"
  | "idle"
  | "busy"
  | "restarting"
  | "autorestarting"
  | "dead"
  | "disconnected";

export interface InputRequest {
  readonly prompt: string;
  readonly password: boolean;
}

export interface RequestHandlers {
  /** Every iopub message whose parent is this request (status included). */
  readonly onIOPub?: (message: KernelMessage) => void;
  /** The kernel asks for a line of input (`input()`); call `reply` with the answer. */
  readonly onInput?: (request: InputRequest, reply: (value: string) => void) => void;
}

export interface RequestFuture {
  readonly msgId: string;
  /** The shell reply's content; resolves once the kernel is idle after the reply. */
  readonly done: Promise<Record<string, unknown>>;
}

export interface KernelSocketHandlers {
  readonly onState?: (state: KernelState) => void;
  /** iopub messages that belong to no request of this client (another client's execution). */
  readonly onOtherIOPub?: (message: KernelMessage) => void;
}

const RECONNECT_DELAYS_MS: readonly number[] = [250, 1000, 2000, 4000, 8000];
const MAX_ATTEMPTS = 30;

interface Pending {
  readonly handlers: RequestHandlers;
  reply: Record<string, unknown> | null;
  idle: boolean;
  resolve: (content: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

function uuid(): string {
  return crypto.randomUUID();
}

export function kernelSocketUrl(
  conn: Connection,
  kernelId: string,
  sessionId: string,
  location: Location = window.location,
): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const path = apiUrl(conn, `api/kernels/${encodeURIComponent(kernelId)}/channels`);
  return `${scheme}//${location.host}${path}?session_id=${encodeURIComponent(sessionId)}`;
}

/** A legacy binary frame: uint32 BE count, offsets, then the JSON message and its buffers. */
export function parseBinaryFrame(data: ArrayBuffer): unknown {
  const view = new DataView(data);
  const count = view.getUint32(0);
  const offsets: number[] = [];
  for (let i = 0; i < count; i += 1) offsets.push(view.getUint32(4 * (i + 1)));
  const parts: ArrayBuffer[] = [];
  for (let i = 0; i < count; i += 1) {
    parts.push(data.slice(offsets[i] ?? 0, i + 1 < count ? offsets[i + 1] : data.byteLength));
  }
  const [json, ...buffers] = parts;
  const message: unknown = JSON.parse(new TextDecoder().decode(json));
  if (isRecord(message)) message["buffers"] = buffers;
  return message;
}

function toMessage(raw: unknown): KernelMessage | null {
  if (!isRecord(raw) || !isRecord(raw["header"])) return null;
  const header = raw["header"];
  if (typeof header["msg_id"] !== "string" || typeof header["msg_type"] !== "string") return null;
  const channel = raw["channel"];
  return {
    header: header as KernelMessage["header"],
    parent_header: isRecord(raw["parent_header"]) ? raw["parent_header"] : {},
    metadata: isRecord(raw["metadata"]) ? raw["metadata"] : {},
    content: isRecord(raw["content"]) ? raw["content"] : {},
    channel: channel === "shell" || channel === "stdin" || channel === "control" ? channel : "iopub",
    buffers: Array.isArray(raw["buffers"]) ? raw["buffers"].filter((b) => b instanceof ArrayBuffer) : [],
  };
}

export class KernelSocket {
  /** The client session id (`session_id` of the websocket, `header.session` of requests). */
  readonly session = uuid();
  private socket: WebSocket | null = null;
  private state: KernelState = "connecting";
  private readonly pending = new Map<string, Pending>();
  private readonly queue: string[] = [];
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly conn: Connection,
    private kernelIdValue: string,
    private readonly handlers: KernelSocketHandlers = {},
  ) {
    this.open();
  }

  get kernelId(): string {
    return this.kernelIdValue;
  }

  get current(): KernelState {
    return this.state;
  }

  /** Sends `code` for execution; outputs and input requests go to `handlers`. */
  execute(
    code: string,
    handlers: RequestHandlers,
    options: { silent?: boolean; storeHistory?: boolean; stopOnError?: boolean } = {},
  ): RequestFuture {
    return this.request(
      "shell",
      "execute_request",
      {
        code,
        silent: options.silent ?? false,
        store_history: options.storeHistory ?? true,
        user_expressions: {},
        allow_stdin: handlers.onInput !== undefined,
        stop_on_error: options.stopOnError ?? true,
      },
      handlers,
    );
  }

  /** Any shell or control request (history_request, complete_request, kernel_info_request…). */
  request(
    channel: Channel,
    msgType: string,
    content: Record<string, unknown>,
    handlers: RequestHandlers = {},
  ): RequestFuture {
    const msgId = uuid();
    const message = {
      header: {
        msg_id: msgId,
        msg_type: msgType,
        session: this.session,
        username: "",
        date: new Date().toISOString(),
        version: "5.3",
      },
      parent_header: {},
      metadata: {},
      content,
      channel,
      buffers: [],
    };
    const done = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.pending.set(msgId, { handlers, reply: null, idle: false, resolve, reject });
    });
    // The caller may not wait for `done` (fire and forget): never an unhandled rejection.
    done.catch(() => undefined);
    this.send(JSON.stringify(message));
    return { msgId, done };
  }

  /** Follows the kernel after a restart that gave it a new id (not the case for restarts in place). */
  switchKernel(kernelId: string): void {
    this.kernelIdValue = kernelId;
    this.failPending("The kernel changed");
    this.socket?.close(1000);
  }

  /**
   * Sets the state from outside: a restart through the REST API sends no status message to
   * the websocket's clients ("restarting" before it, "idle" once the call has returned).
   */
  markState(state: KernelState): void {
    this.setState(state);
  }

  /** The requests waiting on the kernel end (a restart or interrupt ends them). */
  failPending(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimer();
    this.failPending("The console was closed");
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
  }

  private send(frame: string): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(frame);
    else this.queue.push(frame);
  }

  private open(): void {
    const socket = new WebSocket(kernelSocketUrl(this.conn, this.kernelIdValue, this.session));
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempts = 0;
      for (const frame of this.queue.splice(0)) socket.send(frame);
      // The state arrives with the status messages this request causes.
      this.request("shell", "kernel_info_request", {});
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket) return;
      let raw: unknown;
      try {
        raw = typeof event.data === "string" ? JSON.parse(event.data) : parseBinaryFrame(event.data as ArrayBuffer);
      } catch {
        return;
      }
      const message = toMessage(raw);
      if (message !== null) this.dispatch(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.closed) return;
      this.setState("disconnected");
      this.scheduleReconnect();
    };
  }

  private dispatch(message: KernelMessage): void {
    const parentId = message.parent_header.msg_id;
    const pending = typeof parentId === "string" ? this.pending.get(parentId) : undefined;
    const type = message.header.msg_type;
    if (message.channel === "iopub" && type === "status") {
      const state = message.content["execution_state"];
      if (typeof state === "string") this.setState(state as KernelState);
    }
    if (pending === undefined || parentId === undefined) {
      if (message.channel === "iopub" && type !== "status") this.handlers.onOtherIOPub?.(message);
      return;
    }
    if (message.channel === "iopub") {
      pending.handlers.onIOPub?.(message);
      if (type === "status" && message.content["execution_state"] === "idle") {
        pending.idle = true;
        this.settle(parentId, pending);
      }
    } else if (message.channel === "stdin" && type === "input_request") {
      const reply = (value: string): void => {
        this.send(
          JSON.stringify({
            header: {
              msg_id: uuid(),
              msg_type: "input_reply",
              session: this.session,
              username: "",
              date: new Date().toISOString(),
              version: "5.3",
            },
            parent_header: message.header,
            metadata: {},
            content: { value },
            channel: "stdin",
            buffers: [],
          }),
        );
      };
      const request = {
        prompt: typeof message.content["prompt"] === "string" ? message.content["prompt"] : "",
        password: message.content["password"] === true,
      };
      if (pending.handlers.onInput !== undefined) pending.handlers.onInput(request, reply);
      else reply("");
    } else if (message.channel === "shell" || message.channel === "control") {
      if (type === "kernel_info_reply" && this.state === "connecting") void this.learnState();
      pending.reply = message.content;
      this.settle(parentId, pending);
    }
  }

  private settle(msgId: string, pending: Pending): void {
    // Requests without iopub traffic (kernel_info) settle on their reply alone.
    const needsIdle = pending.handlers.onIOPub !== undefined;
    if (pending.reply !== null && (pending.idle || !needsIdle)) {
      this.pending.delete(msgId);
      pending.resolve(pending.reply);
    }
  }

  private scheduleReconnect(): void {
    this.stopTimer();
    if (this.attempts >= MAX_ATTEMPTS) {
      this.setState("dead");
      this.failPending("The connection to the kernel was lost");
      return;
    }
    const delay = RECONNECT_DELAYS_MS[Math.min(this.attempts, RECONNECT_DELAYS_MS.length - 1)] ?? 8000;
    this.attempts += 1;
    this.timer = setTimeout(() => void this.reconnect(), delay);
  }

  /**
   * The kernel answered but no status message came (iopub may subscribe after the kernel has
   * published it): the REST model knows the state.
   */
  private async learnState(): Promise<void> {
    let state = "idle";
    try {
      const kernel = (await listKernels(this.conn))?.find((k) => k.id === this.kernelIdValue);
      if (kernel !== undefined && kernel.executionState !== "") state = kernel.executionState;
    } catch {
      // Keep "idle": the kernel did answer.
    }
    if (this.state === "connecting") this.setState(state as KernelState);
  }

  /** Asks the REST API first whether the kernel still exists: a handshake to a missing one fails loudly. */
  private async reconnect(): Promise<void> {
    this.timer = null;
    if (this.closed) return;
    let exists: boolean;
    try {
      const kernels = await listKernels(this.conn);
      exists = kernels !== null && kernels.some((k) => k.id === this.kernelIdValue);
    } catch {
      this.scheduleReconnect(); // the server is not back yet
      return;
    }
    if (this.closed) return;
    if (exists) this.open();
    else {
      this.setState("dead");
      this.failPending("The kernel is gone");
    }
  }

  private setState(state: KernelState): void {
    if (this.state === state) return;
    this.state = state;
    this.handlers.onState?.(state);
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** A session as `POST api/sessions` returns it (the fields the console needs). */
export interface SessionInfo {
  readonly id: string;
  readonly path: string;
  readonly name: string;
  readonly kernelId: string;
  readonly kernelName: string;
}

function toSession(body: unknown): SessionInfo {
  if (!isRecord(body) || typeof body["id"] !== "string" || !isRecord(body["kernel"])) {
    throw new Error("The server answered with an unexpected session");
  }
  const kernel = body["kernel"];
  return {
    id: body["id"],
    path: typeof body["path"] === "string" ? body["path"] : "",
    name: typeof body["name"] === "string" ? body["name"] : "",
    kernelId: typeof kernel["id"] === "string" ? kernel["id"] : "",
    kernelName: typeof kernel["name"] === "string" ? kernel["name"] : "",
  };
}

/** Creates a session (and a kernel, unless `kernel.id` names a running one). */
export async function createSession(
  conn: Connection,
  options: { path: string; name: string; type: string; kernel: { name?: string; id?: string } },
): Promise<SessionInfo> {
  return toSession(await requestJson(conn, "api/sessions", { method: "POST", body: options }));
}

/** Ends a session; its kernel stops unless another session uses it. */
export async function deleteSession(conn: Connection, id: string): Promise<void> {
  await requestJson(conn, `api/sessions/${encodeURIComponent(id)}`, { method: "DELETE" });
}

export async function interruptKernel(conn: Connection, id: string): Promise<void> {
  await requestJson(conn, `api/kernels/${encodeURIComponent(id)}/interrupt`, { method: "POST" });
}

export async function restartKernel(conn: Connection, id: string): Promise<void> {
  await requestJson(conn, `api/kernels/${encodeURIComponent(id)}/restart`, { method: "POST" });
}
