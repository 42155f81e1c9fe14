/**
 * The terminals REST API (`/api/terminals`, jupyter_server_terminals' models) and the address
 * of a terminal's websocket. A server with terminals turned off answers 404 to all of it:
 * `listTerminals` reports that as null rather than an error.
 */
import { ApiError, type Connection, apiUrl, isRecord, requestJson } from "./client";

export interface TerminalModel {
  /** The server's name for it ("1", "2"…), unique while it runs. */
  readonly name: string;
  readonly lastActivity: string;
}

function toModel(body: unknown): TerminalModel | null {
  if (!isRecord(body) || typeof body["name"] !== "string") return null;
  const last = body["last_activity"];
  return { name: body["name"], lastActivity: typeof last === "string" ? last : "" };
}

/** The running terminals, oldest first; null when the server offers no terminals (404). */
export async function listTerminals(conn: Connection): Promise<TerminalModel[] | null> {
  let body: unknown;
  try {
    body = await requestJson(conn, "api/terminals");
  } catch (error: unknown) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
  return Array.isArray(body) ? body.flatMap((item) => toModel(item) ?? []) : [];
}

/** Starts a terminal in `cwd` (an API path; the root dir by default). */
export async function createTerminal(conn: Connection, cwd = ""): Promise<TerminalModel> {
  const body = await requestJson(conn, "api/terminals", {
    method: "POST",
    body: cwd === "" ? {} : { cwd },
  });
  const model = toModel(body);
  if (model === null) throw new ApiError(200, "POST /api/terminals: the reply has no name");
  return model;
}

/** Ends a terminal's process; its clients get `["disconnect", 1]`. */
export async function shutdownTerminal(conn: Connection, name: string): Promise<void> {
  await requestJson(conn, `api/terminals/${encodeURIComponent(name)}`, { method: "DELETE" });
}

/** `ws(s)://host/<base>terminals/websocket/<name>`, on the page's own origin. */
export function terminalSocketUrl(conn: Connection, name: string, location: Location = window.location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${apiUrl(conn, `terminals/websocket/${encodeURIComponent(name)}`)}`;
}
