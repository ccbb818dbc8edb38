// The back office's site inspection page (web/templates/web/inspection_office.html): a small MapLibre map of the
// parcel, the footprint and the photos taken (numbered as in the list), and, while the report is open, the
// phone's position (browser geolocation) kept in the photo form's hidden fields so that it is sent with each photo.
// The photo's own EXIF GPS is read on the server; either may be missing.

import { createMap, readJson, styleOf, translator } from "./map_common.js";

const config = readJson("inspection-map-config");
const stringsElement = document.getElementById("inspection-strings");
const t = translator(stringsElement ? JSON.parse(stringsElement.textContent) : {});
const mapStatus = document.getElementById("map-status");

function boundsOf(config) {
  if (config.bounds) return config.bounds;
  const points = config.photos.features.map((feature) => feature.geometry.coordinates);
  if (!points.length) return null;
  const xs = points.map((point) => point[0]);
  const ys = points.map((point) => point[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function showMap() {
  const bounds = boundsOf(config);
  if (!bounds) return;
  const footprint = config.footprint ? { type: "Feature", geometry: config.footprint, properties: {} } : null;
  const map = createMap(
    {
      style: styleOf(
        {
          parcels: { type: "geojson", data: config.parcels },
          footprint: { type: "geojson", data: footprint || { type: "FeatureCollection", features: [] } },
          photos: { type: "geojson", data: config.photos },
        },
        [
          { id: "parcels-fill", type: "fill", source: "parcels", paint: { "fill-color": "#ffffff", "fill-opacity": 0.9 } },
          { id: "parcels-line", type: "line", source: "parcels", paint: { "line-color": "#7a8c85", "line-width": 1.2 } },
          { id: "footprint-fill", type: "fill", source: "footprint", paint: { "fill-color": "#c2410c", "fill-opacity": 0.25 } },
          { id: "footprint-line", type: "line", source: "footprint", paint: { "line-color": "#c2410c", "line-width": 2 } },
          { id: "photos", type: "circle", source: "photos", paint: { "circle-radius": 7, "circle-color": "#0f5e55", "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } },
        ],
      ),
      bounds: [[bounds[0], bounds[1]], [bounds[2], bounds[3]]],
      fitBoundsOptions: { padding: 30, maxZoom: 19 },
    },
    { rtl: config.rtl, onUnavailable: () => { mapStatus.textContent = t("mapUnavailable"); } },
  );
  map.once("idle", () => { document.getElementById("map").dataset.ready = "true"; });
}

function followPosition() {
  const form = document.getElementById("photo-form");
  if (!form) return;
  const status = document.getElementById("position-status");
  const latitude = form.querySelector('input[name="latitude"]');
  const longitude = form.querySelector('input[name="longitude"]');
  const accuracy = form.querySelector('input[name="accuracy_m"]');
  if (!("geolocation" in navigator)) {
    status.textContent = t("notLocated");
    return;
  }
  status.textContent = t("locating");
  navigator.geolocation.watchPosition(
    (position) => {
      latitude.value = position.coords.latitude.toFixed(7);
      longitude.value = position.coords.longitude.toFixed(7);
      accuracy.value = Math.round(position.coords.accuracy);
      status.textContent = t("located", { accuracy: Math.round(position.coords.accuracy) });
    },
    () => {
      latitude.value = longitude.value = accuracy.value = "";
      status.textContent = t("notLocated");
    },
    { enableHighAccuracy: true, maximumAge: 30000, timeout: 20000 },
  );
}

try {
  showMap();
} catch (error) {
  console.error(error);
}
followPosition();
