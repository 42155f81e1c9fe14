/**
 * One browser view's connection to a running terminal (terminado's protocol, terminado.ts).
 *
 * Input typed before the socket opens is queued; the last size is re-sent on every (re)attach,
 * since the server sizes the pty to its clients. When the socket drops without the process
 * having ended (a server restart, a network blip), it reconnects with backoff, asking the REST
 * API first whether the terminal still exists (a handshake to a missing terminal would be a
 * failed request in the console). The server replays its scrollback after `setup`, so the
 * view clears itself on every attach and shows exactly the terminal's history once.
 */
import type { Connection } from "./client";
import { parseServerMessage, setSizeMessage, stdinMessage } from "./terminado";
import { listTerminals, terminalSocketUrl } from "./terminals";

export type TerminalSocketState = "connecting" | "open" | "reconnecting" | "ended" | "closed";

export interface TerminalSocketHandlers {
  /** (Re)attached: the scrollback follows as output. */
  readonly onAttach: () => void;
  readonly onOutput: (text: string) => void;
  readonly onState: (state: TerminalSocketState) => void;
}

/** Delays between reconnection attempts (ms); the last one repeats. */
export const RECONNECT_DELAYS_MS: readonly number[] = [250, 1000, 2000, 4000, 8000];
const MAX_ATTEMPTS = 30;

export class TerminalSocket {
  private socket: WebSocket | null = null;
  private state: TerminalSocketState = "connecting";
  private readonly queue: string[] = [];
  private size: string | null = null;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly conn: Connection,
    readonly name: string,
    private readonly handlers: TerminalSocketHandlers,
  ) {
    this.open();
  }

  get current(): TerminalSocketState {
    return this.state;
  }

  send(text: string): void {
    if (this.state === "ended" || this.state === "closed") return;
    const frame = stdinMessage(text);
    if (this.socket?.readyState === WebSocket.OPEN && this.state === "open") this.socket.send(frame);
    else this.queue.push(frame);
  }

  resize(rows: number, cols: number, height: number, width: number): void {
    this.size = setSizeMessage(rows, cols, height, width);
    if (this.socket?.readyState === WebSocket.OPEN && this.state === "open") this.socket.send(this.size);
  }

  /** Leaves the terminal running on the server. */
  close(): void {
    this.setState("closed");
    this.stopTimer();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
  }

  private open(): void {
    const socket = new WebSocket(terminalSocketUrl(this.conn, this.name));
    this.socket = socket;
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket || typeof event.data !== "string") return;
      const message = parseServerMessage(event.data);
      if (message === null) return;
      if (message.type === "setup") {
        this.attempts = 0;
        this.setState("open");
        this.handlers.onAttach();
        if (this.size !== null) socket.send(this.size);
        for (const frame of this.queue.splice(0)) socket.send(frame);
      } else if (message.type === "stdout") {
        this.handlers.onOutput(message.text);
      } else {
        this.ended();
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.state === "ended" || this.state === "closed") return;
      this.setState("reconnecting");
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    this.stopTimer();
    if (this.attempts >= MAX_ATTEMPTS) {
      this.ended();
      return;
    }
    const delay = RECONNECT_DELAYS_MS[Math.min(this.attempts, RECONNECT_DELAYS_MS.length - 1)] ?? 8000;
    this.attempts += 1;
    this.timer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    this.timer = null;
    if (this.state !== "reconnecting") return;
    let exists: boolean;
    try {
      const running = await listTerminals(this.conn);
      exists = running !== null && running.some((t) => t.name === this.name);
    } catch {
      this.scheduleReconnect(); // the server is not back yet
      return;
    }
    if (this.state !== "reconnecting") return;
    if (exists) this.open();
    else this.ended();
  }

  private ended(): void {
    this.stopTimer();
    this.queue.length = 0;
    this.setState("ended");
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
  }

  private setState(state: TerminalSocketState): void {
    if (this.state === state) return;
    this.state = state;
    this.handlers.onState(state);
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
