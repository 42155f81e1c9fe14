/** The public plugin API (see api.ts); plugins import only from here. */
export type {
  AppMode,
  CarnetApp,
  CarnetPlugin,
  RunningItem,
  RunningProvider,
  SidePanel,
  StatusItem,
  TabKind,
} from "./api";
export type { KeyBinding, ShortcutOverride } from "../model/keymap";
export type { FileKind, FileType } from "../model/filetypes";
export type { SettingField, SettingsSchema } from "../model/settings";
export type { MenuItemSpec, MenuSpec, PaletteItem } from "../commands/menus";
export type { Viewer, ViewerContext } from "../views/viewers";
export { DocumentWidget } from "../views/document";
export { type KernelTab, isKernelTab } from "../views/kernel-tab";
export { CommandIds } from "../commands/ids";
