// A Barnes–Hut quadtree over a 2-D layout, rebuilt every t-SNE iteration into the same buffers.
// Nodes hold their cell (centre, half width), point count and centre of mass; children are created
// lazily. Coincident points (or cells deeper than 48 levels) share a leaf.
import { layoutBox } from "./layout-box.js";

export class QuadTree {
  cap: number;
  size = 0;
  cx: Float64Array;
  cy: Float64Array;
  hw: Float64Array;
  comX: Float64Array;
  comY: Float64Array;
  cnt: Float64Array;
  /** child[node*4 + q], -1 when absent */
  child: Int32Array;
  /** the point stored in a leaf, -1 for internal nodes */
  point: Int32Array;
  depth: Int32Array;
  /** The node each point was last placed in (for ordering only). */
  leafOf: Int32Array;
  /**
   * Packed copy in depth-first preorder, rebuilt by pack(): node k at [4k, 4k+4) holds
   * comX, comY, (cell width)², count; packedChild the children's packed ids (-1 absent);
   * packedLeaf 1 for leaves. Subtrees are contiguous, so a traversal walks memory forward.
   */
  packed: Float64Array;
  packedChild: Int32Array;
  packedLeaf: Uint8Array;
  /** Points in the preorder of their leaves: consecutive points are close in the layout. */
  order: Int32Array;
  private newId: Int32Array;
  private pre: Int32Array;
  private readonly dfs = new Int32Array(512);

  constructor(n: number) {
    this.cap = Math.max(16, 2 * n);
    this.cx = new Float64Array(this.cap);
    this.cy = new Float64Array(this.cap);
    this.hw = new Float64Array(this.cap);
    this.comX = new Float64Array(this.cap);
    this.comY = new Float64Array(this.cap);
    this.cnt = new Float64Array(this.cap);
    this.child = new Int32Array(this.cap * 4);
    this.point = new Int32Array(this.cap);
    this.depth = new Int32Array(this.cap);
    this.leafOf = new Int32Array(n);
    this.order = new Int32Array(n);
    this.packed = new Float64Array(this.cap * 4);
    this.packedChild = new Int32Array(this.cap * 4);
    this.packedLeaf = new Uint8Array(this.cap);
    this.newId = new Int32Array(this.cap);
    this.pre = new Int32Array(this.cap);
  }

  /** Fills packed, packedChild, packedLeaf and order from the tree just built. */
  pack(n: number): void {
    if (this.packedLeaf.length < this.cap) {
      this.packed = new Float64Array(this.cap * 4);
      this.packedChild = new Int32Array(this.cap * 4);
      this.packedLeaf = new Uint8Array(this.cap);
      this.newId = new Int32Array(this.cap);
      this.pre = new Int32Array(this.cap);
    }
    const { child, newId, pre, dfs, packed, packedChild, packedLeaf } = this;
    let k = 0;
    let top = 0;
    dfs[top++] = 0;
    while (top > 0) {
      const v = dfs[--top]!;
      newId[v] = k;
      pre[k++] = v;
      for (let q = 3; q >= 0; q--) {
        const c = child[4 * v + q]!;
        if (c >= 0) dfs[top++] = c;
      }
    }
    for (let t = 0; t < k; t++) {
      const v = pre[t]!;
      const w = 2 * this.hw[v]!;
      packed[4 * t] = this.comX[v]!;
      packed[4 * t + 1] = this.comY[v]!;
      packed[4 * t + 2] = w * w;
      packed[4 * t + 3] = this.cnt[v]!;
      packedLeaf[t] = this.point[v]! >= 0 ? 1 : 0;
      for (let q = 0; q < 4; q++) {
        const c = child[4 * v + q]!;
        packedChild[4 * t + q] = c >= 0 ? newId[c]! : -1;
      }
    }
    // counting sort of the points by the preorder id of their leaf
    const start = new Int32Array(k + 1);
    for (let i = 0; i < n; i++) start[newId[this.leafOf[i]!]! + 1]!++;
    for (let t = 0; t < k; t++) start[t + 1] = start[t + 1]! + start[t]!;
    for (let i = 0; i < n; i++) this.order[start[newId[this.leafOf[i]!]!]!++] = i;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const f = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const g = (a: Int32Array, m: number): Int32Array => {
      const b = new Int32Array(cap * m);
      b.set(a);
      return b;
    };
    this.cx = f(this.cx);
    this.cy = f(this.cy);
    this.hw = f(this.hw);
    this.comX = f(this.comX);
    this.comY = f(this.comY);
    this.cnt = f(this.cnt);
    this.child = g(this.child, 4);
    this.point = g(this.point, 1);
    this.depth = g(this.depth, 1);
    this.cap = cap;
  }

  private node(cx: number, cy: number, hw: number, depth: number): number {
    if (this.size === this.cap) this.grow();
    const v = this.size++;
    this.cx[v] = cx;
    this.cy[v] = cy;
    this.hw[v] = hw;
    this.comX[v] = 0;
    this.comY[v] = 0;
    this.cnt[v] = 0;
    this.child[4 * v] = this.child[4 * v + 1] = this.child[4 * v + 2] = this.child[4 * v + 3] = -1;
    this.point[v] = -1;
    this.depth[v] = depth;
    return v;
  }

  /** Rebuilds the tree over y (n×2). */
  build(y: Float64Array, n: number): void {
    const { cx, cy, span } = layoutBox(y, n);
    const hw = Math.max(span, 1e-12) / 2 * (1 + 1e-9) + 1e-12;
    this.size = 0;
    this.node(cx, cy, hw, 0);
    for (let i = 0; i < n; i++) this.insert(i, y[2 * i]!, y[2 * i + 1]!, y);
  }

  private insert(i: number, x: number, yy: number, y: Float64Array): void {
    let v = 0;
    for (;;) {
      const c = ++this.cnt[v]!;
      this.comX[v] = this.comX[v]! + (x - this.comX[v]!) / c;
      this.comY[v] = this.comY[v]! + (yy - this.comY[v]!) / c;
      if (c === 1) {
        // an empty leaf (only the root starts empty; children are born holding their point)
        this.point[v] = i;
        this.leafOf[i] = v;
        return;
      }
      const p = this.point[v]!;
      if (p >= 0) {
        const px = y[2 * p]!, py = y[2 * p + 1]!;
        if ((px === x && py === yy) || this.depth[v]! >= 48) {
          this.leafOf[i] = v; // coincident: share the leaf
          return;
        }
        // split: push the resident point down one level
        this.point[v] = -1;
        const q = this.quadrant(v, px, py);
        const w = this.childFor(v, q);
        this.cnt[w] = c - 1; // the resident and any points coincident with it
        this.comX[w] = px;
        this.comY[w] = py;
        this.point[w] = p;
        this.leafOf[p] = w;
      }
      const q = this.quadrant(v, x, yy);
      let w = this.child[4 * v + q]!;
      if (w < 0) {
        w = this.childFor(v, q);
        this.cnt[w] = 1;
        this.comX[w] = x;
        this.comY[w] = yy;
        this.point[w] = i;
        this.leafOf[i] = w;
        return;
      }
      v = w;
    }
  }

  private quadrant(v: number, x: number, y: number): number {
    return (x >= this.cx[v]! ? 1 : 0) + (y >= this.cy[v]! ? 2 : 0);
  }

  private childFor(v: number, q: number): number {
    const h = this.hw[v]! / 2;
    const w = this.node(this.cx[v]! + (q & 1 ? h : -h), this.cy[v]! + (q & 2 ? h : -h), h, this.depth[v]! + 1);
    this.child[4 * v + q] = w;
    return w;
  }
}
