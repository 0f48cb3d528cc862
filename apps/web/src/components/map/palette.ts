// Categorical colours for the map, charts and legends. Chosen for separability on a dark background
// (map) and on white (charts); index 0.. in order, then cycled. `OTHER` is for "not selected" / noise.
export const PALETTE: readonly string[] = [
  "#4dabf7", "#ff922b", "#51cf66", "#f06595", "#fcc419", "#9775fa", "#22b8cf", "#ff6b6b",
  "#94d82d", "#e599f7", "#20c997", "#ffa8a8", "#748ffc", "#ffd43b", "#63e6be", "#da77f2",
  "#a9e34b", "#ffc078", "#66d9e8", "#f783ac",
];
export const OTHER = "#5c6675";

export function colourAt(i: number): string {
  return i < 0 ? OTHER : PALETTE[i % PALETTE.length]!;
}

/** "#rrggbb" → [r, g, b] in 0..1. */
export function hexToRgb(hex: string): [number, number, number] {
  const v = Number.parseInt(hex.slice(1), 16);
  return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255];
}
