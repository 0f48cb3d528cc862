// The interface DBSCAN needs from a spatial index: all points within a radius of a given point.

/** A growable list of row indices, reused across queries so a query allocates nothing. */
export class IndexBuffer {
  data = new Int32Array(64);
  length = 0;
  push(i: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = i;
  }
}

export interface RadiusIndex {
  /** Clears `out` and fills it with every point j (including i) with ‖x_j − x_i‖ ≤ radius. */
  radiusNeighbors(i: number, radius: number, out: IndexBuffer): void;
  /** How many points lie within radius of point i (including i). */
  radiusCount(i: number, radius: number): number;
}
