/**
 * carnet's page: reads the base URL, fetches the user's settings and workspace in parallel,
 * activates the plugins (core features are plugins too), mounts the shell, restores the
 * layout, and marks `<body data-carnet-ready="1">` once the shell is usable.
 */
import "./style/index.css";
import { ApiError, type Workspace, getWorkspace, listSettings, saveSettings } from "./api";
import { appearancePlugin } from "./core/appearance";
import { editorPlugin } from "./core/editor";
import { fileBrowserPlugin } from "./core/filebrowser";
import { notebookPlugin } from "./core/notebook";
import { WORKSPACE_ID, createLayoutPlugin } from "./core/layout";
import { historyPlugin } from "./core/history";
import { hubPlugin } from "./core/hub";
import { inspectorPlugin } from "./core/inspector";
import { metricsPlugin } from "./core/metrics";
import { runningPlugin } from "./core/running";
import { settingsPlugin } from "./core/settings";
import { shellPlugin } from "./core/shell";
import { terminalPlugin } from "./core/terminal";
import { consolePlugin } from "./core/console";
import { tocPlugin } from "./core/toc";
import { viewersPlugin } from "./core/viewers";
import { parseRoute } from "./model/route";
import { fetchPluginList, loadPlugins } from "./plugins/loader";
import { SettingsRegistry, settingsRaw } from "./model/settings";
import { readBaseUrl } from "./util/base-url";
import { READY_EVENT } from "./util/ready";
import { App } from "./views/app";

async function start(root: HTMLElement): Promise<void> {
  const conn = { baseUrl: readBaseUrl() };
  const route = parseRoute(window.location.pathname, conn.baseUrl);
  // Third-party plugins (carnet/plugins, entry points): listed while the rest loads.
  const pluginList = fetchPluginList(conn);
  pluginList.catch(() => undefined); // reported by loadPlugins
  let stored: Map<string, Record<string, unknown>>;
  let workspace: Workspace | null = null;
  try {
    [stored, workspace] = await Promise.all([
      listSettings(conn),
      route.mode === "lab" ? getWorkspace(conn, WORKSPACE_ID) : Promise.resolve(null),
    ]);
  } catch (error: unknown) {
    if (error instanceof ApiError && error.unauthenticated) {
      const next = window.location.pathname + window.location.search;
      window.location.assign(`${conn.baseUrl}login?next=${encodeURIComponent(next)}`);
      return;
    }
    showFatal(root, error);
    return;
  }
  const settings = new SettingsRegistry(
    { save: (id, values) => saveSettings(conn, id, settingsRaw(values)) },
    stored,
  );
  const app = new App(conn, route.mode, settings);
  const layout = createLayoutPlugin(workspace, route);
  await app.activate([
    appearancePlugin,
    shellPlugin,
    fileBrowserPlugin,
    runningPlugin,
    tocPlugin,
    editorPlugin,
    notebookPlugin,
    historyPlugin,
    viewersPlugin,
    settingsPlugin,
    terminalPlugin,
    consolePlugin,
    inspectorPlugin,
    metricsPlugin,
    hubPlugin,
    layout,
  ]);
  await loadPlugins(app, pluginList);
  root.replaceChildren();
  app.attach(root);
  try {
    await layout.restore();
  } catch (error: unknown) {
    app.notify(`Could not restore the layout: ${error instanceof Error ? error.message : String(error)}`, "error");
  }
  document.body.dataset["carnetReady"] = "1";
  window.dispatchEvent(new Event(READY_EVENT));
}

function showFatal(root: HTMLElement, error: unknown): void {
  const p = document.createElement("p");
  p.className = "carnet-Fatal";
  p.setAttribute("role", "alert");
  p.textContent = `carnet could not reach its server: ${error instanceof Error ? error.message : String(error)}`;
  root.replaceChildren(p);
}

const root = document.getElementById("carnet-root");
if (root !== null) {
  void start(root);
}
