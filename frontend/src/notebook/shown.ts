/**
 * Tells when a cell is first shown, to highlight its static source only then.
 *
 * Cells have `content-visibility: auto`, so the browser already tracks which ones are near
 * the view. Where it reports that (`contentvisibilityautostatechange`: Chromium 108+,
 * Firefox 130+), the watcher listens to it, which costs nothing per frame. Elsewhere it falls
 * back to an IntersectionObserver, whose cost every frame grows with the cells still watched
 * (about 2.5 ms a frame with 2,000 cells in Chromium, on every keystroke).
 */

const EVENT = "contentvisibilityautostatechange";

export const reportsSkipState = typeof window !== "undefined" && "ContentVisibilityAutoStateChangeEvent" in window;

export class ShownWatcher {
  private readonly watched = new Set<Element>();
  private readonly observer: IntersectionObserver | null;

  constructor(
    private readonly root: HTMLElement,
    private readonly onShown: (node: Element) => void,
  ) {
    if (reportsSkipState) {
      this.observer = null;
      // The event does not bubble: listen in the capture phase.
      root.addEventListener(EVENT, this.onSkipState, { capture: true });
    } else {
      this.observer = new IntersectionObserver((entries) => this.onEntries(entries), {
        root,
        rootMargin: "200px 0px",
      });
    }
  }

  observe(node: Element): void {
    this.watched.add(node);
    this.observer?.observe(node);
  }

  unobserve(node: Element): void {
    this.watched.delete(node);
    this.observer?.unobserve(node);
  }

  disconnect(): void {
    this.watched.clear();
    this.observer?.disconnect();
    this.root.removeEventListener(EVENT, this.onSkipState, { capture: true });
  }

  private shown(node: Element): void {
    if (!this.watched.delete(node)) return;
    this.observer?.unobserve(node);
    this.onShown(node);
  }

  private readonly onSkipState = (event: Event): void => {
    if (!(event as ContentVisibilityAutoStateChangeEvent).skipped && event.target instanceof Element) {
      this.shown(event.target);
    }
  };

  private onEntries(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) if (entry.isIntersecting) this.shown(entry.target);
  }
}
