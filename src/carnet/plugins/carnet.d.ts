/**
 * Types of carnet's plugin API, for plugins written in TypeScript (or checked with JSDoc).
 * Copy this file next to your plugin (or reference it from your tsconfig `files`); it ships in
 * carnet's wheel as `carnet/plugins/carnet.d.ts`. Plugins import "carnet", "preact",
 * "@preact/signals-core", "@lumino/widgets"… as bare specifiers: at run time the page's import
 * map gives them carnet's own copies; for types, install those packages as devDependencies.
 *
 * The API is versioned: `API_VERSION` (here 1) changes only when something breaks plugins.
 * carnet's build checks that its real objects satisfy these declarations
 * (frontend/src/plugins/dts-check.ts), so this file cannot drift from the code.
 */
declare module "carnet" {
  import type { CommandRegistry } from "@lumino/commands";
  import { type ContextMenu, type DockPanel, type MenuBar, Widget } from "@lumino/widgets";
  import type { ReadonlySignal, Signal } from "@preact/signals-core";
  import type { ComponentChild } from "preact";

  export const API_VERSION: 1;

  export interface Disposable {
    dispose(): void;
  }

  /** An item with a unique id; lower `rank` sorts first (default 100). */
  export interface Ranked {
    readonly id: string;
    readonly rank?: number;
  }

  /** A registry of extension values; `add` throws if the id is taken. */
  export class Registry<T extends Ranked> {
    constructor(name: string);
    readonly name: string;
    readonly version: ReadonlySignal<number>;
    add(item: T): Disposable;
    get(id: string): T | undefined;
    has(id: string): boolean;
    all(): T[];
  }

  export interface Connection {
    /** The server's base URL, "/"-terminated. */
    readonly baseUrl: string;
  }

  export class ApiError extends Error {
    readonly status: number;
    readonly reason: string | null;
    readonly unauthenticated: boolean;
  }

  /** `path` (e.g. "api/my-plugin/items") below the base URL. */
  export function apiUrl(conn: Connection, path: string): string;

  /** A JSON request with the login cookie and the XSRF header; throws `ApiError`. */
  export function requestJson(
    conn: Connection,
    path: string,
    options?: { readonly method?: string; readonly body?: unknown; readonly signal?: AbortSignal },
  ): Promise<unknown>;

  export interface KeyBinding {
    readonly command: string;
    /** e.g. ["Accel Shift W"], or a chord ["Accel K", "Accel S"]. */
    readonly keys: readonly string[];
    /** Where it applies: "body" everywhere, ".carnet-Editor" in editors… */
    readonly selector: string;
    readonly args?: Readonly<Record<string, unknown>>;
  }

  export interface KeymapService {
    /** Default shortcuts (users may override them in the shortcut editor). */
    addDefaults(bindings: readonly KeyBinding[]): Disposable;
  }

  export interface MenuSpec {
    readonly id: string;
    readonly label: string;
    readonly mnemonic?: number;
    readonly rank?: number;
  }

  export interface MenuItemSpec {
    readonly id: string;
    /** "file", "edit", "view", "run", "kernel", "tabs", "settings", "help", or yours. */
    readonly menu: string;
    readonly command?: string;
    readonly args?: Readonly<Record<string, unknown>>;
    readonly submenu?: string;
    readonly group?: number;
    readonly rank?: number;
  }

  export interface MenuRegistry {
    readonly menus: Registry<MenuSpec>;
    readonly items: Registry<MenuItemSpec>;
  }

  export interface PaletteItem {
    readonly id: string;
    readonly command: string;
    readonly category: string;
    readonly args?: Readonly<Record<string, unknown>>;
    readonly rank?: number;
  }

  export type FileKind = "text" | "notebook" | "markdown" | "json" | "csv" | "image" | "pdf" | "html" | "binary";

  export interface FileType {
    readonly id: string;
    readonly label: string;
    /** Lower-case, with the dot: [".py"]. */
    readonly extensions: readonly string[];
    readonly kind: FileKind;
    readonly language?: string;
    readonly badge?: string;
    readonly rank?: number;
  }

  /** The base of every tab that shows a file; subclass it for a viewer. */
  export abstract class DocumentWidget extends Widget {
    constructor(viewerId: string, path: string);
    readonly viewerId: string;
    readonly path: Signal<string>;
    readonly dirty: Signal<boolean>;
    /** "" while loading, then "saved", "modified", "saving", "read-only" or "error". */
    readonly saveState: Signal<"" | "saved" | "modified" | "saving" | "read-only" | "error">;
    readonly position: Signal<string>;
    get canSave(): boolean;
    save(): Promise<void>;
    reload(): Promise<void>;
    setPath(path: string): void;
    /** Shows the tab (Lumino's Widget) with the file's name and path as title. Call the
     *  protected `markRendered()` once the content is shown (tests and benchmarks wait on it). */
  }

  export interface ViewerContext {
    readonly path: string;
    readonly fileType: FileType;
  }

  /** A way to show a file in a tab ("Open With" lists every viewer that can). */
  export interface Viewer {
    readonly id: string;
    readonly label: string;
    readonly rank?: number;
    canOpen(fileType: FileType, path: string): boolean;
    isDefaultFor(fileType: FileType, path: string): boolean;
    create(context: ViewerContext): DocumentWidget | Promise<DocumentWidget>;
  }

  export interface SettingField {
    readonly key: string;
    readonly title: string;
    readonly description?: string;
    readonly type: "boolean" | "number" | "string" | "enum" | "json";
    readonly default: unknown;
    readonly options?: readonly { readonly value: string; readonly label: string }[];
    readonly min?: number;
    readonly max?: number;
    readonly hidden?: boolean;
  }

  export interface SettingsSchema {
    /** "@scope/package:plugin": where the values are stored on the server. */
    readonly id: string;
    readonly title: string;
    readonly rank?: number;
    readonly fields: readonly SettingField[];
  }

  export interface SettingsRegistry {
    /** Shows the schema in the settings editor; values persist per user on the server. */
    register(schema: SettingsSchema): Disposable;
    watch<T = unknown>(id: string, key: string): ReadonlySignal<T>;
    get<T = unknown>(id: string, key: string): T;
    set(id: string, key: string, value: unknown): Promise<void>;
  }

  /** Small UI state saved with the workspace. */
  export interface StateDB {
    get(key: string): unknown;
    set(key: string, value: unknown): void;
  }

  export type InsertMode = "tab-after" | "split-right" | "split-bottom" | "split-left" | "split-top";

  export interface Shell {
    readonly menuBar: MenuBar;
    readonly dock: DockPanel;
    /** The main-area widget that has (or last had) focus. */
    readonly current: ReadonlySignal<Widget | null>;
    readonly mainWidgets: ReadonlySignal<readonly Widget[]>;
    /** Adds a main-area widget (a tab). */
    addToMain(widget: Widget, options?: { readonly mode?: InsertMode; readonly ref?: Widget | null; readonly activate?: boolean }): void;
    activate(widget: Widget): void;
    /** Shows a side panel by its widget id. */
    activateLeft(id: string): void;
  }

  export interface DocumentManager {
    readonly active: ReadonlySignal<DocumentWidget | null>;
    readonly documents: ReadonlySignal<readonly DocumentWidget[]>;
    find(path: string, viewer?: string): DocumentWidget | undefined;
    open(path: string, options?: { readonly viewer?: string; readonly mode?: InsertMode; readonly activate?: boolean }): Promise<DocumentWidget | null>;
  }

  /** A side panel (left area): `create` runs once. */
  export interface SidePanel {
    readonly id: string;
    readonly rank?: number;
    create(): Widget;
  }

  /** A status-bar item; `render` runs in a Preact component (signals read there are live). */
  export interface StatusItem {
    readonly id: string;
    readonly align: "left" | "right";
    readonly rank?: number;
    render(): ComponentChild;
  }

  /** A non-file main-area tab the layout saves and restores. */
  export interface TabKind {
    readonly id: string;
    readonly rank?: number;
    save(widget: Widget): { readonly name: string; readonly data?: Record<string, unknown> } | null;
    restore(name: string, data: Readonly<Record<string, unknown>>): Widget | null | Promise<Widget | null>;
    prepare?(): Promise<void>;
  }

  export interface RunningItem {
    readonly id: string;
    readonly label: string;
    readonly detail?: string;
    readonly caption?: string;
  }

  export interface RunningProvider {
    readonly id: string;
    readonly label: string;
    readonly empty: string;
    readonly rank?: number;
    readonly items: ReadonlySignal<readonly RunningItem[] | null>;
    refresh(): Promise<void>;
    open?(id: string): void;
    shutdown(id: string): Promise<void>;
    shutdownAll(): Promise<void>;
  }

  export interface RenderContext {
    readonly conn: Connection;
    /** Trusted output (code the user ran, a trusted notebook): may run active content. */
    readonly trusted: boolean;
    readonly metadata: Readonly<Record<string, unknown>>;
  }

  /** Renders outputs of some MIME types; a rank below 100 beats the built-in renderers. */
  export interface MimeRenderer extends Ranked {
    readonly mimeTypes: readonly string[];
    render(data: unknown, mimeType: string, context: RenderContext): HTMLElement;
  }

  export interface Theme {
    readonly id: string;
    readonly label: string;
    readonly base: "light" | "dark";
    /** CSS variables: "--carnet-bg", "--carnet-fg", "--carnet-accent", "--cm-keyword"… */
    readonly variables: Readonly<Record<string, string>>;
    readonly rank?: number;
  }

  export interface ThemeRegistry {
    add(theme: Theme): Disposable;
    all(): Theme[];
    readonly current: ReadonlySignal<string>;
    use(id: string): Promise<void>;
  }

  /** Tabs with editable text (the text editor): see `isTextSource`. */
  export interface TextSource {
    /** Bumps on every edit (the first load shows as `saveState` becoming "saved"). */
    readonly textVersion: ReadonlySignal<number>;
    getText(): string;
  }

  export function isTextSource(widget: unknown): widget is TextSource;

  export type AppMode = "lab" | "single" | "tree";

  /** What `activate(app)` gets. Everything a plugin adds through it is removed if it fails. */
  export interface PluginApp {
    /** carnet's version. */
    readonly version: string;
    readonly apiVersion: number;
    readonly plugin: { readonly name: string; readonly url: string };
    readonly conn: Connection;
    readonly mode: AppMode;
    /** Commands: `addCommand(id, {label, execute, isEnabled…})` (Lumino). */
    readonly commands: CommandRegistry;
    readonly keymap: KeymapService;
    readonly menus: MenuRegistry;
    readonly palette: Registry<PaletteItem>;
    readonly contextMenu: ContextMenu;
    readonly panels: Registry<SidePanel>;
    readonly viewers: Registry<Viewer>;
    readonly fileTypes: Registry<FileType>;
    readonly settings: SettingsRegistry;
    readonly state: StateDB;
    readonly statusItems: Registry<StatusItem>;
    readonly tabKinds: Registry<TabKind>;
    readonly running: Registry<RunningProvider>;
    readonly outputRenderers: Registry<MimeRenderer>;
    readonly themes: ThemeRegistry;
    readonly shell: Shell;
    readonly docs: DocumentManager;
    notify(message: string, kind?: "info" | "error"): void;
    /** A URL for a file in this plugin's folder. */
    resolve(path: string): string;
    /** Adds CSS (a constructed stylesheet: the page's CSP allows no <style>). */
    addStyle(css: string): Disposable;
  }

  /** What a plugin module exports (or its default export). */
  export interface PluginModule {
    readonly apiVersion?: number;
    activate(app: PluginApp): void | Promise<void>;
    deactivate?(app: PluginApp): void | Promise<void>;
  }
}
