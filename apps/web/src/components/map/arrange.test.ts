import { describe, expect, it } from "vitest";
import { arrangeByClass } from "./arrange";

describe("arrangeByClass", () => {
  it("arrangeByClass(xs, ys, labels) puts each class in its own unit box, left to right by label, without overlap", () => {
    const xs = new Float32Array([100, 110, -5, 5, 0]);
    const ys = new Float32Array([0, 5, 40, 60, 50]);
    const labels = ["b", "b", "a", "a", "a"];
    const boxes = arrangeByClass(xs, ys, labels, 0.2);
    expect(boxes.map((b) => b.label)).toEqual(["a", "b"]);
    const aMaxX = Math.max(xs[2]!, xs[3]!, xs[4]!), bMinX = Math.min(xs[0]!, xs[1]!);
    expect(bMinX - aMaxX).toBeCloseTo(0.2, 5);
    for (let i = 0; i < 5; i++) {
      expect(ys[i]!).toBeGreaterThanOrEqual(-1e-6);
      expect(ys[i]!).toBeLessThanOrEqual(1 + 1e-6);
    }
    // Aspect is kept: class a spans 10 × 20, so its width is half its height.
    expect(boxes[0]!.width / boxes[0]!.height).toBeCloseTo(0.5, 5);
  });
  it("rejects arrays of different lengths", () => {
    expect(() => arrangeByClass(new Float32Array(2), new Float32Array(2), ["a"])).toThrow(/one length, got 2, 2, 1/);
  });
});
