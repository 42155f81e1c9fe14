/** `GET /api/kernelspecs`: the kernels a new notebook can use. */
import { ApiError, type Connection, isRecord, requestJson } from "./client";

export interface KernelSpec {
  readonly name: string;
  readonly displayName: string;
  readonly language: string;
}

export interface KernelSpecs {
  readonly default: string | null;
  readonly specs: readonly KernelSpec[];
}

/** The installed kernelspecs; an empty list when the server has no kernel service (404). */
export async function listKernelSpecs(conn: Connection): Promise<KernelSpecs> {
  let body: unknown;
  try {
    body = await requestJson(conn, "api/kernelspecs");
  } catch (error: unknown) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 501)) {
      return { default: null, specs: [] };
    }
    throw error;
  }
  const specs: KernelSpec[] = [];
  const table = isRecord(body) && isRecord(body["kernelspecs"]) ? body["kernelspecs"] : {};
  for (const [name, value] of Object.entries(table)) {
    const spec = isRecord(value) && isRecord(value["spec"]) ? value["spec"] : {};
    specs.push({
      name,
      displayName: typeof spec["display_name"] === "string" ? spec["display_name"] : name,
      language: typeof spec["language"] === "string" ? spec["language"] : "",
    });
  }
  specs.sort((a, b) => a.displayName.localeCompare(b.displayName));
  const def = isRecord(body) && typeof body["default"] === "string" ? body["default"] : null;
  return { default: def, specs };
}
