/**
 * Keymaps are data (style.md rule 11): a binding names a command, its keys (Lumino's
 * "Accel Shift C" notation; Accel is Cmd on macOS and Ctrl elsewhere) and the CSS selector
 * of where it applies. The user's changes are overrides keyed by command and selector, kept in
 * the shortcuts settings, and merged over the defaults here.
 */

export interface KeyBinding {
  readonly command: string;
  /** Keystrokes in sequence, e.g. ["Accel S"] or ["Accel K", "Accel S"] for a chord. */
  readonly keys: readonly string[];
  /** Where the binding is active (".carnet-Editor" for editor-only keys; "body" for all). */
  readonly selector: string;
  readonly args?: Readonly<Record<string, unknown>>;
}

/** A user's change to one binding; empty `keys` disables it. */
export interface ShortcutOverride {
  readonly command: string;
  readonly selector: string;
  readonly keys: readonly string[];
}

const key = (b: { command: string; selector: string }): string => `${b.command}\u0000${b.selector}`;

/** The defaults with the user's overrides applied (disabled bindings removed). */
export function effectiveKeymap(
  defaults: readonly KeyBinding[],
  overrides: readonly ShortcutOverride[],
): KeyBinding[] {
  const byKey = new Map(overrides.map((o) => [key(o), o]));
  const out: KeyBinding[] = [];
  for (const binding of defaults) {
    const override = byKey.get(key(binding));
    byKey.delete(key(binding));
    if (override === undefined) {
      out.push(binding);
    } else if (override.keys.length > 0) {
      out.push({ ...binding, keys: override.keys });
    }
  }
  for (const extra of byKey.values()) {
    if (extra.keys.length > 0) {
      out.push({ command: extra.command, selector: extra.selector, keys: extra.keys });
    }
  }
  return out;
}

/** `overrides` with the one for (command, selector) replaced (or removed when `keys` is null). */
export function withOverride(
  overrides: readonly ShortcutOverride[],
  command: string,
  selector: string,
  keys: readonly string[] | null,
): ShortcutOverride[] {
  const rest = overrides.filter((o) => key(o) !== key({ command, selector }));
  return keys === null ? rest : [...rest, { command, selector, keys }];
}

/** Overrides read from settings: anything malformed is dropped rather than breaking keys. */
export function parseOverrides(value: unknown): ShortcutOverride[] {
  if (!Array.isArray(value)) return [];
  const out: ShortcutOverride[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== "object" || item === null) continue;
    const { command, selector, keys } = item as Record<string, unknown>;
    if (
      typeof command === "string" &&
      typeof selector === "string" &&
      Array.isArray(keys) &&
      keys.every((k) => typeof k === "string")
    ) {
      out.push({ command, selector, keys: keys as string[] });
    }
  }
  return out;
}
