/** Server-wide endpoints: `GET /api` (version) and `GET /api/status`. */
import { ApiError, type Connection, isRecord, requestJson } from "./client";

export interface ServerStatus {
  readonly started: string;
  readonly lastActivity: string;
  readonly connections: number;
  readonly kernels: number;
}

/** The server's version string, as `GET /api` reports it. */
export async function getVersion(conn: Connection): Promise<string> {
  const body = await requestJson(conn, "api");
  if (isRecord(body) && typeof body["version"] === "string") {
    return body["version"];
  }
  throw new ApiError(200, "GET /api: the reply has no version");
}

export async function getStatus(conn: Connection): Promise<ServerStatus> {
  const body = await requestJson(conn, "api/status");
  if (!isRecord(body)) {
    throw new ApiError(200, "GET /api/status: the reply is not an object");
  }
  return {
    started: stringField(body, "started"),
    lastActivity: stringField(body, "last_activity"),
    connections: numberField(body, "connections"),
    kernels: numberField(body, "kernels"),
  };
}

function stringField(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  return typeof value === "string" ? value : "";
}

function numberField(body: Record<string, unknown>, key: string): number {
  const value = body[key];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
