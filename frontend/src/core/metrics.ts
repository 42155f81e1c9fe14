/**
 * Memory in the status bar: used / limit of the server's cgroup (`GET api/metrics/v1`, the
 * shape of jupyter-resource-usage), so users see when they near the limit that would kill
 * their kernels. Polls every few seconds while the page is visible; polling is not activity
 * (the server's idle culling ignores it). Shows nothing until the first answer, and hides
 * itself when the server has no metrics endpoint.
 */
import { h } from "preact";
import { signal } from "@preact/signals-core";
import { type Connection, isRecord, requestJson } from "../api";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";

const POLL_MS = 5000;

export interface MemoryMetrics {
  readonly used: number;
  readonly limit: number | null;
  readonly warn: boolean;
}

/** Parses `{"rss", "limits": {"memory": {"rss", "warn"}}}`; null when the reply is unusable. */
export function parseMetrics(body: unknown): MemoryMetrics | null {
  if (!isRecord(body) || typeof body["rss"] !== "number" || !Number.isFinite(body["rss"])) return null;
  const limits = body["limits"];
  const memory = isRecord(limits) ? limits["memory"] : undefined;
  if (isRecord(memory) && typeof memory["rss"] === "number" && memory["rss"] > 0) {
    return { used: body["rss"], limit: memory["rss"], warn: memory["warn"] === true };
  }
  return { used: body["rss"], limit: null, warn: false };
}

/** 1536 -> "1.5 KiB"; binary units as the kernel's limits are set. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit] ?? "B"}`;
}

export function memoryLabel(metrics: MemoryMetrics): string {
  const used = formatBytes(metrics.used);
  return metrics.limit === null ? `Mem: ${used}` : `Mem: ${used} / ${formatBytes(metrics.limit)}`;
}

async function fetchMetrics(conn: Connection): Promise<MemoryMetrics | null> {
  return parseMetrics(await requestJson(conn, "api/metrics/v1"));
}

export const metricsPlugin: CarnetPlugin = {
  id: "@carnet/application-extension:metrics",
  activate(app: CarnetApp) {
    const current = signal<MemoryMetrics | null>(null);
    let stopped = false;
    const poll = async (): Promise<void> => {
      if (stopped) return;
      if (!document.hidden) {
        try {
          current.value = await fetchMetrics(app.conn);
        } catch {
          // A server without metrics (404), or a passing network error: show nothing.
          current.value = null;
        }
      }
      window.setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    window.addEventListener("pagehide", () => {
      stopped = true;
    });
    app.statusItems.add({
      id: "memory",
      align: "right",
      rank: 30,
      render: () => {
        const metrics = current.value;
        if (metrics === null) return null;
        const title =
          metrics.limit === null
            ? "Memory used by this server and its kernels (no limit known)"
            : `Memory used by this server and its kernels, and the limit${metrics.warn ? " (nearly reached)" : ""}`;
        return h(
          "span",
          {
            class: `carnet-Status-memory${metrics.warn ? " carnet-Status-save carnet-mod-error" : ""}`,
            title,
            "data-warn": metrics.warn ? "1" : "0",
          },
          memoryLabel(metrics),
        );
      },
    });
  },
};
