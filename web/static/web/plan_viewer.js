// The plan workspace (web/templates/web/plans.html): the file's plans and their versions, the pages as
// thumbnails, one page on the stage (plan_view.js), the text search, the keyboard shortcuts, and for the
// reviewers the page's calibration, the measuring and annotation tools (plan_tools.js) and the remarks made from
// annotations. The applicant reads the same annotations (read-only) beside their remarks. Everything is read and
// written through the plan API (plan_api.js); measurements shown once saved are the server's.

import { h, numberFormats } from "./map_common.js";
import { PlanApiError, api, apiUrl, config, t } from "./plan_api.js";
import { PlanDocument, preloadPdfjs } from "./plan_document.js";
import { shapeGroup, svgElement } from "./plan_draw.js";
import { decimalsFor, measure, rectangleCorners } from "./plan_geometry.js";
import { PlanTools, TOOLS } from "./plan_tools.js";
import { PlanView } from "./plan_view.js";

const REVIEWER_COLOUR = "#1d4ed8";
const PAN_STEP_PX = 80;
const THUMBNAIL_WIDTH_PX = 110;
const formats = numberFormats(config.language);

const byId = (id) => document.getElementById(id);
const workspace = byId("plan-workspace");
const statusLine = byId("plan-status");
const view = new PlanView(byId("plan-stage"));
const state = {
  plans: [],
  version: null,
  document: null,
  pageNumber: 1,
  annotations: [],
  calibration: null,
  selected: new Set(),
  searchHits: [],
  searchIndex: -1,
  searchHit: null,
  pending: null,
  textContents: new Map(),
};
const tools = new PlanTools(view, {
  colour: REVIEWER_COLOUR,
  metresPerPoint: () => (state.calibration ? state.calibration.metres_per_point : null),
  describe: (measurement) => describe(measurement),
});
window.planViewer = { view, tools, state }; // for the browser tests and the console

function say(message, kind = "info") {
  statusLine.textContent = message;
  statusLine.dataset.kind = kind;
}

function number(value, decimals) {
  return new Intl.NumberFormat(formats.locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
}

function describe(measurement) {
  if (!measurement) return "";
  const decimals = decimalsFor(state.calibration && state.calibration.metres_per_point);
  if (measurement.unit === "deg") return t("angle", { value: number(measurement.value, 1) });
  if (measurement.unit === "m2") {
    return t("area", {
      value: number(measurement.value, decimals),
      perimeter: number(measurement.perimeter ?? 0, decimals),
    });
  }
  return t("distance", { value: number(measurement.value, decimals) });
}

// --- plans, versions, pages ------------------------------------------------------------------------------------

async function loadPlans() {
  const answer = await api("GET", apiUrl("plans"));
  state.plans = answer.plans;
  const select = byId("plan-version");
  select.replaceChildren(
    ...state.plans.map((plan) =>
      h(
        "optgroup",
        { label: plan.label },
        plan.versions.map((version) => h("option", { value: version.document }, `${plan.label} · ${t("version", { number: version.version_number })}`)),
      ),
    ),
  );
  const versions = state.plans.flatMap((plan) => plan.versions);
  if (!versions.length) {
    say(t("noPlans"));
    workspace.dataset.state = "empty";
    return;
  }
  const wanted = versions.find((version) => version.document === config.document);
  const chosen = wanted || state.plans[0].versions[state.plans[0].versions.length - 1];
  await openVersion(chosen, wanted ? config.page : 1);
}

function versionOf(documentId) {
  return state.plans.flatMap((plan) => plan.versions).find((version) => version.document === documentId);
}

async function openVersion(version, pageNumber = 1) {
  say(t("loading"));
  workspace.dataset.state = "loading";
  if (state.document) state.document.destroy();
  state.version = version;
  state.textContents = new Map();
  state.searchHits = [];
  byId("plan-version").value = String(version.document);
  try {
    state.document = await PlanDocument.open({ url: version.view_url, mediaType: version.view_media_type, vendor: config.vendor, openingUrl: version.opening_url, page: pageNumber });
  } catch (error) {
    say(`${t("loadFailed")} (${error.message})`, "error");
    workspace.dataset.state = "failed";
    return;
  }
  const documentNow = state.document;
  // the thumbnails once the page is drawn: their bytes must not delay it
  view.addEventListener("rendered", () => documentNow === state.document && buildThumbnails(), { once: true });
  await showPage(Math.min(pageNumber, state.document.pageCount), { fit: "page" });
  await loadAnnotations();
  const annotated = byId("plan-annotated-link");
  annotated.href = apiUrl("annotated", { document: version.document });
  annotated.hidden = false;
  const compare = byId("plan-compare-link");
  if (compare) compare.href = `${compare.pathname}?to=${version.document}&page=${state.pageNumber}`;
}

function textContentOf(pageNumber) {
  if (!state.textContents.has(pageNumber)) {
    state.textContents.set(pageNumber, state.document.page(pageNumber).then((page) => page.textContent()));
  }
  return state.textContents.get(pageNumber);
}

async function showPage(pageNumber, { fit = null } = {}) {
  const documentNow = state.document;
  const page = await documentNow.page(pageNumber);
  if (documentNow !== state.document) return;
  state.pageNumber = pageNumber;
  tools.cancel();
  tools.snapGrid = null;
  state.pending = null;
  view.setPage(page, {
    fit: fit || (view.page ? null : "page"),
    TextLayer: documentNow.textLayerClass,
    textContent: () => textContentOf(pageNumber),
  });
  byId("page-label").textContent = t("page", { page: pageNumber, count: documentNow.pageCount });
  byId("page-previous").disabled = pageNumber <= 1;
  byId("page-next").disabled = pageNumber >= documentNow.pageCount;
  for (const thumbnail of document.querySelectorAll(".plan-thumbnail")) {
    thumbnail.setAttribute("aria-current", thumbnail.dataset.page === String(pageNumber) ? "page" : "false");
  }
  const url = new URL(window.location.href);
  url.searchParams.set("document", state.version.document);
  url.searchParams.set("page", pageNumber);
  window.history.replaceState(null, "", url);
  workspace.dataset.page = String(pageNumber);
  await loadCalibration();
  renderAnnotationList();
  draw();
  page.snapPoints().then((grid) => {
    if (state.pageNumber === pageNumber && documentNow === state.document) tools.snapGrid = grid;
    workspace.dataset.snapPoints = grid ? String(grid.size) : "0";
  });
}

function buildThumbnails() {
  const strip = byId("plan-thumbnails");
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      renderThumbnail(entry.target);
    }
  });
  strip.replaceChildren(
    ...Array.from({ length: state.document.pageCount }, (_, index) => {
      const button = h(
        "button",
        {
          type: "button",
          class: "plan-thumbnail",
          "data-page": index + 1,
          "aria-label": t("page", { page: index + 1, count: state.document.pageCount }),
          "aria-current": index + 1 === state.pageNumber ? "page" : "false",
        },
        h("canvas", { width: THUMBNAIL_WIDTH_PX, height: 80, "aria-hidden": "true" }),
        h("span", {}, String(index + 1)),
      );
      button.addEventListener("click", () => showPage(index + 1, { fit: "page" }));
      observer.observe(button);
      return button;
    }),
  );
}

async function renderThumbnail(button) {
  const documentNow = state.document;
  const page = await documentNow.page(Number(button.dataset.page));
  const [x0, y0, x1, y1] = page.view;
  const sideways = page.rotate % 180 !== 0;
  const [width, height] = sideways ? [y1 - y0, x1 - x0] : [x1 - x0, y1 - y0];
  const scale = THUMBNAIL_WIDTH_PX / width;
  const canvas = button.querySelector("canvas");
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(THUMBNAIL_WIDTH_PX * ratio);
  canvas.height = Math.round(height * scale * ratio);
  canvas.style.width = `${THUMBNAIL_WIDTH_PX}px`;
  canvas.style.height = `${Math.round(height * scale)}px`;
  await page.render(canvas, { scale, rotation: page.rotate, offsetX: 0, offsetY: 0 }, ratio).promise;
}

// --- calibration -----------------------------------------------------------------------------------------------

async function loadCalibration() {
  state.calibration = null;
  if (config.review) {
    try {
      state.calibration = await api("GET", apiUrl("calibration", { document: state.version.document, page: state.pageNumber }));
    } catch (error) {
      if (!(error instanceof PlanApiError && error.status === 404)) say(t("saveFailed", { detail: error.message }), "error");
    }
  }
  showCalibration();
}

function showCalibration() {
  const line = byId("calibration-state");
  if (!line) return;
  const calibration = state.calibration;
  workspace.dataset.calibrated = calibration && calibration.metres_per_point ? "true" : "false";
  if (!calibration || !calibration.metres_per_point) line.textContent = t("notCalibrated");
  else if (calibration.method === "declared") line.textContent = t("calibratedDeclared", { denominator: number(calibration.scale_denominator, 0) });
  else line.textContent = t("calibratedDrawn", { length: number(calibration.length_m, 2) });
  const input = byId("scale-denominator");
  if (calibration && calibration.method === "declared") input.value = calibration.scale_denominator;
}

async function saveCalibration(body) {
  try {
    state.calibration = await api("PUT", apiUrl("calibration", { document: state.version.document, page: state.pageNumber }), body);
    say(t("saved"));
  } catch (error) {
    say(t("saveFailed", { detail: error.message }), "error");
  }
  showCalibration();
  await loadAnnotations(); // the server measured the page's annotations again
}

// --- annotations -----------------------------------------------------------------------------------------------

async function loadAnnotations() {
  try {
    const answer = await api("GET", apiUrl("annotations", { document: state.version.document }));
    state.annotations = answer.annotations;
  } catch (error) {
    state.annotations = [];
    say(t("saveFailed", { detail: error.message }), "error");
  }
  workspace.dataset.state = "ready";
  if (statusLine.dataset.kind !== "error") say("");
  if (!config.review) linkServerRemarks();
  renderAnnotationList();
  draw();
}

function visibleAnnotations() {
  const withdrawn = byId("show-withdrawn").checked;
  return state.annotations.filter((annotation) => annotation.page === state.pageNumber && (withdrawn || annotation.status !== "withdrawn"));
}

function captionOf(annotation) {
  if (annotation.kind === "stamp") return t(`stamp.${annotation.stamp}`);
  if (annotation.kind === "text") return annotation.text;
  return describe(annotation.measurement);
}

async function saveAnnotation(body) {
  try {
    const annotation = await api("POST", apiUrl("annotations", { document: state.version.document }), { page: state.pageNumber, ...body });
    state.annotations.push(annotation);
    state.selected = new Set([annotation.id]);
    say(t("saved"));
  } catch (error) {
    say(t("saveFailed", { detail: error.message }), "error");
  }
  renderAnnotationList();
  draw();
}

async function changeAnnotation(annotation, method, body = undefined) {
  try {
    const changed = await api(method, apiUrl("annotation", { annotation: annotation.id }), body);
    if (changed) Object.assign(annotation, changed);
    else annotation.status = "withdrawn";
    say(t("saved"));
  } catch (error) {
    say(t("saveFailed", { detail: error.message }), "error");
  }
  renderAnnotationList();
  draw();
}

async function remarkFromAnnotation(annotation) {
  const text = await ask(t("askRemark"), { multiline: true });
  if (!text) return;
  try {
    const remark = await api("POST", apiUrl("annotationRemark", { annotation: annotation.id }), { text });
    annotation.remark = remark.id;
    say(t("remarkCreated"));
    await loadRemarks();
  } catch (error) {
    say(t("saveFailed", { detail: error.message }), "error");
  }
  renderAnnotationList();
}

function renderAnnotationList() {
  const list = byId("annotation-list");
  const annotations = visibleAnnotations();
  if (!annotations.length) {
    list.replaceChildren(h("li", { class: "muted" }, t("noAnnotation")));
    return;
  }
  list.replaceChildren(
    ...annotations.map((annotation) => {
      const actions = [];
      if (config.review && annotation.status !== "withdrawn") {
        const resolved = annotation.status === "resolved";
        actions.push(
          h("button", { type: "button", class: "button button-small", onclick: () => changeAnnotation(annotation, "PATCH", { status: resolved ? "open" : "resolved" }) }, t(resolved ? "reopen" : "resolve")),
          h("button", { type: "button", class: "button button-small", onclick: () => changeAnnotation(annotation, "DELETE") }, t("withdraw")),
        );
        if (!annotation.remark) {
          actions.push(h("button", { type: "button", class: "button button-small", onclick: () => remarkFromAnnotation(annotation) }, t("createRemark")));
        }
      }
      const item = h(
        "li",
        { class: "annotation-item", "data-annotation": annotation.id, "data-status": annotation.status, "aria-current": state.selected.has(annotation.id) ? "true" : "false" },
        h("button", { type: "button", class: "annotation-show", onclick: () => focusAnnotations([annotation.id]) },
          h("span", { class: "swatch", "data-colour": annotation.colour, "aria-hidden": "true" }),
          h("strong", {}, t(`kind.${annotation.kind}`)),
          " ",
          h("span", { class: "annotation-caption" }, captionOf(annotation)),
        ),
        h("div", { class: "annotation-meta muted" },
          h("bdi", {}, annotation.author.display_name), " · ",
          h("bdi", {}, new Date(annotation.created_at).toLocaleDateString(formats.locale)), " · ",
          h("span", { class: `badge annotation-${annotation.status}` }, t(annotation.status)),
          annotation.carried_from ? ` · ${t("carried")}` : "",
          annotation.remark ? h("a", { href: `#remark-${annotation.remark}`, class: "annotation-remark" }, ` · #${annotation.remark}`) : "",
        ),
        actions.length ? h("div", { class: "actions-row" }, actions) : null,
      );
      item.querySelector(".swatch").style.backgroundColor = annotation.colour;
      return item;
    }),
  );
}

// Select annotations (a remark's), go to the page of the first and centre on it.
async function focusAnnotations(ids) {
  state.selected = new Set(ids);
  const first = state.annotations.find((annotation) => ids.includes(annotation.id));
  if (!first) {
    draw();
    return;
  }
  if (first.document !== state.version.document) {
    const version = versionOf(first.document);
    if (version) await openVersion(version, first.page);
  } else if (first.page !== state.pageNumber) {
    await showPage(first.page);
  }
  const xs = first.points.map((point) => point[0]);
  const ys = first.points.map((point) => point[1]);
  view.centreOn([(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2]);
  renderAnnotationList();
}

// --- remarks ---------------------------------------------------------------------------------------------------

// The applicant's remarks are written by the server (with their reply forms): each one whose annotations are on
// this plan gets the button that shows them.
function linkServerRemarks() {
  for (const article of document.querySelectorAll("article.remark")) {
    const id = Number(article.id.replace("remark-", ""));
    const ids = state.annotations.filter((annotation) => annotation.remark === id).map((annotation) => annotation.id);
    article.querySelector(".remark-annotations")?.remove();
    if (!ids.length) continue;
    const button = h("button", { type: "button", class: "button button-small remark-annotations", onclick: () => focusAnnotations(ids) }, t("showAnnotations"));
    article.querySelector(".remark-text").after(button);
  }
}

async function loadRemarks() {
  const list = byId("remark-list");
  if (!list) return;
  let remarks = [];
  try {
    const answer = await api("GET", apiUrl("remarks"));
    remarks = Array.isArray(answer) ? answer : answer.results || answer.remarks || [];
  } catch (error) {
    say(t("saveFailed", { detail: error.message }), "error");
  }
  if (!remarks.length) {
    list.replaceChildren(h("li", { class: "muted" }, t("noRemark")));
    return;
  }
  list.replaceChildren(
    ...remarks.map((remark) =>
      h(
        "li",
        { class: "remark-item", id: `remark-${remark.id}`, "data-remark": remark.id, "data-status": remark.status },
        h("p", { class: "remark-text" }, remark.text),
        h("div", { class: "annotation-meta muted" }, `#${remark.id} · ${remark.status}`),
        (remark.annotations || []).length
          ? h("button", { type: "button", class: "button button-small", onclick: () => focusAnnotations(remark.annotations) }, t("showAnnotations"))
          : null,
      ),
    ),
  );
}

// --- drawing ---------------------------------------------------------------------------------------------------

let drawQueued = false;
function draw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    const svg = view.overlay;
    const [width, height] = view.size;
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    const toStage = (point) => view.toStage(point);
    const shapes = visibleAnnotations().map((annotation) => {
      const group = shapeGroup({ ...annotation, caption: captionOf(annotation) }, toStage);
      group.dataset.annotation = annotation.id;
      if (state.selected.has(annotation.id)) group.classList.add("plan-selected");
      return group;
    });
    if (state.pending) shapes.push(shapeGroup({ ...state.pending, colour: REVIEWER_COLOUR, caption: describe(state.pending.measurement) }, toStage));
    const drawing = tools.shape();
    if (drawing) shapes.push(drawing);
    if (state.searchHit && state.searchHit.page === state.pageNumber) {
      const corners = state.searchHit.corners.map(toStage);
      shapes.push(svgElement("polygon", { class: "plan-search-hit", points: corners.map((point) => point.join(",")).join(" ") }));
    }
    svg.replaceChildren(...shapes);
    const live = byId("measure-live");
    if (live) live.textContent = describe(tools.liveMeasurement() || (state.pending && state.pending.measurement));
    byId("zoom-level").textContent = `${Math.round(view.zoom * 100)}%`;
  });
}

// --- tools -----------------------------------------------------------------------------------------------------

function selectTool(tool) {
  tools.select(tool);
  state.pending = null;
  for (const button of document.querySelectorAll("[data-tool]")) {
    button.setAttribute("aria-pressed", button.dataset.tool === tool ? "true" : "false");
  }
  workspace.dataset.tool = tool;
  draw();
}

async function toolFinished({ tool, kind, points }) {
  if (tool === "calibrate") {
    const length = await ask(t("askLength"), { type: "number" });
    if (length && Number(length) > 0) await saveCalibration({ method: "calibrated", points, length_m: Number(length) });
    return;
  }
  if (TOOLS[tool].measuring) {
    const saved = tool === "measure-rectangle" ? { kind: "area", points: rectangleCorners(points) } : { kind, points };
    const metresPerPoint = state.calibration ? state.calibration.metres_per_point : null;
    state.pending = { ...saved, measurement: measure(saved.kind, saved.points, metresPerPoint) };
    byId("measure-save").hidden = false;
    draw();
    return;
  }
  if (kind === "text") {
    const text = await ask(t("askText"), { multiline: true });
    if (text) await saveAnnotation({ kind, points, text });
    return;
  }
  if (kind === "stamp") {
    await saveAnnotation({ kind, points, stamp: byId("stamp-kind").value });
    return;
  }
  await saveAnnotation({ kind, points: kind === "cloud" ? rectangleCorners(points) : points });
}

async function savePending() {
  if (!state.pending) return;
  const { kind, points } = state.pending;
  state.pending = null;
  byId("measure-save").hidden = true;
  await saveAnnotation({ kind, points });
}

// A small dialog asking one value (the calibration's length, a text): resolves to the value or null.
function ask(label, { type = "text", multiline = false } = {}) {
  const dialog = byId("plan-dialog");
  const field = multiline ? h("textarea", { id: "plan-dialog-value", rows: 3, required: true }) : h("input", { id: "plan-dialog-value", type, step: "any", min: type === "number" ? "0" : null, required: true, inputmode: type === "number" ? "decimal" : null });
  byId("plan-dialog-label").textContent = label;
  byId("plan-dialog-field").replaceChildren(field);
  dialog.returnValue = "";
  dialog.showModal();
  field.focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok" ? field.value.trim() : null), { once: true });
  });
}

// --- search ----------------------------------------------------------------------------------------------------

async function search(query) {
  const needle = query.trim().toLocaleLowerCase();
  const status = byId("plan-search-status");
  if (!needle || !state.document) return;
  if (state.searchQuery === needle && state.searchHits.length) {
    state.searchIndex = (state.searchIndex + 1) % state.searchHits.length;
  } else {
    state.searchQuery = needle;
    state.searchHits = [];
    for (let pageNumber = 1; pageNumber <= state.document.pageCount; pageNumber += 1) {
      const content = await textContentOf(pageNumber);
      for (const item of content.items) {
        if (item.str && item.str.toLocaleLowerCase().includes(needle)) state.searchHits.push({ page: pageNumber, item });
      }
    }
    state.searchIndex = 0;
  }
  status.textContent = state.searchHits.length ? `${t("searchCount", { count: state.searchHits.length })} (${state.searchIndex + 1})` : t("searchNone");
  const hit = state.searchHits[state.searchIndex];
  if (!hit) return;
  const [a, b, c, d, e, f] = hit.item.transform;
  const height = hit.item.height || Math.hypot(c, d);
  const across = Math.hypot(a, b) || 1;
  const [ux, uy] = [a / across, b / across];
  const corners = [[e, f], [e + ux * hit.item.width, f + uy * hit.item.width], [e + ux * hit.item.width - uy * height, f + uy * hit.item.width + ux * height], [e - uy * height, f + ux * height]];
  state.searchHit = { page: hit.page, corners };
  if (hit.page !== state.pageNumber) await showPage(hit.page);
  view.centreOn([e + (ux * hit.item.width) / 2, f + (uy * hit.item.width) / 2]);
}

// --- wiring ----------------------------------------------------------------------------------------------------

function keyboard(event) {
  const target = event.target;
  if (target.closest("input, textarea, select, dialog") || event.ctrlKey || event.metaKey) return;
  const actions = {
    "+": () => view.zoomBy(1.25),
    "=": () => view.zoomBy(1.25),
    "-": () => view.zoomBy(0.8),
    0: () => view.zoomTo(1),
    w: () => view.fit("width"),
    f: () => view.fit("page"),
    r: () => view.rotate(1),
    ArrowLeft: () => view.panBy(PAN_STEP_PX, 0),
    ArrowRight: () => view.panBy(-PAN_STEP_PX, 0),
    ArrowUp: () => view.panBy(0, PAN_STEP_PX),
    ArrowDown: () => view.panBy(0, -PAN_STEP_PX),
    PageUp: () => state.pageNumber > 1 && showPage(state.pageNumber - 1),
    PageDown: () => state.document && state.pageNumber < state.document.pageCount && showPage(state.pageNumber + 1),
    "/": () => byId("plan-search-input").focus(),
    Enter: () => tools.finish(),
    Escape: () => {
      tools.cancel();
      state.pending = null;
      draw();
    },
  };
  const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
  if (!action || (event.key === "Enter" && target.closest("button, a"))) return;
  event.preventDefault();
  action();
}

function wire() {
  view.addEventListener("change", draw);
  tools.addEventListener("change", (event) => {
    const finish = byId("shape-finish");
    if (finish) finish.hidden = !event.detail.finishable;
    draw();
  });
  tools.addEventListener("finished", (event) => toolFinished(event.detail));
  byId("zoom-in").addEventListener("click", () => view.zoomBy(1.25));
  byId("zoom-out").addEventListener("click", () => view.zoomBy(0.8));
  byId("fit-width").addEventListener("click", () => view.fit("width"));
  byId("fit-page").addEventListener("click", () => view.fit("page"));
  byId("rotate").addEventListener("click", () => view.rotate(1));
  byId("page-previous").addEventListener("click", () => showPage(state.pageNumber - 1));
  byId("page-next").addEventListener("click", () => showPage(state.pageNumber + 1));
  byId("plan-version").addEventListener("change", (event) => openVersion(versionOf(Number(event.target.value))));
  byId("plan-search").addEventListener("submit", (event) => {
    event.preventDefault();
    search(byId("plan-search-input").value);
  });
  byId("show-withdrawn").addEventListener("change", () => {
    renderAnnotationList();
    draw();
  });
  document.addEventListener("keydown", keyboard);
  for (const button of document.querySelectorAll("[data-tool]")) {
    button.addEventListener("click", () => selectTool(button.dataset.tool));
  }
  const finish = byId("shape-finish");
  if (finish) finish.addEventListener("click", () => tools.finish());
  const save = byId("measure-save");
  if (save) save.addEventListener("click", savePending);
  const declared = byId("calibration-declared");
  if (declared) {
    declared.addEventListener("submit", (event) => {
      event.preventDefault();
      const denominator = Number(byId("scale-denominator").value);
      if (denominator > 0) saveCalibration({ method: "declared", scale_denominator: denominator });
    });
  }
}

wire();
preloadPdfjs(config.vendor); // the library and its worker load while the plans are listed
loadPlans()
  .catch((error) => {
    say(`${t("loadFailed")} (${error.message})`, "error");
    workspace.dataset.state = "failed";
  })
  .finally(loadRemarks); // after the plan is open: the first page does not wait for the remarks
