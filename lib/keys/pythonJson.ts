/** A value the deposit CLIs write with Python's `json.dumps`: objects (in key order), arrays, strings, integers. */
export type PythonJson = string | number | readonly PythonJson[] | { readonly [key: string]: PythonJson };

/**
 * Python's `json.dumps` with its defaults, byte for byte: separators ", " and ": ", one line, and `ensure_ascii`, so
 * everything outside printable ASCII is escaped as \uXXXX per UTF-16 code unit (lower-case hex, DEL included).
 * Deposit data files and keystores are both written with it.
 */
export function pythonJsonDumps(value: PythonJson): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    // JSON.stringify already escapes quotes, backslashes and control characters as Python does; the rest of
    // non-printable-ASCII is escaped here, code unit by code unit (a non-Unicode regex), as ensure_ascii does.
    return JSON.stringify(value).replace(
      /[^\x20-\x7e]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  const entries = Object.entries(value).map(([key, item]) => `${pythonJsonDumps(key)}: ${pythonJsonDumps(item)}`);
  return `{${entries.join(", ")}}`;
}

/** Bytes as lower-case hex without 0x, the way deposit data and keystores hold them. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
