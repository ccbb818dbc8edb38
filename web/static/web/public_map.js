/**
 * The public map of authorised projects: MapLibre GL JS (global `maplibregl`, served from /static/vendor/) over
 * our vector tiles (TileJSON at /tiles/{layer}.json for authorised_projects, zones and overlays).
 *
 * - the filters (procedure, commune, decision dates) become a MapLibre filter expression on the tile attributes;
 * - a click on a project opens a pop-up (reference, procedure in the page's language, decision date, use,
 *   height, floors, floor area, commune and, when the decision carries one, a link to its verification page);
 * - zoning and overlays are switched on from the panel, overlays coloured by kind;
 * - a search by file reference reads the OGC API Features (authorised_projects?reference=…), a search by parcel
 *   reference the public parcels API; the map flies to the result.
 *
 * Every string shown comes from the translated catalogue rendered into the page (`#map-strings`). What it shares
 * with the parcel map comes from `map_common.js`.
 */

import { EMPTY, boundsOf, createMap, h, highlightOnHover, jsonGetter, localProperty } from "./map_common.js";
import { numberFormats, readJson, rememberInUrl, statusShower, styleOf, translator, vectorTiles } from "./map_common.js";

const config = readJson("map-config");
const strings = readJson("map-strings");
const t = translator(strings);

const { locale, decimal, wholeNumber } = numberFormats(config.language);
const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" });
const COLORS = {
  project: "#c2410c",
  projectLine: "#7c2d12",
  zone: "#4f7cac",
  highlight: "#f2b134",
  parcel: "#0f5e55",
};
const OVERLAY_COLORS = {
  heritage: "#8e44ad",
  flood_risk: "#2e86de",
  airport: "#6c757d",
  road_widening: "#d35400",
  utility_corridor: "#16a085",
  special_district: "#b7950b",
  other: "#7f8c8d",
};
const PROJECT_LAYERS = ["projects-fill", "projects-line", "projects-points"];
const ZONE_LAYERS = ["zones-fill", "zones-line"];
const OVERLAY_LAYERS = ["overlays-fill", "overlays-line"];

const elements = {
  searchForm: document.getElementById("map-search"),
  searchInput: document.getElementById("map-search-input"),
  status: document.getElementById("map-status"),
  filters: document.getElementById("map-filters"),
  procedure: document.getElementById("filter-procedure"),
  commune: document.getElementById("filter-commune"),
  from: document.getElementById("filter-from"),
  to: document.getElementById("filter-to"),
  count: document.getElementById("projects-count"),
  toggleProjects: document.getElementById("toggle-projects"),
  toggleZones: document.getElementById("toggle-zones"),
  toggleOverlays: document.getElementById("toggle-overlays"),
  languageNext: document.getElementById("language-next"),
};

/** A translated sentence as DOM nodes, each placeholder's value isolated in a left-to-right <bdi> that does not
 * wrap (a Latin file reference inside an Arabic sentence keeps its order). */
function tNodes(key, params = {}) {
  const template = strings[key] ?? key;
  return template
    .split(/(%\(\w+\)s)/)
    .filter((part) => part !== "")
    .map((part) => {
      const match = part.match(/^%\((\w+)\)s$/);
      return match ? h("bdi", { dir: "ltr", class: "reference-value" }, String(params[match[1]] ?? "")) : part;
    });
}

const format = {
  metres: (value) => (value == null || value === "" ? null : t("metres", { value: decimal.format(value) })),
  squareMetres: (value) =>
    value == null || value === "" ? null : t("squareMetres", { value: wholeNumber.format(value) }),
  number: (value) => (value == null || value === "" ? null : wholeNumber.format(value)),
  date: (value) => {
    if (!value) return null;
    const date = new Date(`${String(value).slice(0, 10)}T00:00:00Z`);
    return Number.isNaN(date.getTime()) ? String(value) : dateFormat.format(date);
  },
};

const showStatus = statusShower(elements.status);
const getJson = jsonGetter({ Accept: "application/geo+json, application/json" }, t);

// ---------------------------------------------------------------------------------------------------------
// The style: no basemap, our layers only

function overlayColor() {
  const match = ["match", ["get", "kind"]];
  for (const [kind, color] of Object.entries(OVERLAY_COLORS)) match.push(kind, color);
  match.push(OVERLAY_COLORS.other);
  return match;
}

function mapStyle() {
  const isPolygon = ["==", ["geometry-type"], "Polygon"];
  const isPoint = ["==", ["geometry-type"], "Point"];
  return styleOf(
    {
      zones: vectorTiles(config.tiles.zones),
      overlays: vectorTiles(config.tiles.overlays),
      projects: vectorTiles(config.tiles.authorised_projects),
      found: { type: "geojson", data: EMPTY },
    },
    [
      {
        id: "zones-fill",
        type: "fill",
        source: "zones",
        "source-layer": "zones",
        layout: { visibility: "none" },
        paint: { "fill-color": COLORS.zone, "fill-opacity": 0.12 },
      },
      {
        id: "zones-line",
        type: "line",
        source: "zones",
        "source-layer": "zones",
        layout: { visibility: "none" },
        paint: { "line-color": COLORS.zone, "line-width": 1.2, "line-dasharray": [3, 2] },
      },
      {
        id: "overlays-fill",
        type: "fill",
        source: "overlays",
        "source-layer": "overlays",
        layout: { visibility: "none" },
        paint: { "fill-color": overlayColor(), "fill-opacity": 0.18 },
      },
      {
        id: "overlays-line",
        type: "line",
        source: "overlays",
        "source-layer": "overlays",
        layout: { visibility: "none" },
        paint: { "line-color": overlayColor(), "line-width": 1.5 },
      },
      {
        id: "projects-fill",
        type: "fill",
        source: "projects",
        "source-layer": "authorised_projects",
        filter: isPolygon,
        paint: {
          "fill-color": ["case", ["boolean", ["feature-state", "hover"], false], COLORS.highlight, COLORS.project],
          "fill-opacity": 0.55,
        },
      },
      {
        id: "projects-line",
        type: "line",
        source: "projects",
        "source-layer": "authorised_projects",
        filter: isPolygon,
        paint: { "line-color": COLORS.projectLine, "line-width": ["interpolate", ["linear"], ["zoom"], 12, 0.8, 18, 2] },
      },
      {
        id: "projects-points",
        type: "circle",
        source: "projects",
        "source-layer": "authorised_projects",
        filter: isPoint,
        paint: {
          "circle-color": COLORS.project,
          "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 3, 14, 6],
          "circle-stroke-color": "#ffffff",
          "circle-stroke-width": 1.2,
        },
      },
      {
        id: "found-line",
        type: "line",
        source: "found",
        paint: { "line-color": COLORS.highlight, "line-width": 3 },
      },
    ],
  );
}

const map = createMap(
  { style: mapStyle(), bounds: config.bounds, fitBoundsOptions: { padding: 64, maxZoom: 17 }, maxZoom: 20 },
  { rtl: config.rtl, onUnavailable: () => showStatus(t("mapUnavailable"), "error") },
);
window.publicMap = map;

// ---------------------------------------------------------------------------------------------------------
// Filters: one expression on the tile attributes, applied to the three project layers

function projectFilter() {
  const conditions = [];
  if (elements.procedure.value) conditions.push(["==", ["to-string", ["get", "procedure"]], elements.procedure.value]);
  if (elements.commune.value) conditions.push(["==", ["to-string", ["get", "commune_code"]], elements.commune.value]);
  const date = ["slice", ["to-string", ["get", "decision_date"]], 0, 10];
  if (elements.from.value) conditions.push([">=", date, elements.from.value]);
  if (elements.to.value) conditions.push(["all", ["!=", date, ""], ["<=", date, elements.to.value]]);
  return conditions;
}

function applyFilters() {
  const conditions = projectFilter();
  const geometry = {
    "projects-fill": ["==", ["geometry-type"], "Polygon"],
    "projects-line": ["==", ["geometry-type"], "Polygon"],
    "projects-points": ["==", ["geometry-type"], "Point"],
  };
  for (const [layer, base] of Object.entries(geometry)) map.setFilter(layer, ["all", base, ...conditions]);
  rememberState();
  document.documentElement.dataset.filters = JSON.stringify(conditions.length);
}

function countShownProjects() {
  if (!elements.toggleProjects.checked) {
    elements.count.textContent = "";
    document.documentElement.dataset.projectsShown = "0";
    return;
  }
  const shown = new Set(
    map.queryRenderedFeatures({ layers: ["projects-fill", "projects-points"] }).map((feature) => feature.id),
  );
  document.documentElement.dataset.projectsShown = String(shown.size);
  elements.count.textContent = shown.size ? t("shownProjects", { count: wholeNumber.format(shown.size) }) : t("noProjectShown");
}

elements.filters.addEventListener("change", applyFilters);
elements.filters.addEventListener("input", applyFilters);
elements.filters.addEventListener("reset", () => window.setTimeout(applyFilters, 0));
elements.filters.addEventListener("submit", (event) => event.preventDefault());

// ---------------------------------------------------------------------------------------------------------
// Layers that can be switched on and off

function setVisible(layers, visible) {
  for (const layer of layers) map.setLayoutProperty(layer, "visibility", visible ? "visible" : "none");
}

elements.toggleProjects.addEventListener("change", () => setVisible(PROJECT_LAYERS, elements.toggleProjects.checked));
elements.toggleZones.addEventListener("change", () => {
  setVisible(ZONE_LAYERS, elements.toggleZones.checked);
  rememberState();
});
elements.toggleOverlays.addEventListener("change", () => {
  setVisible(OVERLAY_LAYERS, elements.toggleOverlays.checked);
  rememberState();
});

// ---------------------------------------------------------------------------------------------------------
// Pop-ups

// The map's click handler opens and closes it (MapLibre's own close-on-click would close a pop-up just reopened).
const popup = new maplibregl.Popup({ closeButton: true, closeOnClick: false, maxWidth: "320px", className: "project-popup" });

function factsList(rows) {
  return h(
    "dl",
    { class: "popup-facts" },
    rows
      .filter(([, value]) => value != null && value !== "")
      .map(([term, value]) => h("div", {}, h("dt", {}, term), h("dd", {}, h("bdi", {}, value)))),
  );
}

function projectPopup(properties) {
  const verify = properties.verification_token
    ? h(
        "a",
        {
          class: "verify-link",
          href: config.api.verify.replace("{token}", encodeURIComponent(properties.verification_token)),
          target: "_blank",
          rel: "noopener",
        },
        t("verifyDecision"),
      )
    : null;
  return h(
    "article",
    { class: "popup-project", "data-reference": properties.reference },
    h("p", { class: "eyebrow" }, t("authorisedProject")),
    h("h2", { class: "popup-reference", dir: "ltr" }, properties.reference),
    factsList([
      [t("procedure"), localProperty(properties, config.language, "procedure_name", "procedure")],
      [t("decisionDate"), format.date(properties.decision_date)],
      [t("use"), properties.use ? config.uses[properties.use] || properties.use : null],
      [t("height"), format.metres(properties.height_m)],
      [t("floors"), format.number(properties.floors)],
      [t("floorArea"), format.squareMetres(properties.gross_floor_area_m2)],
      [t("units"), format.number(properties.units)],
      [t("commune"), localProperty(properties, config.language, "commune_name", "commune_code")],
    ]),
    verify,
  );
}

function zonePopup(properties) {
  return h(
    "article",
    { class: "popup-zone" },
    h("p", { class: "eyebrow" }, t("zone")),
    h("h2", { dir: "auto" }, `${properties.code || ""} ${properties.label || ""}`.trim()),
    factsList([
      [t("plan"), properties.plan],
      [t("maxHeight"), format.metres(properties.max_height_m)],
      [t("maxFloors"), format.number(properties.max_floors)],
    ]),
  );
}

function overlayPopup(properties) {
  const kind = config.overlayKinds.find((entry) => entry.code === properties.kind);
  const agency = localProperty(properties, config.language, "agency_name", "agency_code");
  return h(
    "article",
    { class: "popup-overlay" },
    h("p", { class: "eyebrow" }, kind ? kind.label : t("overlay")),
    h("h2", { dir: "auto" }, properties.name || properties.reference || ""),
    agency ? h("p", {}, `${t("agencyToConsult")} `, h("bdi", {}, agency)) : null,
  );
}

function openPopup(lngLat, content) {
  popup.setLngLat(lngLat).setDOMContent(content).addTo(map);
}

function visibleLayers(layers) {
  return layers.filter((layer) => map.getLayoutProperty(layer, "visibility") !== "none");
}

map.on("click", (event) => {
  const box = [
    [event.point.x - 4, event.point.y - 4],
    [event.point.x + 4, event.point.y + 4],
  ];
  const project = map.queryRenderedFeatures(box, { layers: visibleLayers(["projects-fill", "projects-points"]) })[0];
  if (project) {
    openPopup(event.lngLat, projectPopup(project.properties));
    return;
  }
  const overlay = map.queryRenderedFeatures(event.point, { layers: visibleLayers(["overlays-fill"]) })[0];
  if (overlay) {
    openPopup(event.lngLat, overlayPopup(overlay.properties));
    return;
  }
  const zone = map.queryRenderedFeatures(event.point, { layers: visibleLayers(["zones-fill"]) })[0];
  if (zone) openPopup(event.lngLat, zonePopup(zone.properties));
  else popup.remove();
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") popup.remove();
});

highlightOnHover(map, { source: "projects", sourceLayer: "authorised_projects" }, ["projects-fill", "projects-points"]);

// ---------------------------------------------------------------------------------------------------------
// Search by file reference (OGC API Features) or by parcel reference (parcels API)

function searchKind() {
  return elements.searchForm.querySelector('input[name="kind"]:checked')?.value || "project";
}

function showFound(feature) {
  map.getSource("found").setData({ type: "FeatureCollection", features: [feature] });
  const bounds = boundsOf(feature.geometry);
  map.fitBounds(bounds, { padding: 120, maxZoom: 18, duration: 800 });
  return bounds.getCenter();
}

async function search(reference, kind) {
  if (!reference) {
    showStatus(t("emptySearch"), "warning");
    elements.searchInput.focus();
    return;
  }
  showStatus(t("searching"));
  popup.remove();
  try {
    if (kind === "parcel") {
      const result = await getJson(`${config.api.parcels}?${new URLSearchParams({ reference })}`);
      const feature = (result.features || []).find((entry) => entry.geometry);
      if (!feature) {
        showStatus(tNodes("parcelNotFound", { reference }), "warning");
        return;
      }
      showFound(feature);
      showStatus(tNodes("parcelFound", { reference: feature.properties?.reference || reference }));
    } else {
      const params = new URLSearchParams({ reference, f: "json", limit: "10" });
      const result = await getJson(`${config.api.projects}?${params}`);
      const feature = (result.features || []).find((entry) => entry.geometry);
      if (!feature) {
        showStatus(tNodes("projectNotFound", { reference }), "warning");
        return;
      }
      const center = showFound(feature);
      showStatus(tNodes("projectFound", { reference: feature.properties.reference }));
      map.once("moveend", () => openPopup(center, projectPopup(feature.properties)));
    }
    rememberState(reference, kind);
  } catch (error) {
    showStatus(error.message, "error");
  }
}

elements.searchForm.addEventListener("submit", (event) => {
  event.preventDefault();
  search(elements.searchInput.value.trim(), searchKind());
});

// ---------------------------------------------------------------------------------------------------------
// The state in the URL (kept when the language changes)

let lastSearch = { reference: "", kind: "project" };
function rememberState(reference = lastSearch.reference, kind = lastSearch.kind) {
  lastSearch = { reference, kind };
  const values = {
    procedure: elements.procedure.value,
    commune: elements.commune.value,
    from: elements.from.value,
    to: elements.to.value,
    zones: elements.toggleZones.checked ? "1" : "",
    overlays: elements.toggleOverlays.checked ? "1" : "",
    q: reference,
    kind: reference && kind !== "project" ? kind : "",
  };
  rememberInUrl(values, elements.languageNext);
}

function restoreState() {
  const query = new URLSearchParams(window.location.search);
  const setSelect = (select, value) => {
    if (value && [...select.options].some((option) => option.value === value)) select.value = value;
  };
  setSelect(elements.procedure, query.get("procedure"));
  setSelect(elements.commune, query.get("commune"));
  if (/^\d{4}-\d{2}-\d{2}$/.test(query.get("from") || "")) elements.from.value = query.get("from");
  if (/^\d{4}-\d{2}-\d{2}$/.test(query.get("to") || "")) elements.to.value = query.get("to");
  elements.toggleZones.checked = query.get("zones") === "1";
  elements.toggleOverlays.checked = query.get("overlays") === "1";
  setVisible(ZONE_LAYERS, elements.toggleZones.checked);
  setVisible(OVERLAY_LAYERS, elements.toggleOverlays.checked);
  applyFilters();
  const reference = query.get("q");
  if (reference) {
    const kind = query.get("kind") === "parcel" ? "parcel" : "project";
    elements.searchInput.value = reference;
    const radio = elements.searchForm.querySelector(`input[name="kind"][value="${kind}"]`);
    if (radio) radio.checked = true;
    search(reference, kind);
  }
}

map.on("load", () => {
  restoreState();
  map.on("idle", countShownProjects);
  document.documentElement.dataset.mapReady = "true";
});
