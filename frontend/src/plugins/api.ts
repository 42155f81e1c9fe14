/**
 * The plugin API: what a plugin gets and what it may extend. Core features (file browser,
 * editor, viewers, settings) are plugins written against this same surface, so anything they
 * do a third-party plugin can do too.
 *
 * ```ts
 * export const hello: CarnetPlugin = {
 *   id: "hello:plugin",
 *   activate(app) {
 *     app.commands.addCommand("hello:say", { label: "Say Hello", execute: () => app.notify("Hello") });
 *     app.palette.add({ id: "hello:say", command: "hello:say", category: "Help" });
 *     app.menus.items.add({ id: "help:hello", menu: "help", command: "hello:say" });
 *   },
 * };
 * ```
 */
import type { CommandRegistry } from "@lumino/commands";
import type { ContextMenu, Widget } from "@lumino/widgets";
import type { ReadonlySignal } from "@preact/signals-core";
import type { ComponentChild } from "preact";
import type { Connection } from "../api";
import type { Disposable } from "../model/registry";
import type { MimeRendererRegistry } from "../outputs/registry";
import type { KeymapService } from "../commands/keymap-service";
import type { MenuRegistry, PaletteItem } from "../commands/menus";
import type { FileTypeRegistry } from "../model/filetypes";
import type { Registry } from "../model/registry";
import type { SettingsRegistry } from "../model/settings";
import type { StateDB } from "../model/state";
import type { DocumentManager } from "../views/docmanager";
import type { Shell } from "../views/shell";
import type { ViewerRegistry } from "../views/viewers";

/** A side panel (left area): created once, on activation of the app. */
export interface SidePanel {
  readonly id: string;
  readonly rank?: number;
  create(): Widget;
}

/** An item of the status bar; `render` runs inside a Preact component (signals are live). */
export interface StatusItem {
  readonly id: string;
  readonly align: "left" | "right";
  readonly rank?: number;
  render(): ComponentChild;
}

/**
 * A kind of main-area tab that shows no file (a terminal, the settings editor…) and that the
 * layout saves and recreates on reload. Documents are saved by path and viewer instead.
 */
export interface TabKind {
  /** Part of the saved key ("terminal" -> "terminal:1"). */
  readonly id: string;
  readonly rank?: number;
  /** How to recreate `widget`, when it is of this kind: a name unique within the kind, and data. */
  save(widget: Widget): { readonly name: string; readonly data?: Record<string, unknown> } | null;
  /** Recreates a saved tab; null when it cannot be (the terminal has ended meanwhile). */
  restore(name: string, data: Readonly<Record<string, unknown>>): Widget | null | Promise<Widget | null>;
  /** Awaited once before a layout is restored (e.g. to learn which terminals still run). */
  prepare?(): Promise<void>;
}

/** A session in the running panel: a kernel, a terminal… */
export interface RunningItem {
  readonly id: string;
  readonly label: string;
  /** Its state ("idle", "busy"…), shown beside the label. */
  readonly detail?: string;
  readonly caption?: string;
}

/** A section of the running panel: one kind of server session, listed and shut down there. */
export interface RunningProvider {
  readonly id: string;
  /** The section's heading ("Kernels"). */
  readonly label: string;
  /** Said when the list is empty ("No kernels are running."). */
  readonly empty: string;
  readonly rank?: number;
  /** The sessions; null when the server offers no such service (the section is hidden). */
  readonly items: ReadonlySignal<readonly RunningItem[] | null>;
  /** Asks the server again (the panel polls while it is visible). */
  refresh(): Promise<void>;
  /** Opens a view of the session (a terminal tab), if it has one. */
  open?(id: string): void;
  shutdown(id: string): Promise<void>;
  shutdownAll(): Promise<void>;
}

export type AppMode = "lab" | "single" | "tree";

export interface CarnetApp {
  readonly conn: Connection;
  /** "single" for /notebooks, /edit and /view: one document, no side panels; "tree" for
   *  /tree (what `carnet notebook` opens): the file browser beside one document at a time. */
  readonly mode: AppMode;
  readonly commands: CommandRegistry;
  readonly keymap: KeymapService;
  readonly menus: MenuRegistry;
  readonly palette: Registry<PaletteItem>;
  readonly contextMenu: ContextMenu;
  readonly panels: Registry<SidePanel>;
  readonly viewers: ViewerRegistry;
  readonly fileTypes: FileTypeRegistry;
  readonly settings: SettingsRegistry;
  /** UI state saved with the workspace (not layout): see model/state.ts. */
  readonly state: StateDB;
  readonly statusItems: Registry<StatusItem>;
  /** Non-document tabs the layout saves and restores. */
  readonly tabKinds: Registry<TabKind>;
  /** Sections of the running panel (kernels, terminals…). */
  readonly running: Registry<RunningProvider>;
  readonly shell: Shell;
  readonly docs: DocumentManager;
  notify(message: string, kind?: "info" | "error"): void;
}

export interface CarnetPlugin {
  readonly id: string;
  activate(app: CarnetApp): void | Promise<void>;
}

/**
 * The major version of this API. It grows only when a change breaks plugins written for the
 * previous one; additions keep it. A plugin may export `apiVersion` (the version it was written
 * for): carnet refuses to activate one written for a newer major version, with a message.
 */
export const API_VERSION = 1;

/** A theme: CSS variables (`--carnet-bg`, `--cm-keyword`… see style/theme.css) over a base. */
export interface Theme {
  readonly id: string;
  readonly label: string;
  /** The built-in theme it starts from; its variables override that one's. */
  readonly base: "light" | "dark";
  readonly variables: Readonly<Record<string, string>>;
  readonly rank?: number;
}

/** Plugin themes; the active one is a setting, chosen from the palette ("Use Theme: …"). */
export interface ThemeRegistry {
  add(theme: Theme): Disposable;
  all(): Theme[];
  /** The active plugin theme's id, or "" for the built-in light/dark/system choice. */
  readonly current: ReadonlySignal<string>;
  use(id: string): Promise<void>;
}

/** Something in the main area with editable text (the text editor; `isTextSource`). */
export interface TextSource {
  /** Bumps on every change: read it inside an effect or a status item to follow edits. */
  readonly textVersion: ReadonlySignal<number>;
  getText(): string;
}

/** The app as a third-party plugin sees it: `CarnetApp` plus what only plugins need. */
export interface PluginApp extends CarnetApp {
  /** carnet's version ("0.1.0"). */
  readonly version: string;
  /** `API_VERSION` of the running carnet. */
  readonly apiVersion: number;
  /** This plugin: its name and the URL of its module. */
  readonly plugin: { readonly name: string; readonly url: string };
  /** The renderers of outputs by MIME type (notebooks, console). */
  readonly outputRenderers: MimeRendererRegistry;
  readonly themes: ThemeRegistry;
  /** A URL for a file of this plugin's folder (`resolve("icon.svg")`). */
  resolve(path: string): string;
  /** Adds CSS to the page (a constructed stylesheet, which the page's CSP allows). */
  addStyle(css: string): Disposable;
}

/**
 * What a plugin's ES module exports: `activate` (required), `deactivate`, `apiVersion`.
 * A default export with the same members works too.
 */
export interface PluginModule {
  readonly apiVersion?: number;
  activate(app: PluginApp): void | Promise<void>;
  deactivate?(app: PluginApp): void | Promise<void>;
}
