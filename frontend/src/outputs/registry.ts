/**
 * The MIME renderer registry: which renderer shows which type of a MIME bundle. Lower rank
 * wins when a bundle has several types (HTML before plain text, PNG before plain text…), as
 * in Jupyter. Plugins add renderers (a rank below 100 beats the built-ins' defaults).
 */
import type { Connection } from "../api";
import { type Ranked, Registry } from "../model/registry";

/** What a renderer gets besides its data. */
export interface RenderContext {
  readonly conn: Connection;
  /** The output comes from a trusted source (code the user ran, a trusted notebook). */
  readonly trusted: boolean;
  /** The output's metadata for this MIME type (`{width, height}` for images…). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface MimeRenderer extends Ranked {
  /** The MIME types it renders (exact names). */
  readonly mimeTypes: readonly string[];
  /** Renders only trusted outputs (it runs their code); untrusted bundles fall back past it. */
  readonly trustedOnly?: boolean;
  /** Builds the output's node; may fill it in later (KaTeX loads on demand). */
  render(data: unknown, mimeType: string, context: RenderContext): HTMLElement;
}

export class MimeRendererRegistry extends Registry<MimeRenderer> {
  constructor() {
    super("output renderers");
  }

  /** The best renderer for a bundle and the type it renders, or null when none fits. */
  preferred(
    bundle: Readonly<Record<string, unknown>>,
    trusted = false,
  ): { renderer: MimeRenderer; mimeType: string } | null {
    for (const renderer of this.all()) {
      if (renderer.trustedOnly === true && !trusted) continue;
      for (const mimeType of renderer.mimeTypes) {
        if (bundle[mimeType] !== undefined) return { renderer, mimeType };
      }
    }
    return null;
  }
}

/**
 * The app's MIME renderers. It lives here, apart from the renderers themselves, so the plugin
 * API can hand it out without loading marked, DOMPurify and anser: the built-in renderers join
 * it when the output module loads (`outputs/index.ts`), and rank decides, not order.
 */
export const outputRenderers = new MimeRendererRegistry();
