/**
 * Loads third-party plugins: asks the server for the list (`api/carnet/plugins`), imports each
 * enabled plugin's ES module (its bare imports — "preact", "@lumino/widgets", "carnet"… — resolve
 * through the page's import map to the app's own copies), and activates it with a `PluginApp`.
 *
 * Isolation: everything a plugin registers through the app is tracked. A plugin whose import or
 * `activate` throws (or takes longer than `ACTIVATE_TIMEOUT_MS`), or whose status item or side
 * panel throws later, is disabled: what it registered is removed, a notice says so, and the app
 * carries on. `unload(name)` does the same on request, after calling its `deactivate`.
 */
import { Widget } from "@lumino/widgets";
import { type Connection, apiUrl, getVersion, isRecord, requestJson } from "../api";
import type { Disposable } from "../model/registry";
import type { MimeRendererRegistry } from "../outputs/registry";
import { describeError } from "../views/notify";
import { API_VERSION, type CarnetApp, type PluginApp, type PluginModule, type SidePanel, type StatusItem } from "./api";
import { Themes } from "./themes";

export const ACTIVATE_TIMEOUT_MS = 10_000;
/** `{name}`: calls the plugin's `deactivate` and removes what it added, until the next load. */
export const UNLOAD_COMMAND = "plugins:unload";

export interface PluginListing {
  readonly name: string;
  readonly enabled: boolean;
  /** The module's URL below the base URL; null for server-only plugins. */
  readonly url: string | null;
  readonly error: string | null;
}

export interface PluginList {
  readonly plugins: readonly PluginListing[];
}

/** A module imported (or not) for a listed plugin. */
interface Imported {
  readonly listing: PluginListing;
  readonly url: string;
  readonly module?: PluginModule;
  readonly error?: unknown;
}

interface Active {
  readonly name: string;
  readonly module: PluginModule;
  readonly app: PluginApp;
  readonly disposables: Disposable[];
  /** The host's own registrations for it (its "Unload Plugin" palette entry). */
  readonly own: Disposable[];
}

export async function fetchPluginList(conn: Connection): Promise<PluginList> {
  const body = await requestJson(conn, "api/carnet/plugins");
  const plugins: PluginListing[] = [];
  const items = isRecord(body) && Array.isArray(body["plugins"]) ? body["plugins"] : [];
  for (const p of items as unknown[]) {
    if (!isRecord(p) || typeof p["name"] !== "string") continue;
    plugins.push({
      name: p["name"],
      enabled: p["enabled"] === true,
      url: typeof p["url"] === "string" ? p["url"] : null,
      error: typeof p["error"] === "string" ? p["error"] : null,
    });
  }
  return { plugins };
}

/** Imports every enabled plugin's module in parallel; failures are kept, not thrown. */
export async function importPlugins(conn: Connection, list: PluginList): Promise<Imported[]> {
  const wanted = list.plugins.filter((p) => p.enabled && p.url !== null && p.error === null);
  return Promise.all(
    wanted.map(async (listing): Promise<Imported> => {
      const url = apiUrl(conn, listing.url ?? "");
      try {
        const module = moduleOf(await withTimeout(import(/* @vite-ignore */ url), `importing ${url}`));
        return { listing, url, module };
      } catch (error: unknown) {
        return { listing, url, error };
      }
    }),
  );
}

function moduleOf(ns: unknown): PluginModule {
  const candidates = isRecord(ns) ? [ns, ns["default"], ns["plugin"]] : [];
  for (const c of candidates) {
    if (isRecord(c) && typeof c["activate"] === "function") return c as unknown as PluginModule;
  }
  throw new Error("the module exports no activate(app) function");
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${ACTIVATE_TIMEOUT_MS / 1000} s`)), ACTIVATE_TIMEOUT_MS);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function isDisposable(value: unknown): value is Disposable {
  return typeof value === "object" && value !== null && typeof (value as { dispose?: unknown }).dispose === "function";
}

/**
 * `target` seen through a proxy that records every disposable its methods return (what
 * `addCommand`, `add`, `register`, `addKeyBinding`… hand back), so a plugin's registrations can
 * be undone. `wrap` may replace arguments (to guard a status item's `render`).
 */
function tracked<T extends object>(target: T, track: (d: Disposable) => void, wrap?: (args: unknown[]) => unknown[]): T {
  return new Proxy(target, {
    get(obj, prop) {
      const value: unknown = Reflect.get(obj, prop, obj);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(obj, wrap ? wrap(args) : args);
        if (isDisposable(result)) track(result);
        return result;
      };
    },
  });
}

export interface HostDeps {
  readonly app: CarnetApp;
  readonly outputRenderers: MimeRendererRegistry;
  readonly carnetVersion: string;
}

/** The running third-party plugins. */
export class PluginHost {
  readonly themes: Themes;
  private readonly active = new Map<string, Active>();

  constructor(private readonly deps: HostDeps) {
    this.themes = new Themes(deps.app.settings, deps.app.commands, deps.app.palette);
    deps.app.commands.addCommand(UNLOAD_COMMAND, {
      label: (args) => `Unload Plugin: ${String(args["name"])}`,
      caption: "Until the page is reloaded; `carnet plugin disable NAME` turns it off for good",
      execute: (args) => this.unload(String(args["name"])),
    });
  }

  /** Names of the plugins that are active now. */
  get names(): string[] {
    return [...this.active.keys()];
  }

  async activate(imported: readonly Imported[]): Promise<void> {
    for (const item of imported) {
      const name = item.listing.name;
      if (item.module === undefined) {
        this.fail(name, item.error);
        continue;
      }
      const entry: Active = { name, module: item.module, app: this.appFor(name, item.url), disposables: [], own: [] };
      this.active.set(name, entry);
      try {
        const wanted = item.module.apiVersion;
        if (typeof wanted === "number" && wanted > API_VERSION) {
          throw new Error(`it needs plugin API ${wanted}; this carnet has ${API_VERSION}`);
        }
        await withTimeout(Promise.resolve(item.module.activate(entry.app)), "activate()");
        entry.own.push(
          this.deps.app.palette.add({ id: `${UNLOAD_COMMAND}:${name}`, command: UNLOAD_COMMAND, args: { name }, category: "Plugins" }),
        );
        document.documentElement.dataset["carnetPlugins"] = this.names.join(" ");
      } catch (error: unknown) {
        this.fail(name, error);
      }
    }
  }

  /** Calls the plugin's `deactivate` and removes what it registered. */
  async unload(name: string): Promise<void> {
    const entry = this.active.get(name);
    if (entry === undefined) return;
    try {
      await entry.module.deactivate?.(entry.app);
    } finally {
      this.dispose(name);
    }
  }

  private dispose(name: string): void {
    const entry = this.active.get(name);
    if (entry === undefined) return;
    this.active.delete(name);
    for (const d of [...entry.own.splice(0), ...entry.disposables.splice(0).reverse()]) {
      try {
        d.dispose();
      } catch (error: unknown) {
        console.warn(`carnet: cleaning up plugin ${name}`, error);
      }
    }
    document.documentElement.dataset["carnetPlugins"] = this.names.join(" ");
  }

  /** Disables a failing plugin: a visible notice, its registrations removed. */
  private fail(name: string, error: unknown): void {
    console.warn(`carnet: plugin ${name} failed and was disabled`, error);
    this.deps.app.notify(`Plugin ${name} failed and was disabled: ${describeError(error)}`, "error");
    this.dispose(name);
  }

  private appFor(name: string, url: string): PluginApp {
    const { app } = this.deps;
    const track = (d: Disposable): void => {
      this.active.get(name)?.disposables.push(d);
    };
    // A throw in a status item's render or a panel's create would break the whole bar or the
    // side area: the plugin is disabled instead (after this render, outside of it).
    const guard = <F extends (...a: never[]) => unknown>(f: F, fallback: unknown): F =>
      ((...a: Parameters<F>) => {
        try {
          return f(...a);
        } catch (error: unknown) {
          queueMicrotask(() => this.fail(name, error));
          return fallback;
        }
      }) as F;
    const guardStatus = (args: unknown[]): unknown[] => {
      const item = args[0] as StatusItem;
      return [Object.assign(Object.create(item) as StatusItem, { render: guard(item.render.bind(item), null) })];
    };
    // A side panel's widget leaves the side bar with the plugin; one whose `create` throws
    // gets an empty stand-in (the shell needs a widget), removed with the plugin.
    const guardPanel = (args: unknown[]): unknown[] => {
      const panel = args[0] as SidePanel;
      const create = (): Widget => {
        let widget: Widget;
        try {
          widget = panel.create();
        } catch (error: unknown) {
          widget = new Widget();
          queueMicrotask(() => this.fail(name, error));
        }
        track({
          dispose: () => {
            app.shell.leftBar.removeTab(widget.title);
            widget.dispose();
          },
        });
        return widget;
      };
      return [Object.assign(Object.create(panel) as SidePanel, { create })];
    };
    const menus = tracked(app.menus, track);
    const scoped: PluginApp = Object.assign(Object.create(app) as CarnetApp, {
      commands: tracked(app.commands, track),
      keymap: tracked(app.keymap, track),
      menus: Object.assign(Object.create(menus) as typeof menus, {
        menus: tracked(app.menus.menus, track),
        items: tracked(app.menus.items, track),
      }),
      palette: tracked(app.palette, track),
      contextMenu: tracked(app.contextMenu, track),
      panels: tracked(app.panels, track, guardPanel),
      viewers: tracked(app.viewers, track),
      fileTypes: tracked(app.fileTypes, track),
      settings: tracked(app.settings, track),
      statusItems: tracked(app.statusItems, track, guardStatus),
      tabKinds: tracked(app.tabKinds, track),
      running: tracked(app.running, track),
      outputRenderers: tracked(this.deps.outputRenderers, track),
      themes: tracked(this.themes, track),
      version: this.deps.carnetVersion,
      apiVersion: API_VERSION,
      plugin: { name, url },
      resolve: (path: string) => new URL(path, url).href,
      addStyle: (css: string): Disposable => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        const d = {
          dispose: () => {
            document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
          },
        };
        track(d);
        return d;
      },
      notify: (message: string, kind?: "info" | "error") => app.notify(message, kind),
    });
    return scoped;
  }
}

/**
 * Loads and activates the third-party plugins; never throws (a failure to list them is a
 * notice). Returns the host, or null when there is nothing to load.
 */
export async function loadPlugins(app: CarnetApp, listing: Promise<PluginList>): Promise<PluginHost | null> {
  let list: PluginList;
  try {
    list = await listing;
  } catch (error: unknown) {
    app.notify(`Could not list the plugins: ${describeError(error)}`, "error");
    return null;
  }
  for (const p of list.plugins) {
    if (p.enabled && p.error !== null) app.notify(`Plugin ${p.name} cannot load: ${p.error}`, "error");
  }
  if (!list.plugins.some((p) => p.enabled && p.url !== null && p.error === null)) return null;
  const [imported, outputs, version] = await Promise.all([
    importPlugins(app.conn, list),
    import("../outputs"),
    getVersion(app.conn).catch(() => ""),
  ]);
  const host = new PluginHost({ app, outputRenderers: outputs.outputRenderers, carnetVersion: version });
  await host.activate(imported);
  return host;
}
