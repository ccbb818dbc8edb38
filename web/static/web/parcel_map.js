/**
 * The parcel map: MapLibre GL JS (global `maplibregl`, served from /static/vendor/) over the parcels JSON API.
 *
 * - parcels are drawn from our vector tiles (TileJSON at /tiles/parcels.json, the URL is in `#tiles-config`),
 *   from the layer's minimum zoom on; the map says "zoom in" below it;
 * - a search by reference uses GET /api/parcels/?reference=…, a click uses GET /api/parcels/at/?lon=…&lat=…;
 * - the selected parcel's zones, rules and overlays come from GET /api/parcels/{id}/constraints/.
 *
 * Every string shown comes from the translated catalogue rendered into the page (`#map-strings`). What it shares
 * with the public map comes from `map_common.js`.
 */

import { EMPTY, boundsOf, createMap, h, highlightOnHover, jsonGetter, localProperty } from "./map_common.js";
import { numberFormats, readJson, rememberInUrl, statusShower, styleOf, translator, vectorTiles } from "./map_common.js";

const config = readJson("map-config");
const tilesConfig = readJson("tiles-config");
const t = translator(readJson("map-strings"));

const { locale, decimal, wholeNumber } = numberFormats(config.language);
const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
const COLORS = {
  parcelFill: "#d8e4dc",
  parcelHover: "#b7d3c4",
  parcelLine: "#4f6b5e",
  selected: "#c2410c",
};

const elements = {
  searchForm: document.getElementById("parcel-search"),
  searchInput: document.getElementById("parcel-search-input"),
  status: document.getElementById("parcel-status"),
  details: document.getElementById("parcel-details"),
  mapHint: document.getElementById("map-hint"),
  languageNext: document.getElementById("language-next"),
};

/** The name of a commune or agency in the page's language, falling back to French. */
function localName(record) {
  if (!record) return "";
  return localProperty(record, config.language, "name", "name") || record.code || "";
}

const format = {
  metres: (value) => (value == null ? null : t("metres", { value: decimal.format(value) })),
  squareMetres: (value) => (value == null ? null : t("squareMetres", { value: wholeNumber.format(value) })),
  floors: (value) => (value == null ? null : t("floors", { value: wholeNumber.format(value) })),
  ratio: (value) => (value == null ? null : decimal.format(value)),
  percent: (value) => (value == null ? null : percent.format(value)),
  share: (value) => (value == null ? null : percent.format(value > 1 ? value / 100 : value)),
};

const getJson = jsonGetter({ Accept: "application/json", "Accept-Language": config.language }, t);

// ---------------------------------------------------------------------------------------------------------
// Status messages and the side panel

const showStatus = statusShower(elements.status);

function clearStatus() {
  showStatus("");
}

function definitionList(rows) {
  return h(
    "dl",
    { class: "facts" },
    rows.map(([term, value]) => h("div", { class: "fact" }, h("dt", {}, term), h("dd", {}, value ?? t("notSet")))),
  );
}

function usesList(uses, kind) {
  if (!uses || uses.length === 0) return h("span", { class: "muted" }, t("none"));
  return h(
    "ul",
    { class: `chips chips-${kind}` },
    uses.map((use) => h("li", { class: "chip" }, use)),
  );
}

function rulesTable(zone) {
  const rules = zone.rules || {};
  const rows = [
    [t("maxHeight"), format.metres(rules.max_height_m)],
    [t("maxFloors"), format.floors(rules.max_floors)],
    [t("maxCoverage"), format.percent(rules.max_coverage_ratio)],
    [t("maxFloorArea"), format.ratio(rules.max_floor_area_ratio)],
    [t("setbackRoad"), format.metres(rules.min_setback_road_m)],
    [t("setbackNeighbour"), format.metres(rules.min_setback_neighbour_m)],
  ];
  return h(
    "table",
    { class: "rules" },
    h("caption", { class: "visually-hidden" }, `${t("zoning")} ${zone.code}`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("rule")), h("th", { scope: "col" }, t("limit")))),
    h(
      "tbody",
      {},
      rows.map(([label, value]) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, label),
          h("td", { class: value == null ? "muted" : "" }, value ?? t("notSet")),
        ),
      ),
      h("tr", {}, h("th", { scope: "row" }, t("allowedUses")), h("td", {}, usesList(rules.allowed_uses, "allowed"))),
      h(
        "tr",
        {},
        h("th", { scope: "row" }, t("forbiddenUses")),
        h("td", {}, usesList(rules.forbidden_uses, "forbidden")),
      ),
    ),
  );
}

function zoneCard(zone) {
  const plan = zone.plan && typeof zone.plan === "object" ? zone.plan.name : zone.plan;
  return h(
    "article",
    { class: "zone", "data-zone-code": zone.code },
    h(
      "header",
      { class: "zone-header" },
      h("span", { class: "zone-code", dir: "auto" }, zone.code),
      h("span", { class: "zone-label", dir: "auto" }, zone.label || ""),
      zone.share != null ? h("span", { class: "share" }, t("shareOfParcel", { share: format.share(zone.share) })) : null,
    ),
    plan ? h("p", { class: "zone-plan" }, `${t("plan")} `, h("bdi", {}, plan)) : null,
    rulesTable(zone),
  );
}

function overlayItem(overlay) {
  const agency = overlay.agency;
  return h(
    "li",
    { class: `overlay overlay-${overlay.kind || "other"}`, "data-overlay-reference": overlay.reference },
    h(
      "div",
      { class: "overlay-header" },
      h("span", { class: "badge" }, overlay.kind_label || overlay.kind || ""),
      overlay.share != null
        ? h("span", { class: "share" }, t("shareOfParcel", { share: format.share(overlay.share) }))
        : null,
    ),
    h("p", { class: "overlay-name", dir: "auto" }, overlay.name || overlay.reference),
    overlay.reference ? h("p", { class: "overlay-reference muted", dir: "auto" }, overlay.reference) : null,
    h(
      "p",
      { class: "overlay-agency" },
      h("span", { class: "label" }, `${t("agencyToConsult")} `),
      agency ? h("strong", { dir: "auto" }, localName(agency)) : h("span", { class: "muted" }, t("noAgency")),
    ),
  );
}

function parcelHeader(parcel) {
  return h(
    "header",
    { class: "parcel-header" },
    h(
      "div",
      {},
      h("p", { class: "eyebrow" }, t("parcel")),
      h("h2", { class: "parcel-reference", dir: "auto" }, parcel.reference),
    ),
    h("button", { type: "button", class: "button-ghost", "aria-label": t("close"), onclick: clearSelection }, "×"),
  );
}

function renderParcel(parcel) {
  elements.details.replaceChildren(
    h(
      "article",
      { class: "parcel", "aria-label": t("selectedParcel", { reference: parcel.reference }) },
      parcelHeader(parcel),
      definitionList([
        [t("landTitle"), parcel.land_title ? h("bdi", {}, parcel.land_title) : null],
        [t("commune"), parcel.commune ? h("bdi", {}, localName(parcel.commune)) : null],
        [t("officialArea"), format.squareMetres(parcel.official_area_m2)],
        [t("computedArea"), format.squareMetres(parcel.area_m2)],
      ]),
      h("div", { class: "constraints", id: "parcel-constraints" }, h("p", { class: "loading" }, t("loading"))),
    ),
  );
}

function renderConstraints(constraints) {
  const zones = constraints.zones || [];
  const overlays = constraints.overlays || [];
  const agencies = constraints.agencies || [];
  const container = document.getElementById("parcel-constraints");
  if (!container) return;
  const sections = [
    h(
      "section",
      { class: "section", "aria-labelledby": "zoning-title" },
      h("h3", { id: "zoning-title" }, t("zoning")),
      zones.length ? zones.map(zoneCard) : h("p", { class: "muted" }, t("noZone")),
    ),
    h(
      "section",
      { class: "section", "aria-labelledby": "overlays-title" },
      h("h3", { id: "overlays-title" }, t("overlays")),
      overlays.length
        ? h("ul", { class: "overlays" }, overlays.map(overlayItem))
        : h("p", { class: "muted" }, t("noOverlay")),
    ),
    agencies.length
      ? h(
          "section",
          { class: "section", "aria-labelledby": "agencies-title" },
          h("h3", { id: "agencies-title" }, t("agencies")),
          h(
            "ul",
            { class: "agencies" },
            agencies.map((agency) => h("li", { dir: "auto" }, localName(agency))),
          ),
        )
      : null,
  ];
  container.replaceChildren(...sections.filter(Boolean));
}

function renderChoices(features, onChoose) {
  elements.details.replaceChildren(
    h(
      "div",
      { class: "choices" },
      h("p", {}, t("severalParcels")),
      h(
        "ul",
        {},
        features.map((feature) =>
          h(
            "li",
            {},
            h(
              "button",
              { type: "button", class: "choice", onclick: () => onChoose(feature) },
              h("strong", { dir: "auto" }, feature.properties.reference),
              h("span", { class: "muted" }, localName(feature.properties.commune)),
            ),
          ),
        ),
      ),
    ),
  );
  elements.details.querySelector("button.choice")?.focus();
}

function renderEmpty() {
  elements.details.replaceChildren(...initialDetails.map((node) => node.cloneNode(true)));
}

const initialDetails = [...elements.details.childNodes].map((node) => node.cloneNode(true));

// ---------------------------------------------------------------------------------------------------------
// The map

function mapStyle() {
  return styleOf(
    {
      // The tiles carry each parcel's id as the feature id (hover state) and its reference.
      parcels: vectorTiles(tilesConfig.parcels),
      selected: { type: "geojson", data: EMPTY },
    },
    [
      {
        id: "parcels-fill",
        type: "fill",
        source: "parcels",
        "source-layer": "parcels",
        paint: {
          "fill-color": ["case", ["boolean", ["feature-state", "hover"], false], COLORS.parcelHover, COLORS.parcelFill],
          "fill-opacity": 0.85,
        },
      },
      {
        id: "parcels-line",
        type: "line",
        source: "parcels",
        "source-layer": "parcels",
        paint: {
          "line-color": COLORS.parcelLine,
          "line-width": ["interpolate", ["linear"], ["zoom"], 14, 0.4, 18, 1.4],
        },
      },
      {
        id: "selected-fill",
        type: "fill",
        source: "selected",
        paint: { "fill-color": COLORS.selected, "fill-opacity": 0.22 },
      },
      {
        id: "selected-line",
        type: "line",
        source: "selected",
        paint: { "line-color": COLORS.selected, "line-width": 3 },
      },
    ],
  );
}

const map = createMap(
  {
    style: mapStyle(),
    bounds: config.bounds,
    fitBoundsOptions: { padding: 24, maxZoom: 17 },
    maxZoom: 21,
    cooperativeGestures: false,
  },
  { rtl: config.rtl, onUnavailable: () => showStatus(t("mapUnavailable"), "error") },
);
window.parcelMap = map;
// Opened on every loaded parcel, the map may be too far out to draw any: come closer, on the same centre.
if (config.hasParcels && map.getZoom() < config.minZoom) map.jumpTo({ zoom: config.minZoom });

// Parcels of the current view -----------------------------------------------------------------------------
// MapLibre fetches the parcel tiles itself; the page only says when the view is too far out to show parcels,
// and records how many parcels are drawn (for people debugging and for the browser tests).

function showMapHint(message) {
  elements.mapHint.hidden = !message;
  elements.mapHint.textContent = message || "";
}

function refreshParcelsHint() {
  const tooFar = map.getZoom() < config.minZoom;
  showMapHint(tooFar ? t("zoomIn") : "");
  if (tooFar) document.documentElement.dataset.parcelsShown = "0";
}

function countShownParcels() {
  if (map.getZoom() < config.minZoom) return;
  const shown = new Set(map.queryRenderedFeatures({ layers: ["parcels-fill"] }).map((feature) => feature.id));
  document.documentElement.dataset.parcelsShown = String(shown.size);
}

// Selection -----------------------------------------------------------------------------------------------

let constraintsRequest = null;
let selectedFeature = null;

function rememberSelection(parcel) {
  rememberInUrl({ reference: parcel?.reference, commune: parcel?.commune?.code }, elements.languageNext);
}

async function selectParcel(feature, { fly = false } = {}) {
  selectedFeature = feature;
  const parcel = { ...feature.properties, id: feature.properties.id ?? feature.id };
  clearStatus();
  map.getSource("selected").setData({ type: "FeatureCollection", features: [feature] });
  if (fly && feature.geometry) {
    map.fitBounds(boundsOf(feature.geometry), { padding: 80, maxZoom: 17.5, duration: 600 });
  }
  renderParcel(parcel);
  rememberSelection(parcel);
  elements.searchInput.value = parcel.reference;
  // On a phone the panel sits under the map: bring the parcel's details into view.
  if (window.matchMedia("(max-width: 820px)").matches) {
    elements.details.scrollIntoView({ behavior: "smooth", block: "start" });
  }
  document.documentElement.dataset.selectedParcel = parcel.reference;

  constraintsRequest?.abort();
  const request = new AbortController();
  constraintsRequest = request;
  try {
    const constraints = await getJson(config.api.constraints.replace("{id}", encodeURIComponent(parcel.id)), {
      signal: request.signal,
    });
    if (request !== constraintsRequest) return;
    renderConstraints(constraints);
  } catch (error) {
    if (error.name === "AbortError") return;
    const container = document.getElementById("parcel-constraints");
    container?.replaceChildren(h("p", { class: "status status-error", role: "alert" }, error.message));
  }
}

function clearSelection() {
  selectedFeature = null;
  constraintsRequest?.abort();
  map.getSource("selected").setData(EMPTY);
  delete document.documentElement.dataset.selectedParcel;
  rememberSelection(null);
  renderEmpty();
  clearStatus();
  elements.searchInput.focus();
}

function chooseAmong(features, options) {
  if (features.length === 1) {
    selectParcel(features[0], options);
  } else {
    renderChoices(features, (feature) => selectParcel(feature, options));
  }
}

// Search by reference --------------------------------------------------------------------------------------

async function searchReference(reference, commune = "") {
  if (!reference) {
    showStatus(t("emptyReference"), "warning");
    elements.searchInput.focus();
    return;
  }
  showStatus(t("searching"), "info");
  const params = new URLSearchParams({ reference });
  if (commune) params.set("commune", commune);
  try {
    const result = await getJson(`${config.api.parcels}?${params}`);
    const features = result.features || [];
    if (features.length === 0) {
      showStatus(t("notFound", { reference }), "warning");
      return;
    }
    clearStatus();
    chooseAmong(features, { fly: true });
  } catch (error) {
    showStatus(error.message, "error");
  }
}

elements.searchForm.addEventListener("submit", (event) => {
  event.preventDefault();
  searchReference(elements.searchInput.value.trim());
});

// Click on the map ------------------------------------------------------------------------------------------

async function lookupAt(lngLat) {
  const params = new URLSearchParams({ lon: lngLat.lng.toFixed(7), lat: lngLat.lat.toFixed(7) });
  try {
    const result = await getJson(`${config.api.parcelsAt}?${params}`);
    const features = result.features || [];
    if (features.length === 0) {
      showStatus(t("noParcelHere"), "warning");
      return;
    }
    chooseAmong(features, { fly: false });
  } catch (error) {
    showStatus(error.message, "error");
  }
}

map.on("click", (event) => lookupAt(event.lngLat));

highlightOnHover(map, { source: "parcels", sourceLayer: "parcels" }, ["parcels-fill"]);

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && selectedFeature) clearSelection();
});

// Start ------------------------------------------------------------------------------------------------------

map.on("load", () => {
  document.documentElement.dataset.mapReady = "true";
  refreshParcelsHint();
  map.on("moveend", refreshParcelsHint);
  map.on("idle", countShownParcels);
  const query = new URLSearchParams(window.location.search);
  const reference = query.get("reference");
  if (reference) {
    elements.searchInput.value = reference;
    searchReference(reference, query.get("commune") || "");
  }
});
