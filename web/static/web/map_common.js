/**
 * What the two public map pages share (`parcel_map.js`, `public_map.js`, ES modules that import this one): the
 * JSON blocks and translated strings rendered into the page, number formats in the page's language, DOM building,
 * JSON requests that read problem details, the MapLibre map with its controls, hover highlighting, the bounds of
 * a geometry, and the page's state kept in its URL (and in the language switcher's `next`).
 *
 * MapLibre GL JS is the global `maplibregl` (served from /static/vendor/, loaded before the page's module).
 */

export const EMPTY = { type: "FeatureCollection", features: [] };
const BACKGROUND_COLOR = "#eef2ef";

const LOCALES = { fr: "fr-FR", ar: "ar-MA", en: "en-GB" };

/** The content of a `json_script` block of the page. */
export function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

/** The locale of the page's language, and its formats for decimals and whole numbers. */
export function numberFormats(language) {
  const locale = LOCALES[language] || language;
  return {
    locale,
    decimal: new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }),
    wholeNumber: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
  };
}

/** `t(key, params)`: a translated string of `strings`, with Python-style `%(name)s` placeholders filled in. */
export function translator(strings) {
  return function t(key, params = {}) {
    const template = strings[key] ?? key;
    return template.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
  };
}

/** A DOM element: h("p", { class: "x" }, "text", child). Text is always set as text, never as HTML. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A property in the page's language (`name_ar`…), falling back to French, then to `fallback`, then to "". */
export function localProperty(properties, language, prefix, fallback) {
  return properties[`${prefix}_${language}`] || properties[`${prefix}_fr`] || properties[fallback] || "";
}

/** `showStatus(message, kind)` in the page's status element: hidden when the message is empty. */
export function statusShower(element) {
  return function showStatus(message, kind = "info") {
    const empty = !message || (Array.isArray(message) && message.length === 0);
    element.hidden = empty;
    element.className = `status status-${kind}`;
    element.replaceChildren(empty ? "" : h("p", {}, message));
  };
}

// ---------------------------------------------------------------------------------------------------------
// JSON requests

export class ApiError extends Error {}

/** `getJson(url, { signal })` with these headers; a failure is an `ApiError` (with the HTTP `status`) whose message
 * is the translated `networkError`, or `apiError` with the problem document's detail. */
export function jsonGetter(headers, t) {
  return async function getJson(url, { signal } = {}) {
    let response;
    try {
      response = await fetch(url, { headers, signal });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ApiError(t("networkError"));
    }
    if (!response.ok) {
      let detail = `${response.status} ${response.statusText}`.trim();
      try {
        const problem = await response.json();
        detail = problem.detail || problem.description || problem.title || detail;
      } catch {
        // Not a problem document: keep the HTTP status line.
      }
      const error = new ApiError(t("apiError", { detail }));
      error.status = response.status;
      throw error;
    }
    return response.json();
  };
}

// ---------------------------------------------------------------------------------------------------------
// The map

/** A MapLibre style of our own layers over a plain background (no basemap). */
export function styleOf(sources, layers) {
  return {
    version: 8,
    sources,
    layers: [{ id: "background", type: "background", paint: { "background-color": BACKGROUND_COLOR } }, ...layers],
  };
}

/** A vector-tile source described by one of our TileJSON documents (/tiles/{layer}.json). */
export function vectorTiles(tileJsonUrl) {
  return { type: "vector", url: new URL(tileJsonUrl, window.location.href).href };
}

/** The MapLibre map in `#map` with its zoom and scale controls (on the left in a right-to-left page);
 * `onUnavailable` is called when the browser cannot draw it (no WebGL). */
export function createMap(options, { rtl, onUnavailable }) {
  let map;
  try {
    map = new maplibregl.Map({ container: "map", attributionControl: false, ...options });
  } catch (error) {
    onUnavailable();
    throw error;
  }
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), rtl ? "top-left" : "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), rtl ? "bottom-right" : "bottom-left");
  return map;
}

/** The features of `layers` under the pointer take the `hover` feature state (of `target`: source and source
 * layer), and the pointer becomes a hand. */
export function highlightOnHover(map, target, layers) {
  let hoveredId = null;
  function setHover(id) {
    if (hoveredId !== null) map.setFeatureState({ ...target, id: hoveredId }, { hover: false });
    hoveredId = id;
    if (hoveredId !== null) map.setFeatureState({ ...target, id: hoveredId }, { hover: true });
  }
  for (const layer of layers) {
    map.on("mousemove", layer, (event) => {
      map.getCanvas().style.cursor = "pointer";
      setHover(event.features?.[0]?.id ?? null);
    });
    map.on("mouseleave", layer, () => {
      map.getCanvas().style.cursor = "";
      setHover(null);
    });
  }
}

export function boundsOf(geometry) {
  const bounds = new maplibregl.LngLatBounds();
  const visit = (coordinates) => {
    if (typeof coordinates[0] === "number") bounds.extend(coordinates);
    else coordinates.forEach(visit);
  };
  visit(geometry.coordinates);
  return bounds;
}

// ---------------------------------------------------------------------------------------------------------
// The page's state

/** The page's URL without reload, with the non-empty `values` as its query (in their order); the language
 * switcher comes back to it. */
export function rememberInUrl(values, languageNext) {
  const url = new URL(window.location.href);
  url.search = "";
  for (const [name, value] of Object.entries(values)) if (value) url.searchParams.set(name, value);
  window.history.replaceState(null, "", url);
  languageNext.value = url.pathname + url.search;
}
