/**
 * A browser view's copy of a server-owned document (contract §1, §3): one Y.Doc synced with
 * the server's room over the y-websocket protocol (y-protocols sync + awareness), written
 * here on top of yjs/y-protocols/lib0 rather than the y-websocket package, so reconnection and
 * the room's epoch ("sessionId") are ours.
 *
 * `Room.open` asks the server for the room (`PUT api/collaboration/session/<path>`: the server
 * loads the file; clients never seed it) and resolves after the first sync. A dropped socket
 * reconnects with backoff and resyncs the same Y.Doc, so edits made offline merge. If the
 * server answers 4409 (its document has another lineage, e.g. the file was reloaded from disk
 * after a restart without history), merging would duplicate content: the room drops its
 * Y.Doc, joins the new lineage with a fresh one and tells `onReset` listeners, passing the
 * local text that the new document lacks so the UI can offer it back. 4400/4404/4410 (bad
 * request, unknown file, file deleted) end the room: `status` becomes "closed".
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { ApiError, apiUrl, type Connection, isRecord, requestJson } from "../api/client";
import { encodePath } from "../api/contents";

export type RoomType = "notebook" | "file";
export type RoomStatus = "connecting" | "synced" | "disconnected" | "closed";
export type Awareness = awarenessProtocol.Awareness;

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;

/** Close codes the server uses (contract §2). */
export const CLOSE_BAD_REQUEST = 4400;
export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_STALE_EPOCH = 4409;
export const CLOSE_DELETED = 4410;
const FATAL_CODES = new Set([CLOSE_BAD_REQUEST, CLOSE_NOT_FOUND, CLOSE_DELETED]);

/** Delays between reconnection attempts (ms); the last one repeats. */
export const RECONNECT_DELAYS_MS: readonly number[] = [250, 1000, 2000, 4000, 8000];

export interface RoomSession {
  readonly format: string;
  readonly type: string;
  readonly fileId: string;
  readonly sessionId: string;
}

/** The awareness `user` field (JupyterLab's `User.IIdentity` subset). */
export interface AwarenessUser {
  readonly name: string;
  readonly display_name: string;
  readonly initials: string;
  readonly color: string;
}

const FALLBACK_COLORS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#469990"];

/** Asks the server to load (or find) the room of `path`. */
export async function openSession(conn: Connection, path: string, type: RoomType): Promise<RoomSession> {
  const body = { format: type === "notebook" ? "json" : "text", type };
  const reply = await requestJson(conn, `api/collaboration/session/${encodePath(path)}`, { method: "PUT", body });
  if (!isRecord(reply)) throw new Error("PUT api/collaboration/session: the reply is not an object");
  const field = (key: string): string => {
    const value = reply[key];
    if (typeof value !== "string") throw new Error(`PUT api/collaboration/session: no ${key} in the reply`);
    return value;
  };
  return { format: field("format"), type: field("type"), fileId: field("fileId"), sessionId: field("sessionId") };
}

let userPromise: Promise<AwarenessUser> | null = null;

/** The current user for awareness, from `GET api/me` (fetched once per page). */
export function awarenessUser(conn: Connection): Promise<AwarenessUser> {
  userPromise ??= requestJson(conn, "api/me").then(
    (body) => userFrom(isRecord(body) && isRecord(body["identity"]) ? body["identity"] : {}),
    () => userFrom({}),
  );
  return userPromise;
}

function userFrom(identity: Record<string, unknown>): AwarenessUser {
  const text = (key: string): string => {
    const value = identity[key];
    return typeof value === "string" ? value : "";
  };
  const name = text("name") || text("username") || "Anonymous";
  const display = text("display_name") || name;
  const initials =
    text("initials") ||
    display
      .split(/\s+/)
      .filter((part) => part !== "")
      .map((part) => part[0] ?? "")
      .join("")
      .slice(0, 2)
      .toUpperCase();
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const color = text("color") || FALLBACK_COLORS[hash % FALLBACK_COLORS.length] || "#4363d8";
  return { name, display_name: display, initials, color };
}

/** The text a user would want back from a dropped document: a file's text, a notebook's sources. */
export function documentText(doc: Y.Doc, type: RoomType): string {
  if (type === "file") return doc.getText("source").toString();
  const cells = doc.getArray<Y.Map<unknown>>("cells");
  const parts: string[] = [];
  for (const cell of cells.toArray()) {
    const source = cell instanceof Y.Map ? cell.get("source") : null;
    if (source instanceof Y.Text) parts.push(source.toString());
  }
  return parts.join("\n\n");
}

export function roomSocketUrl(conn: Connection, session: RoomSession, location: Location = window.location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const room = `${session.format}:${session.type}:${session.fileId}`;
  const path = apiUrl(conn, `api/collaboration/room/${encodeURIComponent(room)}`);
  return `${scheme}//${location.host}${path}?sessionId=${encodeURIComponent(session.sessionId)}`;
}

export class Room {
  /** Opens the room of `path`; resolves once the document has synced with the server. */
  static async open(conn: Connection, path: string, type: RoomType): Promise<Room> {
    const [session, user] = await Promise.all([openSession(conn, path, type), awarenessUser(conn)]);
    const room = new Room(conn, path, type, session, user);
    try {
      await room.firstSync;
    } catch (error) {
      room.dispose();
      throw error;
    }
    return room;
  }

  private _doc: Y.Doc;
  private _awareness: awarenessProtocol.Awareness;
  private session: RoomSession;
  private socket: WebSocket | null = null;
  private readonly _status = signal<RoomStatus>("connecting");
  private readonly resetListeners = new Set<(info: { unsyncedText: string | null }) => void>();
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  /** Local changes made since the socket was last synced (offered back on a reset). */
  private localWhileOffline = false;
  private resolveFirst: (() => void) | null = null;
  private rejectFirst: ((error: Error) => void) | null = null;
  private readonly firstSync: Promise<void>;

  private constructor(
    private readonly conn: Connection,
    private readonly openedPath: string,
    readonly type: RoomType,
    session: RoomSession,
    private readonly user: AwarenessUser,
  ) {
    this.session = session;
    this._doc = new Y.Doc();
    this._awareness = this.newAwareness(this._doc);
    this.firstSync = new Promise<void>((resolve, reject) => {
      this.resolveFirst = resolve;
      this.rejectFirst = reject;
    });
    this.attach(this._doc);
    this.connect();
  }

  /** The file's path now (the server updates the document's `state.path` on renames). */
  get path(): string {
    const path = this._doc.getMap("state").get("path");
    return typeof path === "string" && path !== "" ? path : this.openedPath;
  }

  get fileId(): string {
    return this.session.fileId;
  }

  /** The room's lineage (epoch) id. */
  get sessionId(): string {
    return this.session.sessionId;
  }

  /** The shared document; replaced by a fresh one on an epoch reset (see `onReset`). */
  get doc(): Y.Doc {
    return this._doc;
  }

  get awareness(): awarenessProtocol.Awareness {
    return this._awareness;
  }

  get status(): ReadonlySignal<RoomStatus> {
    return this._status;
  }

  /** Called after `doc` (and `awareness`) were replaced; returns an unsubscribe function. */
  onReset(cb: (info: { unsyncedText: string | null }) => void): () => void {
    this.resetListeners.add(cb);
    return () => this.resetListeners.delete(cb);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopTimer();
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      if (socket.readyState === WebSocket.OPEN) {
        awarenessProtocol.removeAwarenessStates(this._awareness, [this._doc.clientID], "dispose");
        this.sendOn(socket, this.awarenessMessage([this._doc.clientID]));
      }
      socket.close(1000);
    }
    this._awareness.destroy();
    this._status.value = "closed";
    this.rejectFirst?.(new Error(`The document ${this.path} was closed`));
    this.resolveFirst = this.rejectFirst = null;
  }

  // --- the document and awareness -----------------------------------------------------

  private newAwareness(doc: Y.Doc): awarenessProtocol.Awareness {
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalStateField("user", { ...this.user });
    awareness.on("update", this.onAwarenessUpdate);
    return awareness;
  }

  private attach(doc: Y.Doc): void {
    doc.on("update", this.onDocUpdate);
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown, doc: Y.Doc): void => {
    if (origin === this || doc !== this._doc) return;
    if (this._status.value !== "synced") this.localWhileOffline = true;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    this.send(encoding.toUint8Array(encoder));
  };

  private readonly onAwarenessUpdate = (
    changes: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (origin === this) return;
    this.send(this.awarenessMessage([...changes.added, ...changes.updated, ...changes.removed]));
  };

  private awarenessMessage(clients: number[]): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this._awareness, clients));
    return encoding.toUint8Array(encoder);
  }

  // --- the socket -----------------------------------------------------------------------

  private send(message: Uint8Array): void {
    const socket = this.socket;
    if (socket !== null) this.sendOn(socket, message);
  }

  private sendOn(socket: WebSocket, message: Uint8Array): void {
    // lib0 types its buffers as ArrayBufferLike; they are plain ArrayBuffers.
    if (socket.readyState === WebSocket.OPEN) socket.send(message as Uint8Array<ArrayBuffer>);
  }

  private connect(): void {
    if (this.disposed) return;
    this._status.value = "connecting";
    const socket = new WebSocket(roomSocketUrl(this.conn, this.session));
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeSyncStep1(encoder, this._doc);
      this.sendOn(socket, encoding.toUint8Array(encoder));
      if (this._awareness.getLocalState() !== null) this.sendOn(socket, this.awarenessMessage([this._doc.clientID]));
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket || !(event.data instanceof ArrayBuffer)) return;
      this.receive(socket, new Uint8Array(event.data));
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.dropRemoteAwareness();
      this.closed(event.code, event.reason);
    };
  }

  private receive(socket: WebSocket, data: Uint8Array): void {
    const decoder = decoding.createDecoder(data);
    const kind = decoding.readVarUint(decoder);
    if (kind === MESSAGE_SYNC) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      const step = syncProtocol.readSyncMessage(decoder, encoder, this._doc, this);
      if (encoding.length(encoder) > 1) this.sendOn(socket, encoding.toUint8Array(encoder));
      if (step === syncProtocol.messageYjsSyncStep2) this.synced();
    } else if (kind === MESSAGE_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(this._awareness, decoding.readVarUint8Array(decoder), this);
    }
  }

  private synced(): void {
    this.attempts = 0;
    this.localWhileOffline = false;
    this._status.value = "synced";
    this.resolveFirst?.();
    this.resolveFirst = this.rejectFirst = null;
  }

  private dropRemoteAwareness(): void {
    const others = [...this._awareness.getStates().keys()].filter((id) => id !== this._doc.clientID);
    if (others.length > 0) awarenessProtocol.removeAwarenessStates(this._awareness, others, this);
  }

  private closed(code: number, reason: string): void {
    if (this.disposed) return;
    if (FATAL_CODES.has(code)) {
      this._status.value = "closed";
      this.rejectFirst?.(new Error(reason || `The document ${this.path} is not available (${code})`));
      this.resolveFirst = this.rejectFirst = null;
      return;
    }
    this._status.value = "disconnected";
    if (code === CLOSE_STALE_EPOCH) {
      void this.reset();
      return;
    }
    this.retry(() => this.connect());
  }

  private retry(action: () => void): void {
    const delay = RECONNECT_DELAYS_MS[Math.min(this.attempts, RECONNECT_DELAYS_MS.length - 1)] ?? 8000;
    this.attempts += 1;
    this.stopTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      action();
    }, delay);
  }

  /** The server's document has another lineage: join it with a fresh Y.Doc. */
  private async reset(): Promise<void> {
    let session: RoomSession;
    try {
      session = await openSession(this.conn, this.path, this.type);
    } catch (error) {
      if (this.disposed) return;
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
        this._status.value = "closed";
        return;
      }
      this.retry(() => void this.reset());
      return;
    }
    if (this.disposed) return;
    const oldDoc = this._doc;
    const oldText = documentText(oldDoc, this.type);
    const hadLocal = this.localWhileOffline;
    const local = this._awareness.getLocalState();
    oldDoc.off("update", this.onDocUpdate);
    this._awareness.off("update", this.onAwarenessUpdate);
    this._awareness.destroy();
    this.session = session;
    this._doc = new Y.Doc();
    this._awareness = this.newAwareness(this._doc);
    if (local !== null) this._awareness.setLocalState(local);
    this.attach(this._doc);
    this.localWhileOffline = false;
    const resynced = new Promise<void>((resolve) => {
      const stop = this._status.subscribe((value) => {
        if (value === "synced" || value === "closed") {
          queueMicrotask(() => stop());
          resolve();
        }
      });
    });
    this.connect();
    await resynced;
    if (this.disposed) return;
    const newText = documentText(this._doc, this.type);
    const unsyncedText = hadLocal && oldText !== newText ? oldText : null;
    oldDoc.destroy();
    for (const cb of [...this.resetListeners]) cb({ unsyncedText });
  }

  private stopTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
