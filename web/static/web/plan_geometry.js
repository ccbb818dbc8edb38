// Pure geometry of the plan viewer (web/static/web/plan_viewer.js): the page's camera (PDF user space <-> the
// stage's CSS pixels, the same matrix as PDF.js's PageViewport, so that raster plans and PDF pages share it),
// lengths, areas and angles in PDF points and in metres through the page's calibration, the shapes' outlines,
// and the grid of the plan's line ends that the tools snap to. Coordinates follow the plans contract: PDF user
// space of the unrotated page, y up, 1 pt = 1/72 in; a raster plan's points are its pixels.

export const CSS_UNITS = 96 / 72; // zoom 100% shows the plan at its paper size on a 96 dpi screen
export const ZOOM_MIN = 0.1;
export const ZOOM_MAX = 16;

// The affine transform from PDF user space to the stage (CSS pixels), like PDF.js's PageViewport.
export function viewportTransform(view, { scale, rotation, offsetX = 0, offsetY = 0 }) {
  const [x0, y0, x1, y1] = view;
  const centerX = (x0 + x1) / 2;
  const centerY = (y0 + y1) / 2;
  const turn = ((rotation % 360) + 360) % 360;
  const [a, b, c, d] = { 0: [1, 0, 0, -1], 90: [0, 1, 1, 0], 180: [-1, 0, 0, 1], 270: [0, -1, -1, 0] }[turn];
  const sideways = a === 0;
  const canvasX = (sideways ? Math.abs(centerY - y0) : Math.abs(centerX - x0)) * scale + offsetX;
  const canvasY = (sideways ? Math.abs(centerX - x0) : Math.abs(centerY - y0)) * scale + offsetY;
  return {
    transform: [
      a * scale,
      b * scale,
      c * scale,
      d * scale,
      canvasX - a * scale * centerX - c * scale * centerY,
      canvasY - b * scale * centerX - d * scale * centerY,
    ],
    width: (sideways ? y1 - y0 : x1 - x0) * scale,
    height: (sideways ? x1 - x0 : y1 - y0) * scale,
  };
}

export function apply([a, b, c, d, e, f], [x, y]) {
  return [a * x + c * y + e, b * x + d * y + f];
}

export function invert([a, b, c, d, e, f]) {
  const determinant = a * d - b * c;
  return [d / determinant, -b / determinant, -c / determinant, a / determinant, (c * f - d * e) / determinant, (b * e - a * f) / determinant];
}

export function multiply([a1, b1, c1, d1, e1, f1], [a2, b2, c2, d2, e2, f2]) {
  // first [a2..f2], then [a1..f1]
  return [
    a1 * a2 + c1 * b2,
    b1 * a2 + d1 * b2,
    a1 * c2 + c1 * d2,
    b1 * c2 + d1 * d2,
    a1 * e2 + c1 * f2 + e1,
    b1 * e2 + d1 * f2 + f1,
  ];
}

export const clampZoom = (zoom) => Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, zoom));

// --- measures, in points -------------------------------------------------------------------------------------

export function distance([x1, y1], [x2, y2]) {
  return Math.hypot(x2 - x1, y2 - y1);
}

export function pathLength(points) {
  let total = 0;
  for (let index = 1; index < points.length; index += 1) total += distance(points[index - 1], points[index]);
  return total;
}

export function perimeter(points) {
  return pathLength(points) + (points.length > 2 ? distance(points[points.length - 1], points[0]) : 0);
}

export function polygonArea(points) {
  let twice = 0;
  for (let index = 0; index < points.length; index += 1) {
    const [x1, y1] = points[index];
    const [x2, y2] = points[(index + 1) % points.length];
    twice += x1 * y2 - x2 * y1;
  }
  return Math.abs(twice) / 2;
}

export function angleDegrees([a, vertex, b]) {
  const first = Math.atan2(a[1] - vertex[1], a[0] - vertex[0]);
  const second = Math.atan2(b[1] - vertex[1], b[0] - vertex[0]);
  let degrees = Math.abs(((second - first) * 180) / Math.PI) % 360;
  if (degrees > 180) degrees = 360 - degrees;
  return degrees;
}

export function rectangleCorners([[x1, y1], [x2, y2]]) {
  return [[x1, y1], [x2, y1], [x2, y2], [x1, y2]];
}


// What a measuring shape measures, in metres (null without a calibration; angles need none).
export function measure(kind, points, metresPerPoint) {
  if (kind === "angle") return points.length === 3 ? { kind, value: angleDegrees(points), unit: "deg" } : null;
  if (!metresPerPoint || points.length < 2) return null;
  if (kind === "distance" || kind === "calibrate") return { kind, value: distance(points[0], points[1]) * metresPerPoint, unit: "m" };
  if (kind === "path-length") return { kind, value: pathLength(points) * metresPerPoint, unit: "m" };
  if (kind === "area") {
    return {
      kind,
      value: polygonArea(points) * metresPerPoint ** 2,
      unit: "m2",
      perimeter: perimeter(points) * metresPerPoint,
    };
  }
  return null;
}

// Decimals the scale allows: centimetres at 1:100 and finer, decimetres up to 1:1000, metres beyond.
export function decimalsFor(metresPerPoint) {
  if (!metresPerPoint) return 2;
  const denominator = (metresPerPoint * 72) / 0.0254;
  if (denominator <= 200) return 2;
  if (denominator <= 2000) return 1;
  return 0;
}

// --- outlines in stage pixels --------------------------------------------------------------------------------

// A revision cloud around a polygon (stage pixels): arcs along each side.
export function cloudPath(corners, radius = 9) {
  let path = "";
  corners.forEach((start, index) => {
    const end = corners[(index + 1) % corners.length];
    const length = distance(start, end);
    const count = Math.max(1, Math.round(length / (radius * 1.6)));
    if (index === 0) path += `M${start[0].toFixed(1)},${start[1].toFixed(1)}`;
    for (let step = 1; step <= count; step += 1) {
      const x = start[0] + ((end[0] - start[0]) * step) / count;
      const y = start[1] + ((end[1] - start[1]) * step) / count;
      const chord = length / count / 2;
      path += ` A${chord.toFixed(1)},${chord.toFixed(1)} 0 0 1 ${x.toFixed(1)},${y.toFixed(1)}`;
    }
  });
  return `${path} Z`;
}

export function arrowHead([tailX, tailY], [headX, headY], size = 12) {
  const angle = Math.atan2(headY - tailY, headX - tailX);
  const left = [headX - size * Math.cos(angle - Math.PI / 7), headY - size * Math.sin(angle - Math.PI / 7)];
  const right = [headX - size * Math.cos(angle + Math.PI / 7), headY - size * Math.sin(angle + Math.PI / 7)];
  return [[headX, headY], left, right];
}

// --- snapping ------------------------------------------------------------------------------------------------

// The ends of the plan's vector segments, in a grid of cells of `cell` points for nearest look-ups.
export class SnapGrid {
  constructor(points, cell = 20) {
    this.cell = cell;
    this.cells = new Map();
    for (const point of points) {
      const key = this.key(point);
      if (!this.cells.has(key)) this.cells.set(key, []);
      this.cells.get(key).push(point);
    }
    this.size = points.length;
  }

  key([x, y]) {
    return `${Math.floor(x / this.cell)}:${Math.floor(y / this.cell)}`;
  }

  // The nearest end within `tolerance` points, or null.
  nearest([x, y], tolerance) {
    let best = null;
    let bestDistance = tolerance;
    const reach = Math.ceil(tolerance / this.cell);
    const column = Math.floor(x / this.cell);
    const row = Math.floor(y / this.cell);
    for (let dx = -reach; dx <= reach; dx += 1) {
      for (let dy = -reach; dy <= reach; dy += 1) {
        for (const point of this.cells.get(`${column + dx}:${row + dy}`) || []) {
          const gap = distance(point, [x, y]);
          if (gap <= bestDistance) {
            best = point;
            bestDistance = gap;
          }
        }
      }
    }
    return best;
  }
}
