/** The shell tells when it is usable (`<body data-carnet-ready="1">` and this event). */
export const READY_EVENT = "carnet:ready";

/** Runs `task` once the shell is usable and the browser has a moment to spare: for work that
 * must not compete with the first load (prefetching lazy chunks). */
export function afterReady(task: () => void): void {
  const idle = (): void => {
    // Safari has no requestIdleCallback.
    if (typeof window.requestIdleCallback === "function") window.requestIdleCallback(task, { timeout: 2000 });
    else setTimeout(task, 200);
  };
  if (document.body.dataset["carnetReady"] === "1") idle();
  else window.addEventListener(READY_EVENT, idle, { once: true });
}
