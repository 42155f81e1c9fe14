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
import type { ComponentChild } from "preact";
import type { Connection } from "../api";
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

export type AppMode = "lab" | "single";

export interface CarnetApp {
  readonly conn: Connection;
  /** "single" for /notebooks, /edit and /view: one document, no side panels. */
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
  readonly shell: Shell;
  readonly docs: DocumentManager;
  notify(message: string, kind?: "info" | "error"): void;
}

export interface CarnetPlugin {
  readonly id: string;
  activate(app: CarnetApp): void | Promise<void>;
}
