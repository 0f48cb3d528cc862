// The ArrayBuffers inside a result, each once, for a transfer list (not SharedArrayBuffers, which are
// shared anyway). Walks plain objects and arrays; stops at typed arrays.

export function buffersOf(value: unknown, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  walk(value, out, 0);
  return [...out];
}

function walk(value: unknown, out: Set<ArrayBuffer>, depth: number): void {
  if (value === null || typeof value !== "object" || depth > 8) return;
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && value.buffer.byteLength > 0) out.add(value.buffer);
    return;
  }
  if (Array.isArray(value)) {
    // arrays of numbers or strings hold no buffers; only look into arrays of objects
    for (const v of value) if (v !== null && typeof v === "object") walk(v, out, depth + 1);
    return;
  }
  for (const v of Object.values(value)) walk(v, out, depth + 1);
}
