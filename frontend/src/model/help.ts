/**
 * The contextual help: the docs of the object under the cursor of the focused code editor
 * (a notebook code cell, a console prompt). Editors with a kernel call `follow` as their
 * cursor moves; while the help panel is shown, the docs are fetched (debounced) and kept in
 * `text`, and the last docs stay when nothing is found at the new place.
 */
import { signal } from "@preact/signals-core";

/** Fetches the `text/plain` docs at the cursor, null when the kernel found nothing. */
export type HelpFetch = () => Promise<string | null>;

const DEBOUNCE_MS = 250;

export class ContextualHelp {
  /** Whether a help panel is shown (nothing is fetched otherwise). */
  readonly shown = signal(false);
  /** The last docs found, with ANSI colours; null before any. */
  readonly text = signal<string | null>(null);
  private fetch: HelpFetch | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;

  /** The cursor of the focused editor moved; `fetch` asks its kernel about the new place. */
  follow(fetch: HelpFetch): void {
    this.fetch = fetch;
    this.schedule();
  }

  setShown(shown: boolean): void {
    this.shown.value = shown;
    if (shown) this.schedule(0);
  }

  private schedule(delay = DEBOUNCE_MS): void {
    if (!this.shown.peek() || this.fetch === null) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, delay);
  }

  private async refresh(): Promise<void> {
    const fetch = this.fetch;
    if (fetch === null) return;
    this.seq += 1;
    const seq = this.seq;
    let text: string | null;
    try {
      text = await fetch();
    } catch {
      return;
    }
    // A later move asked again meanwhile: its answer wins.
    if (seq === this.seq && text !== null) this.text.value = text;
  }
}

export const contextualHelp = new ContextualHelp();
