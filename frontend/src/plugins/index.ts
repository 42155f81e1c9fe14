/**
 * The public plugin API (see api.ts). Plugins import only from here: third-party plugins as
 * the bare specifier "carnet", which the page's import map points at this module's build, so
 * they share the app's instances (its `DocumentWidget` class, its command ids…).
 */
import type { ReadonlySignal } from "@preact/signals-core";
import type { TextSource } from "./api";

export type {
  AppMode,
  CarnetApp,
  CarnetPlugin,
  PluginApp,
  PluginModule,
  RunningItem,
  RunningProvider,
  SidePanel,
  StatusItem,
  TabKind,
  TextSource,
  Theme,
  ThemeRegistry,
} from "./api";
export { API_VERSION } from "./api";
export type { KeyBinding, ShortcutOverride } from "../model/keymap";
export type { FileKind, FileType } from "../model/filetypes";
export type { Disposable, Ranked } from "../model/registry";
export { Registry } from "../model/registry";
export type { SettingField, SettingsSchema } from "../model/settings";
export type { MenuItemSpec, MenuSpec, PaletteItem } from "../commands/menus";
export type { Viewer, ViewerContext } from "../views/viewers";
export type { MimeRenderer, RenderContext } from "../outputs/registry";
export { DocumentWidget } from "../views/document";
export { type KernelTab, isKernelTab } from "../views/kernel-tab";
export { CommandIds } from "../commands/ids";
export { ApiError, type Connection, apiUrl, requestJson } from "../api";

/** Whether `widget` (say `app.shell.current.value`) has editable text to read. */
export function isTextSource(widget: unknown): widget is TextSource {
  if (typeof widget !== "object" || widget === null) return false;
  const w = widget as { textVersion?: ReadonlySignal<number>; getText?: unknown };
  return typeof w.getText === "function" && typeof w.textVersion === "object" && w.textVersion !== null && "value" in w.textVersion;
}
