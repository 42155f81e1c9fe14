/**
 * Restores and saves the workspace: open tabs, the dock's splits and sizes, the side panel
 * and the file browser's folder, stored per user on the server (`/lab/api/workspaces/default`)
 * and saved (debounced) whenever they change — and once more, with `keepalive`, as the page
 * goes away. Then opens what the address names.
 */
import type { DockLayout, Widget } from "@lumino/widgets";
import { effect } from "@preact/signals-core";
import { ApiError, type Workspace, listDirectory, saveWorkspace } from "../api";
import { CommandIds as C } from "../commands/ids";
import {
  type DocRef,
  LAYOUT_KEY,
  type SavedLayout,
  type TabRef,
  docKey,
  fromWorkspaceData,
  isLayoutEntry,
  mapArea,
  tabKey,
  toWorkspaceData,
} from "../model/layout";
import type { Route } from "../model/route";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";
import { debounce } from "../util/debounce";
import { dirname } from "../util/paths";
import { CWD_KEY } from "./filebrowser";
import { isDocument } from "../views/document";
import { describeError } from "../views/notify";

export const WORKSPACE_ID = "default";

export interface LayoutPlugin extends CarnetPlugin {
  /** Restores the saved layout and opens the routed path; resolves when the shell is usable. */
  restore(): Promise<void>;
}

export function createLayoutPlugin(workspace: Workspace | null, route: Route): LayoutPlugin {
  let app: CarnetApp | null = null;
  let lastSaved = "";

  const snapshot = (a: CarnetApp): string => {
    const docs = new Map<string, DocRef>();
    const tabs = new Map<string, TabRef>();
    /** The saved key of a main-area widget; null for one that is not saved. */
    const keyOf = (w: Widget): string | null => {
      if (isDocument(w)) {
        const ref = { path: w.path.value, factory: w.viewerId };
        docs.set(docKey(ref), ref);
        return docKey(ref);
      }
      for (const kind of a.tabKinds.all()) {
        const saved = kind.save(w);
        if (saved === null) continue;
        const ref = { kind: kind.id, name: saved.name, data: saved.data ?? {} };
        tabs.set(tabKey(ref), ref);
        return tabKey(ref);
      }
      return null;
    };
    const config = a.shell.dock.saveLayout();
    const main = config.main === null ? null : mapArea(config.main, keyOf);
    const current = a.shell.currentInDock();
    const layout: SavedLayout = {
      main,
      current: current === null ? null : keyOf(current),
      leftCollapsed: a.shell.leftCollapsed.value,
      leftCurrent: a.shell.leftCurrentId,
      leftSize: a.shell.leftRelativeSize,
      docs,
      tabs,
    };
    return JSON.stringify({ ...a.state.values.value, ...toWorkspaceData(layout) });
  };

  const save = async (keepalive: boolean): Promise<void> => {
    if (app === null || app.mode !== "lab" || !restored) return;
    const text = snapshot(app);
    if (text === lastSaved) return;
    lastSaved = text;
    try {
      await saveWorkspace(app.conn, WORKSPACE_ID, JSON.parse(text) as Record<string, unknown>, keepalive);
    } catch (error: unknown) {
      lastSaved = "";
      if (!keepalive) console.warn("carnet: could not save the workspace", error);
    }
  };
  const scheduleSave = debounce(() => void save(false), 600);
  let restored = false;

  return {
    id: "@carnet/application-extension:layout",
    activate(a: CarnetApp) {
      app = a;
      a.commands.addCommand(C.resetLayout, {
        label: "Reset Layout",
        isVisible: () => a.mode === "lab",
        execute: () => {
          for (const w of [...a.shell.mainWidgets.value]) w.close();
          a.shell.activateLeft("filebrowser");
        },
      });
      a.menus.items.add({ id: "view:reset-layout", menu: "view", command: C.resetLayout, group: 9 });
      a.palette.add({ id: "palette:reset-layout", command: C.resetLayout, category: "Main Area" });
      if (a.mode !== "lab") return;
      a.shell.changed.connect(() => scheduleSave());
      effect(() => {
        for (const doc of a.docs.documents.value) void doc.path.value;
        scheduleSave();
      });
      effect(() => {
        void a.state.values.value;
        scheduleSave();
      });
      window.addEventListener("pagehide", () => {
        scheduleSave.cancel();
        void save(true);
      });
    },

    async restore() {
      const a = app;
      if (a === null) return;
      if (a.mode === "single") {
        a.shell.dock.mode = "single-document";
        a.shell.collapseLeft();
        const opened = await a.docs.open(route.path, route.kind === "edit" ? { viewer: "editor" } : {});
        if (opened === null) a.notify(`No viewer can open ${route.path}.`, "error");
        return;
      }
      if (a.mode === "tree") {
        // `carnet notebook`: the file browser and one document at a time, nothing saved.
        a.shell.dock.mode = "single-document";
        a.shell.activateLeft("filebrowser");
        let folder = "";
        if (route.path !== "") {
          const type = await pathType(a, route.path);
          if (type === "directory") folder = route.path;
          else if (type !== null) {
            folder = route.path.split("/").slice(0, -1).join("/");
            await a.docs.open(route.path);
          } else a.notify(`${route.path} does not exist.`, "error");
        }
        await a.commands.execute(C.goToPath, { path: folder });
        return;
      }
      const prepared = prepareKinds(a);
      const saved = workspace === null ? null : fromWorkspaceData(workspace.data);
      if (workspace !== null) a.state.load(stateOf(workspace.data));
      if (saved !== null) await restoreLayout(a, saved, prepared);
      const savedCwd = a.state.get(CWD_KEY);
      let folder =
        typeof savedCwd === "object" && savedCwd !== null && typeof (savedCwd as { path?: unknown }).path === "string"
          ? String((savedCwd as { path: string }).path)
          : "";
      let file: string | null = null;
      if (route.path !== "") {
        const type = await pathType(a, route.path);
        if (type === "directory") folder = route.path;
        else if (type !== null) file = route.path;
        else a.notify(`${route.path} does not exist.`, "error");
      }
      await a.commands.execute(C.goToPath, { path: folder });
      if (file !== null) await a.docs.open(file);
      await prepared;
      restored = true;
      lastSaved = snapshot(a);
    },
  };
}

/** Every tab kind's `prepare`: the layout, and the ready mark, wait for them. */
async function prepareKinds(app: CarnetApp): Promise<void> {
  await Promise.all(
    app.tabKinds.all().map((k) =>
      k.prepare?.().catch((error: unknown) => console.warn(`carnet: ${k.id}: ${describeError(error)}`)),
    ),
  );
}

/** The paths among `paths` that still exist, asking once per folder (files may be gone). */
async function existing(app: CarnetApp, paths: readonly string[]): Promise<Set<string>> {
  const folders = [...new Set(paths.map(dirname))];
  const listings = await Promise.all(
    folders.map((folder) => listDirectory(app.conn, folder).catch(() => [])),
  );
  return new Set(listings.flat().map((e) => e.path));
}

async function restoreLayout(app: CarnetApp, saved: SavedLayout, prepared: Promise<void>): Promise<void> {
  const widgets = new Map<string, Widget>();
  const [present] = await Promise.all([existing(app, [...saved.docs.values()].map((r) => r.path)), prepared]);
  for (const [key, ref] of saved.tabs) {
    const kind = app.tabKinds.get(ref.kind);
    if (kind === undefined) continue;
    try {
      const widget = await kind.restore(ref.name, ref.data);
      if (widget !== null) widgets.set(key, widget);
    } catch (error: unknown) {
      console.warn(`carnet: could not restore the tab ${key}: ${describeError(error)}`);
    }
  }
  for (const [key, ref] of saved.docs) {
    if (!present.has(ref.path)) continue;
    const viewer = app.viewers.get(ref.factory);
    if (viewer === undefined) continue;
    const fileType = app.fileTypes.forPath(ref.path);
    if (!viewer.canOpen(fileType, ref.path)) continue;
    try {
      widgets.set(key, await viewer.create({ path: ref.path, fileType }));
    } catch (error: unknown) {
      console.warn(`carnet: could not restore ${ref.path}: ${describeError(error)}`);
    }
  }
  const main = saved.main === null ? null : mapArea(saved.main, (k) => widgets.get(k) ?? null);
  const current = saved.current === null ? null : (widgets.get(saved.current) ?? null);
  app.shell.restoreMain(main as DockLayout.AreaConfig | null, current);
  for (const w of widgets.values()) {
    if (w.parent === null) w.dispose();
  }
  if (saved.leftSize !== null) app.shell.setLeftSize(saved.leftSize);
  if (saved.leftCollapsed) app.shell.collapseLeft();
  else if (saved.leftCurrent !== null) app.shell.activateLeft(saved.leftCurrent);
}

/** The workspace's entries that are not layout: the state database's values. */
function stateOf(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key !== LAYOUT_KEY && !isLayoutEntry(value)) out[key] = value;
  }
  return out;
}

/** "directory", "file" or "notebook"; null when missing. Asks the parent folder's listing. */
async function pathType(app: CarnetApp, path: string): Promise<string | null> {
  try {
    const entries = await listDirectory(app.conn, dirname(path));
    return entries.find((e) => e.path === path)?.type ?? null;
  } catch (error: unknown) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return null;
    throw error;
  }
}
