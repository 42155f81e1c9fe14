// The kernel monitor's side panel: a table of the running kernels' CPU and memory, polled
// from the plugin's server route while the panel is visible.
import { Widget } from "@lumino/widgets";
import { h, render } from "preact";
import { requestJson } from "carnet";

export const apiVersion = 1;

const POLL_MS = 1000;

function formatBytes(n) {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

function Table({ kernels, error }) {
  if (error) return h("p", { class: "km-Error", role: "alert" }, error);
  if (kernels.length === 0) return h("p", { class: "km-Empty" }, "No kernels are running.");
  return h(
    "table",
    { class: "km-Table" },
    h("thead", null, h("tr", null, h("th", null, "Kernel"), h("th", null, "CPU"), h("th", null, "Memory"))),
    h(
      "tbody",
      null,
      kernels.map((k) =>
        h(
          "tr",
          { key: k.id, "data-kernel-id": k.id },
          h("td", { title: `${k.id} (pid ${k.pid})` }, k.name),
          h("td", { class: "km-Cpu" }, `${k.cpu_percent.toFixed(1)} %`),
          h("td", { class: "km-Memory", "data-bytes": String(k.memory_bytes) }, formatBytes(k.memory_bytes)),
        ),
      ),
    ),
  );
}

class MonitorPanel extends Widget {
  constructor(app) {
    super();
    this.app = app;
    this.id = "kernel-monitor";
    this.title.label = "Kernel Usage";
    this.title.caption = "CPU and memory of the running kernels";
    this.addClass("km-Panel");
    this.timer = null;
  }

  async refresh() {
    try {
      const body = await requestJson(this.app.conn, "api/kernel-monitor/usage");
      render(h(Table, { kernels: body.kernels, error: null }), this.node);
    } catch (error) {
      render(h(Table, { kernels: [], error: `Could not read kernel usage: ${error.message}` }), this.node);
    }
  }

  onAfterShow() {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
  }

  onAfterHide() {
    clearInterval(this.timer);
    this.timer = null;
  }

  dispose() {
    clearInterval(this.timer);
    render(null, this.node);
    super.dispose();
  }
}

export function activate(app) {
  app.addStyle(`
    .km-Panel { padding: 8px; overflow: auto; color: var(--carnet-fg); }
    .km-Table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
    .km-Table th, .km-Table td { text-align: left; padding: 2px 6px; border-bottom: 1px solid var(--carnet-border); }
    .km-Empty, .km-Error { color: var(--carnet-fg-muted); }
  `);
  app.panels.add({ id: "kernel-monitor", rank: 300, create: () => new MonitorPanel(app) });
  app.commands.addCommand("kernel-monitor:show", {
    label: "Show Kernel Usage",
    execute: () => app.shell.activateLeft("kernel-monitor"),
  });
  app.palette.add({ id: "kernel-monitor:show", command: "kernel-monitor:show", category: "Kernel" });
}

export function deactivate() {
  // The panel and command go away with the plugin's registrations; nothing else to stop.
}
