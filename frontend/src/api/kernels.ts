/**
 * The running kernels (`/api/kernels`, jupyter_server's models): listed and shut down from the
 * running panel. A server without a kernel service answers 404: `listKernels` gives null.
 */
import { ApiError, type Connection, isRecord, requestJson } from "./client";

export interface KernelModel {
  readonly id: string;
  /** The kernelspec's name ("python3"). */
  readonly name: string;
  /** "idle", "busy", "starting", "dead"… */
  readonly executionState: string;
  readonly lastActivity: string;
  readonly connections: number;
}

function toModel(body: unknown): KernelModel | null {
  if (!isRecord(body) || typeof body["id"] !== "string") return null;
  const text = (key: string): string => (typeof body[key] === "string" ? body[key] : "");
  const connections = body["connections"];
  return {
    id: body["id"],
    name: text("name"),
    executionState: text("execution_state"),
    lastActivity: text("last_activity"),
    connections: typeof connections === "number" ? connections : 0,
  };
}

export async function listKernels(conn: Connection): Promise<KernelModel[] | null> {
  let body: unknown;
  try {
    body = await requestJson(conn, "api/kernels");
  } catch (error: unknown) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 501)) return null;
    throw error;
  }
  return Array.isArray(body) ? body.flatMap((item) => toModel(item) ?? []) : [];
}

export async function shutdownKernel(conn: Connection, id: string): Promise<void> {
  await requestJson(conn, `api/kernels/${encodeURIComponent(id)}`, { method: "DELETE" });
}
