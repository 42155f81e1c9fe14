// Precompresses the built UI: writes `<file>.gz` and `<file>.br` beside every file over 1 KiB
// in src/carnet/static/, so the server sends compressed bytes without compressing per request
// (carnet/web/static.py picks the variant from Accept-Encoding).
//
// index.html is skipped: it is a template the server fills in (base URL) before sending.
// A variant that is not smaller than the original is not written. Usage:
//   node scripts/compress.mjs [dir]      (default: ../src/carnet/static)
import { readdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

const MIN_BYTES = 1024;
const SKIP = new Set(["index.html"]);
const COMPRESSED = [".gz", ".br"];
// Already-compressed formats gain nothing.
const INCOMPRESSIBLE = [".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".woff", ".woff2", ".zip"];

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

const here = fileURLToPath(new URL(".", import.meta.url));
const dir = resolve(process.argv[2] ?? join(here, "..", "..", "src", "carnet", "static"));

async function* walk(path) {
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) {
      yield* walk(full);
    } else if (entry.isFile()) {
      yield full;
    }
  }
}

function wanted(file) {
  const lower = file.toLowerCase();
  if (COMPRESSED.some((ext) => lower.endsWith(ext))) return false;
  if (INCOMPRESSIBLE.some((ext) => lower.endsWith(ext))) return false;
  return !SKIP.has(relative(dir, file));
}

async function compress(file) {
  const data = await readFile(file);
  const variants = [
    [".gz", await gzipAsync(data, { level: 9 })],
    [
      ".br",
      await brotliAsync(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      }),
    ],
  ];
  const sizes = { file: relative(dir, file), raw: data.length };
  for (const [ext, bytes] of variants) {
    if (bytes.length < data.length) {
      await writeFile(file + ext, bytes);
      sizes[ext.slice(1)] = bytes.length;
    } else {
      await unlink(file + ext).catch(() => {});
    }
  }
  return sizes;
}

const rows = [];
for await (const file of walk(dir)) {
  if (wanted(file) && (await stat(file)).size > MIN_BYTES) {
    rows.push(await compress(file));
  }
}
rows.sort((a, b) => a.file.localeCompare(b.file));
const kib = (n) => (n === undefined ? "-" : `${(n / 1024).toFixed(1)} KiB`);
for (const row of rows) {
  console.log(`${row.file}  ${kib(row.raw)}  gz ${kib(row.gz)}  br ${kib(row.br)}`);
}
console.log(`compressed ${rows.length} file(s) in ${relative(process.cwd(), dir) || "."}`);
