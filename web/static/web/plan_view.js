// The plan's stage: one page drawn through a camera (zoom 10% to 1600%, pan, quarter turns, fit width / page).
// Only the window the stage shows is rendered (an A0 plan at 1600% would be a canvas of a billion pixels): while
// the camera moves, the last image follows by a CSS transform and the window is rendered again once it rests,
// into a canvas of its own that then replaces the shown one. Pointer events give the same gestures to a mouse, a
// pen and fingers: drag pans, the wheel and two fingers zoom, a tap without moving is given to the tools. The text
// layer (PDF.js `TextLayer`) lies over the page for the search highlights and for assistive technologies.

import { CSS_UNITS, apply, clampZoom, invert, multiply, viewportTransform } from "./plan_geometry.js";

const TAP_SLOP_PX = 5;
const RENDER_DELAY_MS = 90;
const TEXT_ROTATION = {
  0: "",
  90: " rotate(90deg) translateY(-100%)",
  180: " rotate(180deg) translate(-100%, -100%)",
  270: " rotate(270deg) translateX(-100%)",
};

export class PlanView extends EventTarget {
  constructor(stage) {
    super();
    this.stage = stage;
    this.canvas = stage.querySelector("canvas");
    this.textLayer = stage.querySelector(".textLayer");
    this.overlay = stage.querySelector("svg");
    this.page = null;
    this.TextLayer = null;
    this.camera = { scale: CSS_UNITS, rotation: 0, offsetX: 0, offsetY: 0 };
    this.userRotation = 0;
    this.rendered = null;
    this.renderTask = null;
    this.renderTimer = null;
    this.pointers = new Map();
    this.gesture = null;
    this.textDivs = [];
    this.fitted = null; // "page" or "width" while the camera is the fit's: kept on a resize
    this.listen();
    new ResizeObserver(() => this.resized()).observe(stage);
  }

  get zoom() {
    return this.camera.scale / CSS_UNITS;
  }

  get size() {
    return [this.stage.clientWidth, this.stage.clientHeight];
  }

  transform(camera = this.camera) {
    return this.page ? viewportTransform(this.page.view, camera).transform : [1, 0, 0, 1, 0, 0];
  }

  toStage(point) {
    return apply(this.transform(), point);
  }

  toPdf(point) {
    return apply(invert(this.transform()), point);
  }

  // Show a page; `fit` ("page", "width") or keep the camera (same page size, another version: linked views).
  setPage(page, { fit = "page", TextLayer = null, textContent = null } = {}) {
    this.page = page;
    this.TextLayer = TextLayer;
    this.textContent = textContent;
    this.rendered = null;
    this.camera.rotation = (page.rotate + this.userRotation) % 360;
    if (fit) this.fit(fit);
    else this.changed();
  }

  fit(how) {
    if (!this.page) return;
    const [width, height] = this.size;
    const unit = viewportTransform(this.page.view, { scale: 1, rotation: this.camera.rotation });
    const widthScale = (width - 16) / unit.width;
    const scale = how === "width" ? widthScale : Math.min(widthScale, (height - 16) / unit.height);
    this.camera.scale = clampZoom(scale / CSS_UNITS) * CSS_UNITS;
    this.camera.offsetX = (width - unit.width * this.camera.scale) / 2;
    this.camera.offsetY = how === "width" ? 8 : (height - unit.height * this.camera.scale) / 2;
    this.changed();
    this.fitted = how;
  }

  // Zoom to `zoom` (1 = 100%) keeping the plan's point under `anchor` (stage pixels; the centre by default) still.
  zoomTo(zoom, anchor = null) {
    if (!this.page) return;
    const [width, height] = this.size;
    const at = anchor || [width / 2, height / 2];
    const fixed = this.toPdf(at);
    this.camera.scale = clampZoom(zoom) * CSS_UNITS;
    this.camera.offsetX = 0;
    this.camera.offsetY = 0;
    const moved = this.toStage(fixed);
    this.camera.offsetX = at[0] - moved[0];
    this.camera.offsetY = at[1] - moved[1];
    this.changed();
  }

  zoomBy(factor, anchor = null) {
    this.zoomTo(this.zoom * factor, anchor);
  }

  panBy(dx, dy) {
    this.camera.offsetX += dx;
    this.camera.offsetY += dy;
    this.changed();
  }

  // Bring a PDF point to the centre of the stage.
  centreOn(point) {
    const [width, height] = this.size;
    const [x, y] = this.toStage(point);
    this.panBy(width / 2 - x, height / 2 - y);
  }

  rotate(quarterTurns = 1) {
    if (!this.page) return;
    const centre = this.toPdf(this.size.map((value) => value / 2));
    this.userRotation = (this.userRotation + 90 * quarterTurns + 360) % 360;
    this.camera.rotation = (this.page.rotate + this.userRotation) % 360;
    this.rendered = null;
    this.camera.offsetX = 0;
    this.camera.offsetY = 0;
    this.centreOn(centre);
  }

  setCamera(camera) {
    Object.assign(this.camera, camera);
    this.changed();
  }

  changed() {
    this.fitted = null;
    this.stage.dataset.rendered = "false"; // "true" again once the window shown is rendered
    this.followRendered();
    this.dispatchEvent(new CustomEvent("change", { detail: { ...this.camera } }));
    clearTimeout(this.renderTimer);
    this.renderTimer = setTimeout(() => this.render(), this.rendered ? RENDER_DELAY_MS : 0);
  }

  resized() {
    if (!this.page) return;
    this.rendered = null;
    if (this.fitted) this.fit(this.fitted);
    else this.changed();
  }

  // While the camera moves, the last rendered image follows it.
  followRendered() {
    const same =
      this.rendered &&
      ["scale", "rotation", "offsetX", "offsetY"].every((key) => this.rendered[key] === this.camera[key]);
    if (!this.rendered || same) {
      this.canvas.style.transform = "";
    } else if (this.rendered.rotation === this.camera.rotation) {
      const [a, b, c, d, e, f] = multiply(this.transform(), invert(this.transform(this.rendered)));
      this.canvas.style.transform = `matrix(${a}, ${b}, ${c}, ${d}, ${e}, ${f})`;
    }
    this.textLayer.classList.toggle("moving", !same);
  }

  async render() {
    if (!this.page) return;
    if (this.renderTask) this.renderTask.cancel();
    const [width, height] = this.size;
    const ratio = window.devicePixelRatio || 1;
    const camera = { ...this.camera };
    const page = this.page;
    const buffer = document.createElement("canvas");
    buffer.width = Math.max(1, Math.round(width * ratio));
    buffer.height = Math.max(1, Math.round(height * ratio));
    const task = page.render(buffer, camera, ratio);
    this.renderTask = task;
    try {
      await task.promise;
    } catch (error) {
      if (error && error.name === "RenderingCancelledException") return;
      throw error;
    }
    if (this.renderTask !== task || this.page !== page) return;
    this.renderTask = null;
    this.canvas.width = buffer.width;
    this.canvas.height = buffer.height;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.canvas.getContext("2d").drawImage(buffer, 0, 0);
    // The first page drawn on this stage, in ms from navigation start (read by bench S9, plan_viewer_bench.py).
    this.stage.dataset.firstPageShown ??= String(Math.round(performance.now()));
    this.rendered = camera;
    this.followRendered();
    await this.renderText(camera);
    this.stage.dataset.rendered = "true";
    this.dispatchEvent(new CustomEvent("rendered"));
  }

  async renderText(camera) {
    this.textLayer.replaceChildren();
    this.textDivs = [];
    if (!this.TextLayer || !this.textContent) return;
    const textContent = await this.textContent();
    const style = this.textLayer.style;
    style.setProperty("--total-scale-factor", String(camera.scale));
    style.setProperty("--scale-round-x", "1px");
    style.setProperty("--scale-round-y", "1px");
    style.transform = `translate(${camera.offsetX}px, ${camera.offsetY}px)${TEXT_ROTATION[camera.rotation]}`;
    const layer = new this.TextLayer({
      textContentSource: textContent,
      container: this.textLayer,
      viewport: this.page.viewport(camera),
    });
    await layer.render();
    this.textDivs = layer.textDivs;
  }

  // --- gestures ----------------------------------------------------------------------------------------------

  listen() {
    const stage = this.stage;
    stage.addEventListener("pointerdown", (event) => this.pointerDown(event));
    stage.addEventListener("pointermove", (event) => this.pointerMove(event));
    stage.addEventListener("pointerup", (event) => this.pointerUp(event));
    stage.addEventListener("pointercancel", (event) => this.pointers.delete(event.pointerId));
    stage.addEventListener("dblclick", (event) => this.emit("finish", event));
    stage.addEventListener(
      "wheel",
      (event) => {
        event.preventDefault();
        this.zoomBy(Math.exp(-event.deltaY / 400), this.stagePoint(event));
      },
      { passive: false },
    );
  }

  stagePoint(event) {
    const box = this.stage.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  emit(type, event) {
    const at = this.stagePoint(event);
    this.dispatchEvent(new CustomEvent(type, { detail: { stage: at, pdf: this.toPdf(at), event } }));
  }

  pointerDown(event) {
    if (event.button > 0 && event.pointerType === "mouse" && event.button !== 1) return;
    this.stage.setPointerCapture(event.pointerId);
    this.pointers.set(event.pointerId, this.stagePoint(event));
    if (this.pointers.size === 1) {
      this.gesture = { start: this.stagePoint(event), moved: false, pinch: null };
    } else if (this.pointers.size === 2) {
      const [first, second] = [...this.pointers.values()];
      this.gesture = { moved: true, pinch: { distance: Math.hypot(first[0] - second[0], first[1] - second[1]), centre: midpoint(first, second) } };
    }
  }

  pointerMove(event) {
    const at = this.stagePoint(event);
    if (!this.pointers.has(event.pointerId)) {
      this.emit("hover", event);
      return;
    }
    const previous = this.pointers.get(event.pointerId);
    this.pointers.set(event.pointerId, at);
    if (!this.gesture) return;
    if (this.gesture.pinch && this.pointers.size === 2) {
      const [first, second] = [...this.pointers.values()];
      const spread = Math.hypot(first[0] - second[0], first[1] - second[1]);
      const centre = midpoint(first, second);
      this.panBy(centre[0] - this.gesture.pinch.centre[0], centre[1] - this.gesture.pinch.centre[1]);
      if (this.gesture.pinch.distance > 0) this.zoomBy(spread / this.gesture.pinch.distance, centre);
      this.gesture.pinch = { distance: spread, centre };
      return;
    }
    const start = this.gesture.start;
    if (!this.gesture.moved && Math.hypot(at[0] - start[0], at[1] - start[1]) < TAP_SLOP_PX) {
      this.emit("hover", event);
      return;
    }
    this.gesture.moved = true;
    this.panBy(at[0] - previous[0], at[1] - previous[1]);
  }

  pointerUp(event) {
    const wasTap = this.gesture && !this.gesture.moved && this.pointers.size === 1;
    this.pointers.delete(event.pointerId);
    if (this.pointers.size === 0) this.gesture = null;
    if (wasTap) this.emit("tap", event);
  }
}

function midpoint(first, second) {
  return [(first[0] + second[0]) / 2, (first[1] + second[1]) / 2];
}
