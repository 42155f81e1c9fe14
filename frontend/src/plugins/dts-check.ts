/**
 * Keeps the published declarations (src/carnet/plugins/carnet.d.ts, module "carnet") true:
 * tsc fails here when the app no longer provides what they promise, or no longer accepts what
 * they let a plugin pass in. Types only; nothing of this file reaches the bundle.
 */
/// <reference path="../../../src/carnet/plugins/carnet.d.ts" />
import type * as Public from "carnet";
import type * as Real from "./index";

type Assert<T extends true> = T;
type Extends<A, B> = [A] extends [B] ? true : false;

// What carnet gives a plugin satisfies the declarations.
export type Checks = [
  Assert<Extends<Real.PluginApp, Public.PluginApp>>,
  Assert<Extends<typeof Real.API_VERSION, typeof Public.API_VERSION>>,
  Assert<Extends<typeof Real.isTextSource, typeof Public.isTextSource>>,
  Assert<Extends<typeof Real.requestJson, typeof Public.requestJson>>,
  Assert<Extends<typeof Real.apiUrl, typeof Public.apiUrl>>,
  // What a plugin may hand to carnet, per the declarations, carnet accepts.
  Assert<Extends<Public.StatusItem, Real.StatusItem>>,
  Assert<Extends<Public.SidePanel, Real.SidePanel>>,
  Assert<Extends<Public.TabKind, Real.TabKind>>,
  Assert<Extends<Public.RunningProvider, Real.RunningProvider>>,
  Assert<Extends<Public.MenuItemSpec, Real.MenuItemSpec>>,
  Assert<Extends<Public.MenuSpec, Real.MenuSpec>>,
  Assert<Extends<Public.PaletteItem, Real.PaletteItem>>,
  Assert<Extends<Public.KeyBinding, Real.KeyBinding>>,
  Assert<Extends<Public.FileType, Real.FileType>>,
  Assert<Extends<Public.SettingsSchema, Real.SettingsSchema>>,
  Assert<Extends<Public.MimeRenderer, Real.MimeRenderer>>,
  Assert<Extends<Public.Theme, Real.Theme>>,
  Assert<Extends<Public.PluginModule, Real.PluginModule>>,
];
