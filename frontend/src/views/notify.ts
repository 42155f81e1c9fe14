/**
 * Short notices in a live region (screen readers announce them): errors stay until dismissed,
 * information fades after a few seconds.
 */
export type NoticeKind = "info" | "error";

let region: HTMLElement | null = null;

function ensureRegion(): HTMLElement {
  if (region === null || !region.isConnected) {
    region = document.createElement("div");
    region.className = "carnet-Notices";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    document.body.append(region);
  }
  return region;
}

export function notify(message: string, kind: NoticeKind = "info"): void {
  const box = ensureRegion();
  const item = document.createElement("div");
  item.className = `carnet-Notice carnet-mod-${kind}`;
  if (kind === "error") item.setAttribute("role", "alert");
  const text = document.createElement("span");
  text.textContent = message;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "carnet-Notice-close";
  close.setAttribute("aria-label", "Dismiss");
  close.textContent = "×";
  close.addEventListener("click", () => item.remove());
  item.append(text, close);
  box.append(item);
  if (kind === "info") {
    setTimeout(() => item.remove(), 4000);
  }
}

/** The message of any thrown value. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
