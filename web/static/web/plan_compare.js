// The comparison of two versions of a plan (web/templates/web/plans_compare.html): side by side with linked zoom
// and pan (each stage's camera copied to the other), overlaid with a swipe (the earlier version over the later one,
// cut at the slider), and the difference the server computes (`/api/plans/compare/`: the changed regions in PDF
// points of the later page, drawn on it, and the highlighted picture). The later version's annotations carried
// forward from the earlier one are listed and drawn, each open or resolved.

import { h } from "./map_common.js";
import { api, apiUrl, config, t } from "./plan_api.js";
import { PlanDocument } from "./plan_document.js";
import { shapeGroup, svgElement } from "./plan_draw.js";
import { rectangleCorners } from "./plan_geometry.js";
import { PlanView } from "./plan_view.js";

const byId = (id) => document.getElementById(id);
const stages = byId("compare-stages");
const views = { from: new PlanView(byId("stage-from")), to: new PlanView(byId("stage-to")) };
const state = { versions: [], documents: {}, annotations: { from: [], to: [] }, regions: [], mode: "side", linking: false };
window.planCompare = { views, state };

function say(message, kind = "info") {
  const line = byId("plan-status");
  line.textContent = message;
  line.dataset.kind = kind;
}

function versionLabel(version) {
  return `${version.plan} · ${t("version", { number: version.version_number })}`;
}

async function load() {
  const answer = await api("GET", apiUrl("plans"));
  state.versions = answer.plans.flatMap((plan) => plan.versions.map((version) => ({ ...version, plan: plan.label, chain: plan.document_type })));
  for (const side of ["from", "to"]) {
    byId(`compare-${side}`).replaceChildren(...state.versions.map((version) => h("option", { value: version.document }, versionLabel(version))));
  }
  const to = state.versions.find((version) => version.document === config.to) || state.versions[state.versions.length - 1];
  const earlier = state.versions.filter((version) => version.chain === to.chain && version.version_number < to.version_number);
  const from = state.versions.find((version) => version.document === config.from) || earlier[earlier.length - 1] || to;
  byId("compare-from").value = String(from.document);
  byId("compare-to").value = String(to.document);
  byId("compare-page").value = String(config.page);
  await show();
}

async function open(side) {
  const id = Number(byId(`compare-${side}`).value);
  const version = state.versions.find((item) => item.document === id);
  if (!state.documents[side] || state.documents[side].id !== id) {
    if (state.documents[side]) state.documents[side].plan.destroy();
    state.documents[side] = { id, version, plan: await PlanDocument.open({ url: version.view_url, mediaType: version.view_media_type, vendor: config.vendor, openingUrl: version.opening_url, page: config.page }) };
    const answer = await api("GET", apiUrl("annotations", { document: id }));
    state.annotations[side] = answer.annotations;
  }
  byId(`compare-${side}-caption`).textContent = versionLabel(version);
  return state.documents[side];
}

async function show() {
  stages.dataset.state = "loading";
  say(t("loading"));
  state.regions = [];
  byId("compare-result").hidden = true;
  try {
    const [from, to] = [await open("from"), await open("to")];
    const pageNumber = Math.max(1, Math.min(Number(byId("compare-page").value) || 1, to.plan.pageCount, from.plan.pageCount));
    byId("compare-page").max = String(Math.min(to.plan.pageCount, from.plan.pageCount));
    views.to.setPage(await to.plan.page(pageNumber), { fit: "page" });
    views.from.setPage(await from.plan.page(pageNumber), { fit: null });
    views.from.setCamera({ ...views.to.camera });
    state.pageNumber = pageNumber;
    const url = new URL(window.location.href);
    url.searchParams.set("from", from.id);
    url.searchParams.set("to", to.id);
    url.searchParams.set("page", pageNumber);
    window.history.replaceState(null, "", url);
    say("");
    listCarried();
    if (state.mode === "difference") await difference();
    stages.dataset.state = "ready";
  } catch (error) {
    say(`${t("loadFailed")} (${error.message})`, "error");
    stages.dataset.state = "failed";
  }
}

async function difference() {
  const from = state.documents.from.id;
  const to = state.documents.to.id;
  say(t("comparing"));
  const query = `?from=${from}&to=${to}&page=${state.pageNumber}`;
  try {
    const answer = await api("GET", `${apiUrl("compare")}${query}`);
    state.regions = answer.regions;
    byId("compare-summary").textContent = state.regions.length ? t("changedRegions", { count: state.regions.length }) : t("noChange");
    const image = byId("compare-image");
    image.src = answer.diff_png_url;
    image.hidden = !answer.diff_png_url;
    byId("compare-result").hidden = false;
    say("");
  } catch (error) {
    say(`${t("compareUnavailable")} (${error.message})`, "error");
  }
  draw();
}

function listCarried() {
  const carried = state.annotations.to.filter((annotation) => annotation.carried_from && annotation.page === state.pageNumber);
  byId("carried-list").replaceChildren(
    ...(carried.length
      ? carried.map((annotation) =>
          h("li", { class: "annotation-item", "data-status": annotation.status },
            h("strong", {}, t(`kind.${annotation.kind}`)), " · ",
            annotation.author.display_name, " · ",
            h("span", { class: `badge annotation-${annotation.status}` }, t(annotation.status))),
        )
      : [h("li", { class: "muted" }, t("noAnnotation"))]),
  );
  draw();
}

function draw() {
  for (const side of ["from", "to"]) {
    const view = views[side];
    const svg = view.overlay;
    const [width, height] = view.size;
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const toStage = (point) => view.toStage(point);
    const shapes = state.annotations[side]
      .filter((annotation) => annotation.page === state.pageNumber && annotation.status !== "withdrawn")
      .map((annotation) => shapeGroup({ ...annotation, caption: annotation.carried_from ? t(annotation.status) : "" }, toStage));
    if (side === "to") {
      for (const region of state.regions) {
        const corners = rectangleCorners([[region.x, region.y], [region.x + region.width, region.y + region.height]]).map(toStage);
        shapes.push(svgElement("polygon", { class: "plan-region", points: corners.map((point) => point.join(",")).join(" ") }));
      }
    }
    svg.replaceChildren(...shapes);
  }
  byId("zoom-level").textContent = `${Math.round(views.to.zoom * 100)}%`;
}

// One camera for both: a move of either is copied to the other.
function link(source, target) {
  source.addEventListener("change", () => {
    if (state.linking) return;
    state.linking = true;
    target.setCamera({ ...source.camera });
    state.linking = false;
    draw();
  });
}

function setMode(mode) {
  state.mode = mode;
  stages.dataset.mode = mode;
  for (const button of document.querySelectorAll("[data-mode]")) button.setAttribute("aria-pressed", button.dataset.mode === mode ? "true" : "false");
  const overlay = mode === "overlay";
  const fromStage = byId("stage-from");
  if (overlay) byId("compare-to-wrap").append(fromStage);
  else byId("compare-from-figure").append(fromStage);
  byId("compare-from-figure").hidden = overlay;
  byId("compare-swipe-row").hidden = !overlay;
  swipe();
  if (mode === "difference") difference();
  else {
    state.regions = [];
    byId("compare-result").hidden = true;
    draw();
  }
}

function swipe() {
  const value = Number(byId("compare-swipe").value);
  byId("stage-from").style.clipPath = state.mode === "overlay" ? `inset(0 ${100 - value}% 0 0)` : "";
}

link(views.from, views.to);
link(views.to, views.from);
for (const button of document.querySelectorAll("[data-mode]")) button.addEventListener("click", () => setMode(button.dataset.mode));
byId("compare-swipe").addEventListener("input", swipe);
for (const id of ["compare-from", "compare-to", "compare-page"]) byId(id).addEventListener("change", show);
byId("zoom-in").addEventListener("click", () => views.to.zoomBy(1.25));
byId("zoom-out").addEventListener("click", () => views.to.zoomBy(0.8));
byId("fit-page").addEventListener("click", () => views.to.fit("page"));
load().catch((error) => {
  say(`${t("loadFailed")} (${error.message})`, "error");
  stages.dataset.state = "failed";
});
