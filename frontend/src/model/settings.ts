/**
 * Settings: plugins declare schemas (fields with types and defaults) in a registry; the user's
 * values come from the server (`/lab/api/settings/<schema id>`) and are stored there again
 * when changed. Only values that differ from a default are stored, as in JupyterLab, so a
 * changed default reaches users who never touched the setting.
 */
import { type ReadonlySignal, type Signal, computed, signal } from "@preact/signals-core";
import { type Disposable, Registry } from "./registry";

export type FieldType = "boolean" | "number" | "string" | "enum" | "json";

export interface SettingField {
  readonly key: string;
  readonly title: string;
  readonly description?: string;
  readonly type: FieldType;
  readonly default: unknown;
  /** For "enum": the allowed values and their labels. */
  readonly options?: readonly { readonly value: string; readonly label: string }[];
  readonly min?: number;
  readonly max?: number;
  /** Edited by a dedicated view (e.g. the shortcut editor), not the settings form. */
  readonly hidden?: boolean;
}

export interface SettingsSchema {
  /** The settings id on the server, "@scope/package:plugin". */
  readonly id: string;
  readonly title: string;
  readonly rank?: number;
  readonly fields: readonly SettingField[];
}

/** Where values are persisted; the app passes one that PUTs to the server. */
export interface SettingsBackend {
  save(id: string, values: Readonly<Record<string, unknown>>): Promise<void>;
}

/** `value` if it fits `field`, else undefined (so the default applies). */
export function validate(field: SettingField, value: unknown): unknown {
  switch (field.type) {
    case "boolean":
      return typeof value === "boolean" ? value : undefined;
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
      if (field.min !== undefined && value < field.min) return undefined;
      if (field.max !== undefined && value > field.max) return undefined;
      return value;
    }
    case "string":
      return typeof value === "string" ? value : undefined;
    case "enum":
      return typeof value === "string" && (field.options ?? []).some((o) => o.value === value)
        ? value
        : undefined;
    case "json":
      return value === undefined ? undefined : value;
  }
}

export class SettingsRegistry {
  readonly schemas = new Registry<SettingsSchema>("settings");
  private readonly stored = new Map<string, Signal<Readonly<Record<string, unknown>>>>();
  private readonly errors = signal<string | null>(null);

  constructor(
    private readonly backend: SettingsBackend,
    initial: ReadonlyMap<string, Readonly<Record<string, unknown>>> = new Map(),
  ) {
    for (const [id, values] of initial) {
      this.storedSignal(id).value = values;
    }
  }

  /** The last error from saving, for the UI to show; null when fine. */
  get lastError(): ReadonlySignal<string | null> {
    return this.errors;
  }

  register(schema: SettingsSchema): Disposable {
    return this.schemas.add(schema);
  }

  /** A signal of the effective value of `key` in settings `id` (stored, else default). */
  watch<T = unknown>(id: string, key: string): ReadonlySignal<T> {
    const stored = this.storedSignal(id);
    return computed(() => {
      const field = this.field(id, key);
      const value = stored.value[key];
      if (field === undefined) return value as T;
      const checked = validate(field, value);
      return (checked === undefined ? field.default : checked) as T;
    });
  }

  /** The effective value now. */
  get<T = unknown>(id: string, key: string): T {
    return this.watch<T>(id, key).value;
  }

  /** Whether the user set `key` (it is stored rather than defaulted). */
  isSet(id: string, key: string): boolean {
    return key in this.storedSignal(id).value;
  }

  /** Sets `key` (undefined resets it to the default) and stores the settings on the server. */
  async set(id: string, key: string, value: unknown): Promise<void> {
    const stored = this.storedSignal(id);
    const field = this.field(id, key);
    const next: Record<string, unknown> = { ...stored.peek() };
    if (value === undefined || (field !== undefined && sameJson(value, field.default))) {
      delete next[key];
    } else {
      if (field !== undefined && validate(field, value) === undefined) {
        throw new Error(`${field.title}: ${JSON.stringify(value)} is not a valid value`);
      }
      next[key] = value;
    }
    stored.value = next;
    try {
      await this.backend.save(id, next);
      this.errors.value = null;
    } catch (error: unknown) {
      this.errors.value = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  private field(id: string, key: string): SettingField | undefined {
    return this.schemas.get(id)?.fields.find((f) => f.key === key);
  }

  private storedSignal(id: string): Signal<Readonly<Record<string, unknown>>> {
    let s = this.stored.get(id);
    if (s === undefined) {
      s = signal({});
      this.stored.set(id, s);
    }
    return s;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The raw text stored on the server for `values`: pretty JSON, as Lab's editor shows it. */
export function settingsRaw(values: Readonly<Record<string, unknown>>): string {
  return `${JSON.stringify(values, null, 2)}\n`;
}
