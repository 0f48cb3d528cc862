// Raw WebGL2 point renderer: one draw call for all points. Positions (float32 x,y) and a category
// byte per point live in GPU buffers; colours and per-category visibility are a uniform palette, so
// recolouring or hiding a category re-uploads 64 vec4s, not 100k points.
import { hexToRgb } from "./palette";

export const MAX_CATEGORIES = 64;
/** WebGL's largest attribute stride is 255 bytes: 31 eight-byte positions. */
const MAX_STRIDE = 31;

const VS = `#version 300 es
in vec2 a_pos;
in float a_cat;
in float a_sel;
uniform vec2 u_scale;
uniform vec2 u_offset;
uniform float u_size;
uniform float u_hasSel;
uniform vec4 u_palette[${MAX_CATEGORIES}];
out vec4 v_color;
void main() {
  vec4 col = u_palette[int(min(a_cat, ${MAX_CATEGORIES - 1}.0))];
  float alpha = col.a;
  float size = u_size;
  if (u_hasSel > 0.5) {
    if (a_sel < 0.5) { alpha *= 0.15; } else { size *= 1.5; }
  }
  gl_Position = vec4(a_pos * u_scale + u_offset, 0.0, 1.0);
  gl_PointSize = alpha <= 0.0 ? 0.0 : size;
  v_color = vec4(col.rgb, alpha);
}`;

const FS = `#version 300 es
precision mediump float;
in vec4 v_color;
out vec4 outColor;
void main() {
  vec2 d = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot(d, d);
  if (r2 > 1.0) discard;
  float edge = 1.0 - smoothstep(0.55, 1.0, r2);
  outColor = vec4(v_color.rgb * v_color.a * (0.75 + 0.25 * edge), v_color.a * (0.55 + 0.45 * edge));
}`;

function compile(gl: WebGL2RenderingContext, type: number, src: string): WebGLShader {
  const s = gl.createShader(type);
  if (!s) throw new Error("WebGL: createShader returned null");
  gl.shaderSource(s, src);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`WebGL shader: ${gl.getShaderInfoLog(s) ?? "compile failed"}`);
  return s;
}

export interface View {
  /** Data coordinates at the canvas centre. */
  cx: number;
  cy: number;
  /** CSS pixels per data unit. */
  k: number;
}

export class PointRenderer {
  readonly gl: WebGL2RenderingContext;
  private program: WebGLProgram;
  private vao: WebGLVertexArrayObject;
  private posBuf: WebGLBuffer;
  private catBuf: WebGLBuffer;
  private selBuf: WebGLBuffer;
  private count = 0;
  private hasSel = false;
  private palette = new Float32Array(MAX_CATEGORIES * 4);
  private loc: { scale: WebGLUniformLocation | null; offset: WebGLUniformLocation | null; size: WebGLUniformLocation | null; hasSel: WebGLUniformLocation | null; palette: WebGLUniformLocation | null };

  constructor(canvas: HTMLCanvasElement) {
    const gl = canvas.getContext("webgl2", { antialias: false, premultipliedAlpha: true, alpha: false, preserveDrawingBuffer: false, powerPreference: "high-performance" });
    if (!gl) throw new Error("WebGL2 is not available in this browser");
    this.gl = gl;
    const p = gl.createProgram();
    gl.attachShader(p, compile(gl, gl.VERTEX_SHADER, VS));
    gl.attachShader(p, compile(gl, gl.FRAGMENT_SHADER, FS));
    gl.bindAttribLocation(p, 0, "a_pos");
    gl.bindAttribLocation(p, 1, "a_cat");
    gl.bindAttribLocation(p, 2, "a_sel");
    gl.linkProgram(p);
    if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(`WebGL link: ${gl.getProgramInfoLog(p) ?? "failed"}`);
    this.program = p;
    this.loc = {
      scale: gl.getUniformLocation(p, "u_scale"),
      offset: gl.getUniformLocation(p, "u_offset"),
      size: gl.getUniformLocation(p, "u_size"),
      hasSel: gl.getUniformLocation(p, "u_hasSel"),
      palette: gl.getUniformLocation(p, "u_palette"),
    };
    this.vao = gl.createVertexArray();
    this.posBuf = gl.createBuffer();
    this.catBuf = gl.createBuffer();
    this.selBuf = gl.createBuffer();
    gl.bindVertexArray(this.vao);
    gl.enableVertexAttribArray(0);
    gl.enableVertexAttribArray(1);
    gl.enableVertexAttribArray(2);
    this.bindAttributes(1);
    gl.bindVertexArray(null);
  }

  /** Points the VAO's attributes at every k-th point (k = 1: all, tightly packed). The VAO must be bound. */
  private bindAttributes(k: number): void {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuf);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, k === 1 ? 0 : 8 * k, 0);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.catBuf);
    gl.vertexAttribPointer(1, 1, gl.UNSIGNED_BYTE, false, k === 1 ? 0 : k, 0);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.selBuf);
    gl.vertexAttribPointer(2, 1, gl.UNSIGNED_BYTE, false, k === 1 ? 0 : k, 0);
  }

  /** Interleaves x/y into one buffer. */
  setPositions(xs: Float32Array, ys: Float32Array): void {
    const n = xs.length;
    const inter = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      inter[2 * i] = xs[i]!;
      inter[2 * i + 1] = ys[i]!;
    }
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuf);
    gl.bufferData(gl.ARRAY_BUFFER, inter, gl.STATIC_DRAW);
    this.count = n;
    this.setSelection(null);
  }

  /** One byte per point: its category index (≥ MAX_CATEGORIES is drawn with the last colour). */
  setCategories(cat: Uint8Array): void {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.catBuf);
    gl.bufferData(gl.ARRAY_BUFFER, cat, gl.STATIC_DRAW);
  }

  /** Null clears the selection; otherwise 1 = selected, 0 = dimmed. */
  setSelection(sel: Uint8Array | null): void {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.selBuf);
    gl.bufferData(gl.ARRAY_BUFFER, sel ?? new Uint8Array(this.count), gl.DYNAMIC_DRAW);
    this.hasSel = sel !== null;
  }

  setPalette(colours: readonly string[], visible: readonly boolean[]): void {
    this.palette.fill(0);
    for (let c = 0; c < Math.min(colours.length, MAX_CATEGORIES); c++) {
      const [r, g, b] = hexToRgb(colours[c]!);
      this.palette.set([r, g, b, visible[c] === false ? 0 : 0.85], c * 4);
    }
  }

  /**
   * `stride` > 1 draws every stride-th point only (a moving view of a large layout), by reading the same
   * buffers with a wider attribute stride: nothing is copied or re-uploaded. WebGL caps a stride at 255
   * bytes, so at most every 31st point (8-byte positions).
   */
  draw(view: View, widthCss: number, heightCss: number, dpr: number, pointSizeCss: number, stride = 1): void {
    const gl = this.gl;
    const canvas = gl.canvas as HTMLCanvasElement;
    const w = Math.max(1, Math.round(widthCss * dpr)), h = Math.max(1, Math.round(heightCss * dpr));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    gl.viewport(0, 0, w, h);
    gl.clearColor(0.059, 0.078, 0.106, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.useProgram(this.program);
    const sx = (2 * view.k) / widthCss, sy = (2 * view.k) / heightCss;
    gl.uniform2f(this.loc.scale, sx, sy);
    gl.uniform2f(this.loc.offset, -view.cx * sx, -view.cy * sy);
    gl.uniform1f(this.loc.size, pointSizeCss * dpr);
    gl.uniform1f(this.loc.hasSel, this.hasSel ? 1 : 0);
    gl.uniform4fv(this.loc.palette, this.palette);
    gl.bindVertexArray(this.vao);
    const k = Math.max(1, Math.min(MAX_STRIDE, Math.floor(stride)));
    if (k > 1) this.bindAttributes(k);
    gl.drawArrays(gl.POINTS, 0, Math.ceil(this.count / k));
    if (k > 1) this.bindAttributes(1);
    gl.bindVertexArray(null);
  }

  dispose(): void {
    const gl = this.gl;
    gl.deleteBuffer(this.posBuf);
    gl.deleteBuffer(this.catBuf);
    gl.deleteBuffer(this.selBuf);
    gl.deleteVertexArray(this.vao);
    gl.deleteProgram(this.program);
  }
}
