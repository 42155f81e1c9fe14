/**
 * Theme (light, dark, or following the system) and font sizes. Both themes are sets of CSS
 * variables (style/theme.css); switching changes one attribute on <html>. Sizes are CSS
 * variables set through the CSSOM, which the page's CSP allows (style attributes it does not).
 */
import { effect, signal } from "@preact/signals-core";
import { CommandIds as C } from "../commands/ids";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";
import { describeError } from "../views/notify";

export const THEME_SETTINGS = "@carnet/apputils-extension:themes";

export type ThemeChoice = "light" | "dark" | "system";

export const appearancePlugin: CarnetPlugin = {
  id: "@carnet/apputils-extension:themes",
  activate(app: CarnetApp) {
    const { settings, commands } = app;
    settings.register({
      id: THEME_SETTINGS,
      title: "Appearance",
      rank: 10,
      fields: [
        {
          key: "theme",
          title: "Theme",
          type: "enum",
          default: "system",
          options: [
            { value: "light", label: "Light" },
            { value: "dark", label: "Dark" },
            { value: "system", label: "Follow the system" },
          ],
        },
        { key: "uiFontSize", title: "Interface font size (px)", type: "number", default: 13, min: 9, max: 24 },
        { key: "codeFontSize", title: "Code font size (px)", type: "number", default: 13, min: 8, max: 40 },
      ],
    });
    const theme = settings.watch<ThemeChoice>(THEME_SETTINGS, "theme");
    const uiFont = settings.watch<number>(THEME_SETTINGS, "uiFontSize");
    const codeFont = settings.watch<number>(THEME_SETTINGS, "codeFontSize");
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const systemDark = signal(media.matches);
    media.addEventListener("change", () => {
      systemDark.value = media.matches;
    });
    const root = document.documentElement;
    effect(() => {
      const choice = theme.value;
      const resolved = choice === "system" ? (systemDark.value ? "dark" : "light") : choice;
      root.dataset["theme"] = resolved;
      root.dataset["themeChoice"] = choice;
      root.style.colorScheme = resolved;
    });
    effect(() => {
      root.style.setProperty("--carnet-ui-font-size", `${uiFont.value}px`);
      root.style.setProperty("--carnet-code-font-size", `${codeFont.value}px`);
    });

    const set = (key: string, value: unknown): Promise<void> =>
      settings.set(THEME_SETTINGS, key, value).catch((e: unknown) => {
        app.notify(`Could not save the setting: ${describeError(e)}`, "error");
      });
    const names: Record<ThemeChoice, string> = {
      light: "Light Theme",
      dark: "Dark Theme",
      system: "System Theme",
    };
    commands.addCommand(C.setTheme, {
      label: (args) => names[(args["theme"] as ThemeChoice) ?? "system"] ?? "Theme",
      isToggled: (args) => theme.value === args["theme"],
      execute: (args) => set("theme", args["theme"]),
    });
    commands.addCommand(C.fontUp, {
      label: "Increase Code Font Size",
      execute: () => set("codeFontSize", Math.min(40, codeFont.value + 1)),
    });
    commands.addCommand(C.fontDown, {
      label: "Decrease Code Font Size",
      execute: () => set("codeFontSize", Math.max(8, codeFont.value - 1)),
    });
    app.menus.menus.add({ id: "settings-theme", label: "Theme", submenuOnly: true });
    const items = app.menus.items;
    items.add({ id: "settings:theme", menu: "settings", submenu: "settings-theme", group: 0, rank: 0 });
    (["light", "dark", "system"] as const).forEach((t, i) => {
      items.add({ id: `settings-theme:${t}`, menu: "settings-theme", command: C.setTheme, args: { theme: t }, rank: i });
      app.palette.add({ id: `palette:theme:${t}`, command: C.setTheme, args: { theme: t }, category: "Theme" });
    });
    items.add({ id: "settings:font-up", menu: "settings", command: C.fontUp, group: 1, rank: 0 });
    items.add({ id: "settings:font-down", menu: "settings", command: C.fontDown, group: 1, rank: 1 });
    app.palette.add({ id: "palette:font-up", command: C.fontUp, category: "Theme" });
    app.palette.add({ id: "palette:font-down", command: C.fontDown, category: "Theme" });
  },
};
