// The "parcels and footprint" step of the new-file wizard: choose the parcels of the project (click on the map,
// or search by reference through the parcels API) and draw the building's footprint by clicking its corners.
// The choice is kept in two hidden inputs of the server-rendered form (`parcels`: ids, `footprint`: GeoJSON).

const config = JSON.parse(document.getElementById("site-config").textContent);
const strings = JSON.parse(document.getElementById("wizard-strings").textContent);

function t(key, values = {}) {
  return (strings[key] || key).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

const COLORS = { background: "#eef2ef", parcelFill: "#ffffff", parcelLine: "#7a8c85", selected: "#0f5e55", footprint: "#c2410c" };
const EMPTY = { type: "FeatureCollection", features: [] };
const form = document.getElementById("site-form");
const statusLine = document.getElementById("map-status");
const chips = document.getElementById("parcel-chips");
const parcelsInput = form.querySelector('input[name="parcels"]');
const footprintInput = form.querySelector('input[name="footprint"]');
const footprintState = document.getElementById("footprint-state");

const selected = new Map(config.parcels.map((feature) => [feature.id, feature]));
let mode = "parcels";
let corners = [];
let footprint = config.footprint;
if (footprint?.type === "MultiPolygon" && footprint.coordinates.length === 1) {
  footprint = { type: "Polygon", coordinates: footprint.coordinates[0] };
}

function showStatus(text, kind = "info") {
  statusLine.textContent = text || "";
  statusLine.classList.toggle("error", kind === "error");
}

async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json", "Accept-Language": config.language } });
  } catch {
    throw new Error(t("networkError"));
  }
  if (!response.ok) {
    let detail = `${response.status}`;
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title || detail;
    } catch {
      // not a problem document
    }
    const error = new Error(t("apiError", { detail }));
    error.status = response.status;
    throw error;
  }
  return response.json();
}

// --- state -> form and map ------------------------------------------------------------------------------

function renderChips() {
  chips.replaceChildren();
  if (!selected.size) {
    const empty = document.createElement("li");
    empty.className = "muted";
    empty.textContent = t("noParcelChosen");
    chips.append(empty);
  }
  for (const [id, feature] of selected) {
    const item = document.createElement("li");
    item.dataset.parcel = String(id);
    const label = document.createElement("span");
    label.className = "parcel-reference";
    label.textContent = feature.properties.reference;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = t("remove");
    remove.setAttribute("aria-label", `${t("remove")} ${feature.properties.reference}`);
    remove.addEventListener("click", () => {
      selected.delete(id);
      update();
    });
    item.append(label, remove);
    chips.append(item);
  }
}

function footprintFeature() {
  if (corners.length >= 3) {
    return { type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[...corners, corners[0]]] } };
  }
  if (corners.length) return { type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: corners } };
  if (footprint) return { type: "Feature", properties: {}, geometry: footprint };
  return null;
}

function update() {
  parcelsInput.value = [...selected.keys()].join(",");
  footprintInput.value = footprint ? JSON.stringify(footprint) : "";
  renderChips();
  if (corners.length) footprintState.textContent = t("corners", { count: corners.length });
  else if (footprint) footprintState.textContent = t("footprintDrawn", { count: footprint.coordinates[0].length - 1 });
  else footprintState.textContent = t("noFootprint");
  if (!map?.isStyleLoaded()) return;
  map.getSource("selected").setData({ type: "FeatureCollection", features: [...selected.values()] });
  const feature = footprintFeature();
  map.getSource("footprint").setData({ type: "FeatureCollection", features: feature ? [feature] : [] });
  map.getSource("corners").setData({
    type: "FeatureCollection",
    features: corners.map((point) => ({ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: point } })),
  });
}

function addParcel(feature) {
  if (feature.properties?.commune?.code && feature.properties.commune.code !== config.commune) {
    showStatus(t("otherCommune"), "error");
    return;
  }
  selected.set(feature.id, { type: "Feature", id: feature.id, geometry: feature.geometry, properties: { reference: feature.properties.reference } });
  showStatus("");
  update();
}

// --- the map ----------------------------------------------------------------------------------------------

let map;
try {
  map = new maplibregl.Map({
    container: "map",
    style: {
      version: 8,
      sources: {
        parcels: { type: "vector", url: new URL(config.tiles, window.location.href).href },
        selected: { type: "geojson", data: EMPTY },
        footprint: { type: "geojson", data: EMPTY },
        corners: { type: "geojson", data: EMPTY },
      },
      layers: [
        { id: "background", type: "background", paint: { "background-color": COLORS.background } },
        { id: "parcels-fill", type: "fill", source: "parcels", "source-layer": "parcels", paint: { "fill-color": COLORS.parcelFill, "fill-opacity": 0.85 } },
        { id: "parcels-line", type: "line", source: "parcels", "source-layer": "parcels", paint: { "line-color": COLORS.parcelLine, "line-width": 0.8 } },
        { id: "selected-fill", type: "fill", source: "selected", paint: { "fill-color": COLORS.selected, "fill-opacity": 0.2 } },
        { id: "selected-line", type: "line", source: "selected", paint: { "line-color": COLORS.selected, "line-width": 2.5 } },
        { id: "footprint-fill", type: "fill", source: "footprint", filter: ["==", ["geometry-type"], "Polygon"], paint: { "fill-color": COLORS.footprint, "fill-opacity": 0.35 } },
        { id: "footprint-line", type: "line", source: "footprint", paint: { "line-color": COLORS.footprint, "line-width": 2, "line-dasharray": [2, 1] } },
        { id: "corners", type: "circle", source: "corners", paint: { "circle-radius": 5, "circle-color": "#fff", "circle-stroke-color": COLORS.footprint, "circle-stroke-width": 2 } },
      ],
    },
    bounds: config.bounds,
    fitBoundsOptions: { padding: 40, maxZoom: 18 },
    maxZoom: 21,
    attributionControl: false,
  });
} catch (error) {
  showStatus(t("mapUnavailable"), "error");
  throw error;
}
window.wizardMap = map;
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), config.rtl ? "top-left" : "top-right");
map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), config.rtl ? "bottom-right" : "bottom-left");
map.on("load", () => {
  update();
  document.documentElement.dataset.mapReady = "true";
});

map.on("click", async (event) => {
  const { lng, lat } = event.lngLat;
  if (mode === "draw") {
    corners.push([Number(lng.toFixed(7)), Number(lat.toFixed(7))]);
    footprint = null;
    update();
    return;
  }
  showStatus(t("searching"));
  try {
    const result = await getJson(`${config.api.parcelsAt}?${new URLSearchParams({ lon: lng, lat })}`);
    if (!result.features.length) {
      showStatus(t("noParcelHere"), "error");
      return;
    }
    const feature = result.features[0];
    if (selected.has(feature.id)) {
      selected.delete(feature.id);
      showStatus("");
      update();
    } else addParcel(feature);
  } catch (error) {
    showStatus(error.status === 400 ? t("noParcelHere") : error.message, "error");
  }
});

// --- controls ---------------------------------------------------------------------------------------------

function setMode(next) {
  mode = next;
  document.getElementById("mode-parcels").setAttribute("aria-pressed", String(mode === "parcels"));
  document.getElementById("mode-draw").setAttribute("aria-pressed", String(mode === "draw"));
  map.getCanvas().style.cursor = mode === "draw" ? "crosshair" : "";
  showStatus(mode === "draw" ? t("drawHint") : t("selectHint"));
}
document.getElementById("mode-parcels").addEventListener("click", () => setMode("parcels"));
document.getElementById("mode-draw").addEventListener("click", () => setMode("draw"));

document.getElementById("draw-finish").addEventListener("click", () => {
  if (corners.length < 3) {
    showStatus(t("needThreeCorners"), "error");
    return;
  }
  footprint = { type: "Polygon", coordinates: [[...corners, corners[0]]] };
  corners = [];
  showStatus("");
  update();
});
document.getElementById("draw-undo").addEventListener("click", () => {
  corners.pop();
  update();
});
document.getElementById("draw-clear").addEventListener("click", () => {
  corners = [];
  footprint = null;
  update();
});

async function search() {
  const reference = document.getElementById("parcel-reference").value.trim();
  if (!reference) return;
  showStatus(t("searching"));
  try {
    const params = new URLSearchParams({ reference, commune: config.commune });
    const result = await getJson(`${config.api.parcels}?${params}`);
    if (!result.features.length) {
      showStatus(t("notFound", { reference }), "error");
      return;
    }
    const feature = result.features[0];
    addParcel(feature);
    const bounds = new maplibregl.LngLatBounds();
    const visit = (c) => (typeof c[0] === "number" ? bounds.extend(c) : c.forEach(visit));
    visit(feature.geometry.coordinates);
    map.fitBounds(bounds, { padding: 80, maxZoom: 19, duration: 0 });
  } catch (error) {
    showStatus(error.message, "error");
  }
}
document.getElementById("parcel-search").addEventListener("click", search);
document.getElementById("parcel-reference").addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    search();
  }
});
form.addEventListener("submit", () => {
  if (corners.length >= 3) {
    footprint = { type: "Polygon", coordinates: [[...corners, corners[0]]] };
    corners = [];
    update();
  }
});

update();
showStatus(t("selectHint"));
