// The drawing tools of the plan workspace: calibrate, distance, path length, area, rectangle area, angle, and the
// annotations (cloud, rectangle, arrow, line, polygon, free text, stamp). A tap adds a point, snapped to the
// nearest end of the plan's vector lines within 8 pixels (Alt held: no snapping); two-point tools finish by
// themselves, the others with Enter, a double tap or the Finish button; Escape cancels. The finished shape is
// handed to the workspace (`finished` event), which saves it through the API.

import { measure } from "./plan_geometry.js";
import { shapeGroup } from "./plan_draw.js";

const SNAP_PX = 8;
export const TOOLS = {
  pan: null,
  calibrate: { count: 2, kind: "distance" },
  distance: { count: 2, kind: "distance", measuring: true },
  "path-length": { min: 2, kind: "path-length", measuring: true },
  area: { min: 3, kind: "area", measuring: true },
  "measure-rectangle": { count: 2, kind: "rectangle", measuring: true },
  angle: { count: 3, kind: "angle", measuring: true },
  cloud: { count: 2, kind: "cloud" },
  rectangle: { count: 2, kind: "rectangle" },
  arrow: { count: 2, kind: "arrow" },
  line: { count: 2, kind: "line" },
  polygon: { min: 3, kind: "polygon" },
  text: { count: 1, kind: "text" },
  stamp: { count: 1, kind: "stamp" },
};

export class PlanTools extends EventTarget {
  constructor(view, { colour, metresPerPoint, describe }) {
    super();
    this.view = view;
    this.colour = colour;
    this.metresPerPoint = metresPerPoint;
    this.describe = describe;
    this.tool = "pan";
    this.points = [];
    this.hover = null;
    this.snapGrid = null;
    view.addEventListener("tap", (event) => this.tap(event.detail));
    view.addEventListener("hover", (event) => this.moveTo(event.detail));
    view.addEventListener("finish", () => this.finish());
  }

  get spec() {
    return TOOLS[this.tool];
  }

  select(tool) {
    this.tool = tool in TOOLS ? tool : "pan";
    this.cancel();
  }

  cancel() {
    this.points = [];
    this.hover = null;
    this.changed();
  }

  snapped({ pdf, event }) {
    if (!this.snapGrid || (event && event.altKey)) return pdf;
    return this.snapGrid.nearest(pdf, SNAP_PX / this.view.camera.scale) || pdf;
  }

  tap(detail) {
    if (!this.spec) return;
    this.points.push(this.snapped(detail));
    this.hover = null;
    if (this.spec.count && this.points.length >= this.spec.count) this.finish();
    else this.changed();
  }

  // A point typed or given by a test (PDF points), as a tap would add it.
  addPoint(point) {
    this.tap({ pdf: point, event: null });
  }

  moveTo(detail) {
    if (!this.spec || !this.points.length) return;
    this.hover = this.snapped(detail);
    this.changed();
  }

  finish() {
    const spec = this.spec;
    if (!spec) return;
    const enough = spec.count ? this.points.length >= spec.count : this.points.length >= spec.min;
    if (!enough) return;
    const points = this.points.slice(0, spec.count || this.points.length);
    this.points = [];
    this.hover = null;
    this.changed();
    this.dispatchEvent(new CustomEvent("finished", { detail: { tool: this.tool, kind: spec.kind, points } }));
  }

  // The measurement of the shape being drawn (with the pointer's point), for the live read-out.
  liveMeasurement() {
    const spec = this.spec;
    if (!spec || !spec.measuring || !this.points.length) return null;
    const points = this.hover ? [...this.points, this.hover] : this.points;
    return measureShape(spec.kind, points, this.metresPerPoint());
  }

  shape() {
    if (!this.spec || !this.points.length) return null;
    const points = this.hover ? [...this.points, this.hover] : this.points;
    const measurement = this.liveMeasurement();
    return shapeGroup(
      { kind: this.spec.kind === "rectangle" ? "rectangle" : this.spec.kind, points, colour: this.colour, caption: measurement ? this.describe(measurement) : "" },
      (point) => this.view.toStage(point),
    );
  }

  changed() {
    const finishable = this.spec && !this.spec.count && this.points.length >= this.spec.min;
    this.dispatchEvent(new CustomEvent("change", { detail: { finishable } }));
  }
}

// A measuring shape's measurement on the client (for the read-out only: the server computes the saved one).
export function measureShape(kind, points, metresPerPoint) {
  if (kind === "rectangle" && points.length >= 2) {
    const [[x1, y1], [x2, y2]] = points;
    return measure("area", [[x1, y1], [x2, y1], [x2, y2], [x1, y2]], metresPerPoint);
  }
  return measure(kind, points, metresPerPoint);
}
