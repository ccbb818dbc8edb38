// Annotations and shapes being drawn, as SVG over the plan's stage: each kind of the plans contract (cloud,
// rectangle, arrow, line, polyline, polygon, text, stamp, distance, path-length, area, angle) in its author's
// colour, its measurement written beside it. Points are PDF points; `toStage` turns them into stage pixels.

import { arrowHead, cloudPath, rectangleCorners } from "./plan_geometry.js";

const SVG = "http://www.w3.org/2000/svg";
const STAMP_COLOURS = { approved: "#047857", "to-correct": "#b45309", refused: "#b91c1c" };

export function svgElement(name, attributes = {}, text = null) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== null) element.textContent = text;
  return element;
}

const pointsAttribute = (points) => points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");

function label(group, [x, y], text, colour) {
  group.append(
    svgElement("text", { x: x + 6, y: y - 6, fill: colour, class: "plan-label", "paint-order": "stroke" }, text),
  );
}

// One shape (an annotation or the one being drawn) as an SVG group.
export function shapeGroup({ kind, points, colour, text = "", stamp = "", caption = "", status = "open" }, toStage) {
  const group = svgElement("g", { class: `plan-shape plan-${kind} plan-status-${status}`, stroke: colour, fill: "none" });
  const stage = points.map(toStage);
  if (!stage.length) return group;
  if (kind === "rectangle" || kind === "cloud") {
    // a rectangle by two corners; a cloud is saved as the polygon it surrounds (drawn by two corners)
    const corners = stage.length === 2 || kind === "rectangle" ? rectangleCorners([points[0], points[1] || points[0]]).map(toStage) : stage;
    group.append(
      kind === "cloud"
        ? svgElement("path", { d: cloudPath(corners) })
        : svgElement("polygon", { points: pointsAttribute(corners) }),
    );
  } else if (kind === "arrow" && stage.length === 2) {
    group.append(svgElement("line", { x1: stage[0][0], y1: stage[0][1], x2: stage[1][0], y2: stage[1][1] }));
    group.append(svgElement("polygon", { points: pointsAttribute(arrowHead(stage[0], stage[1])), fill: colour }));
  } else if (kind === "polygon" || kind === "area") {
    group.append(svgElement("polygon", { points: pointsAttribute(stage), fill: colour, "fill-opacity": 0.12 }));
  } else if (kind === "text") {
    group.append(svgElement("text", { x: stage[0][0], y: stage[0][1], fill: colour, stroke: "none", class: "plan-text" }, text));
  } else if (kind === "stamp") {
    const stampColour = STAMP_COLOURS[stamp] || colour;
    const [x, y] = stage[0];
    group.append(svgElement("rect", { x: x - 4, y: y - 22, width: Math.max(60, caption.length * 8 + 16), height: 30, rx: 4, stroke: stampColour, "stroke-width": 3 }));
    group.append(svgElement("text", { x: x + 4, y: y, fill: stampColour, stroke: "none", class: "plan-stamp" }, caption));
    return group;
  } else {
    group.append(svgElement("polyline", { points: pointsAttribute(stage) }));
  }
  for (const point of kind === "text" ? [] : stage) {
    group.append(svgElement("circle", { cx: point[0], cy: point[1], r: 2.5, fill: colour, stroke: "none" }));
  }
  if (caption && kind !== "text") label(group, stage[stage.length - 1], caption, colour);
  return group;
}
