/**
 * The one place the UI talks HTTP to the server: base URL, cookies, XSRF and Jupyter's JSON
 * error bodies (`{"message", "reason"}`) are handled here so API modules stay one-liners.
 */
import { xsrfHeaders } from "./xsrf";

/** A failed request: the HTTP status plus the server's message when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string | null;

  constructor(status: number, message: string, reason: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.reason = reason;
  }

  /** The server does not know who we are (no cookie/token, or it expired). */
  get unauthenticated(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export interface Connection {
  /** The server's base URL, "/"-terminated (see util/base-url.ts). */
  readonly baseUrl: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** Let the request outlive the page (saving the layout while the tab closes). */
  readonly keepalive?: boolean;
}

/** `path` below the base URL, e.g. `api/contents/a%20b`; callers encode path segments. */
export function apiUrl(conn: Connection, path: string): string {
  return conn.baseUrl + path.replace(/^\/+/, "");
}

/** Sends a request with the session cookie and returns the parsed JSON reply (or null on 204). */
export async function requestJson(
  conn: Connection,
  path: string,
  options: RequestOptions = {},
): Promise<unknown> {
  const method = (options.method ?? "GET").toUpperCase();
  const headers: Record<string, string> = { Accept: "application/json", ...xsrfHeaders(method) };
  const init: RequestInit = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  if (options.signal !== undefined) {
    init.signal = options.signal;
  }
  if (options.keepalive === true) {
    init.keepalive = true;
  }
  const response = await fetch(apiUrl(conn, path), init);
  if (!response.ok) {
    throw await errorFrom(response);
  }
  if (response.status === 204) {
    return null;
  }
  return (await response.json()) as unknown;
}

export async function errorFrom(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`.trim();
  let reason: string | null = null;
  try {
    const body: unknown = await response.json();
    if (isRecord(body)) {
      if (typeof body["message"] === "string" && body["message"] !== "") {
        message = body["message"];
      }
      if (typeof body["reason"] === "string") {
        reason = body["reason"];
      }
    }
  } catch {
    // Not JSON (a proxy's error page, say): the status line is all we have.
  }
  return new ApiError(response.status, message, reason);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
