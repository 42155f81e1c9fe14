/**
 * JupyterLab's per-user UI state on the server: workspaces (`/lab/api/workspaces/<id>`) hold
 * the layout and open tabs, settings (`/lab/api/settings/<plugin>`) one JSON document per
 * plugin, kept as the raw text the user (or the settings editor) wrote.
 */
import { type Connection, isRecord, requestJson } from "./client";

export interface Workspace {
  readonly data: Record<string, unknown>;
  readonly metadata: { readonly id: string } & Record<string, unknown>;
}

export async function getWorkspace(conn: Connection, id: string): Promise<Workspace> {
  const body = await requestJson(conn, `lab/api/workspaces/${encodeURIComponent(id)}`);
  const data = isRecord(body) && isRecord(body["data"]) ? body["data"] : {};
  return { data, metadata: { id } };
}

export async function saveWorkspace(
  conn: Connection,
  id: string,
  data: Record<string, unknown>,
  keepalive = false,
): Promise<void> {
  await requestJson(conn, `lab/api/workspaces/${encodeURIComponent(id)}`, {
    method: "PUT",
    body: { data, metadata: { id } },
    keepalive,
  });
}

/** What the user saved for each plugin: id -> parsed settings (plugins with none are absent). */
export async function listSettings(conn: Connection): Promise<Map<string, Record<string, unknown>>> {
  const body = await requestJson(conn, "lab/api/settings");
  const out = new Map<string, Record<string, unknown>>();
  const list = isRecord(body) && Array.isArray(body["settings"]) ? body["settings"] : [];
  for (const item of list as unknown[]) {
    if (isRecord(item) && typeof item["id"] === "string" && isRecord(item["settings"])) {
      out.set(item["id"], item["settings"]);
    }
  }
  return out;
}

/** Stores a plugin's settings; `keepalive` lets the write finish if the page is reloaded. */
export async function saveSettings(conn: Connection, id: string, raw: string): Promise<void> {
  await requestJson(conn, `lab/api/settings/${encodeSettingsId(id)}`, {
    method: "PUT",
    body: { raw },
    keepalive: raw.length < 32 * 1024,
  });
}

/** "@scope/pkg:plugin" keeps its "/" (the server's route takes a path). */
function encodeSettingsId(id: string): string {
  return id.split("/").map(encodeURIComponent).join("/");
}
