/**
 * The open-data dashboard (`/opendata/`), an enhancement of the server-rendered page: the headline figures and the
 * tables are already there without JavaScript. This module
 *
 * - applies the filters without a reload: it reads `/opendata/dashboard.json` with the same query, then redraws the
 *   headline, the tables, the charts, the map and the download links, and keeps the query in the page's URL;
 * - draws the charts with Apache ECharts (global `echarts`, canvas renderer, served from /static/vendor/);
 * - draws the communes coloured by an indicator with MapLibre GL JS (global `maplibregl`) over our vector tiles'
 *   `territories` layer: a `match` expression on the commune's code, a legend of five classes, the figure of the
 *   commune under the pointer, and a click that selects the commune as the territory filter.
 *
 * Every string shown comes from the translated catalogue rendered into the page (`#dashboard-strings`).
 */

import { createMap, h, highlightOnHover, jsonGetter, numberFormats, readJson } from "../web/map_common.js";
import { rememberInUrl, statusShower, styleOf, translator, vectorTiles } from "../web/map_common.js";

const config = readJson("dashboard-config");
const strings = readJson("dashboard-strings");
const t = translator(strings);
const { locale, wholeNumber } = numberFormats(config.language);
// Durations, shares and areas with one decimal, as in the server's tables; axes in the locale's default.
const decimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const axisNumber = new Intl.NumberFormat(locale, { maximumSignificantDigits: 3 }); // small durations keep a digit
const monthFormat = new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" });
const shortMonth = new Intl.DateTimeFormat(locale, { month: "short", timeZone: "UTC" });

const COLORS = { filed: "#4f7cac", decided: "#0f5e55", authorised: "#c2410c", late: "#b42318", tacit: "#e9b44c" };
// Five classes, light to dark (ColorBrewer YlGnBu), and the colour of a commune without files.
const RAMP = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"];
const NO_DATA = "#e6e9e7";
const SOURCE = { source: "territories", sourceLayer: "territories" };

const elements = {
  filters: document.getElementById("dashboard-filters"),
  territory: document.getElementById("filter-territory"),
  status: document.getElementById("dashboard-status"),
  mapIndicator: document.getElementById("map-indicator"),
  legend: document.getElementById("map-legend"),
  info: document.getElementById("map-info"),
  jsonLink: document.getElementById("dashboard-json-link"),
  languageNext: document.getElementById("language-next"),
};
const showStatus = statusShower(elements.status);
const getJson = jsonGetter({ Accept: "application/json" }, t);
let data = readJson("dashboard-data");

// ---------------------------------------------------------------------------------------------------------
// Formats

const number = (value, digits = 0) =>
  value === null || value === undefined ? "–" : (digits ? decimal : wholeNumber).format(value);
const days = (value) => (value === null || value === undefined ? "–" : t("days", { value: decimal.format(value) }));
const monthLabel = (month) => monthFormat.format(new Date(`${month}-01T00:00:00Z`));
const localName = (row) => row[`name_${config.language}`] || row.name_fr || row.agency || row.use;

function headlineValues(figures) {
  const share = figures.decided_within_limit.share;
  return {
    filed: number(figures.filed),
    decided: number(figures.decided),
    authorised: number(figures.authorised),
    refused: number(figures.refused),
    tacitly_decided: number(figures.tacitly_decided),
    decision_median: days(figures.decision_days.median),
    decision_p90: days(figures.decision_days.p90),
    within_limit: share === null ? "–" : t("share", { value: decimal.format(share * 100) }),
    floor_area: t("squareMetres", { value: wholeNumber.format(figures.authorised_floor_area_m2) }),
  };
}

const DECIMAL_COLUMN = /_(days|m2)$/;
const ROW_LABELS = {
  flow: (row) => monthLabel(row.month),
  steps: (row) => strings.steps[row.step],
  opinions: localName,
  uses: localName,
};

// ---------------------------------------------------------------------------------------------------------
// Headline and tables (the same columns as the server's)

function renderHeadline() {
  const values = headlineValues(data.figures);
  for (const element of document.querySelectorAll("[data-figure]")) element.textContent = values[element.dataset.figure];
}

function renderTable(chart) {
  const columns = strings.columns[chart];
  const rows = data.charts[chart];
  const body = document.querySelector(`#table-${chart} tbody`);
  if (!rows.length) {
    body.replaceChildren(h("tr", {}, h("td", { colspan: columns.length }, t("noData"))));
    return;
  }
  body.replaceChildren(
    ...rows.map((row) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, ROW_LABELS[chart](row)),
        columns.slice(1).map(([key]) => h("td", {}, number(row[key], DECIMAL_COLUMN.test(key) ? 1 : 0))),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Charts

const charts = {};

function baseOption(categories, { horizontal = false } = {}) {
  const category = { type: "category", data: categories, inverse: horizontal || config.rtl };
  const value = {
    type: "value",
    position: config.rtl && !horizontal ? "right" : undefined,
    axisLabel: { formatter: (number) => axisNumber.format(number), hideOverlap: true },
  };
  return {
    animation: false,
    textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { top: 40, bottom: 8, left: 8, right: 8, containLabel: true },
    xAxis: horizontal ? { ...value, inverse: config.rtl } : category,
    yAxis: horizontal ? { ...category, position: config.rtl ? "right" : "left" } : value,
  };
}

const CHART_OPTIONS = {
  flow: (rows) => ({
    ...baseOption(rows.map((row) => shortMonth.format(new Date(`${row.month}-01T00:00:00Z`)))),
    series: ["filed", "decided", "authorised"].map((key) => ({
      name: t(key),
      type: key === "filed" ? "bar" : "line",
      data: rows.map((row) => row[key]),
      itemStyle: { color: COLORS[key] },
    })),
  }),
  steps: (rows) => ({
    ...baseOption(rows.map((row) => strings.steps[row.step]), { horizontal: true }),
    series: [
      { name: t("median"), type: "bar", data: rows.map((row) => row.median_days), itemStyle: { color: COLORS.decided } },
      { name: t("p90"), type: "bar", data: rows.map((row) => row.p90_days), itemStyle: { color: COLORS.filed } },
    ],
  }),
  opinions: (rows) => ({
    ...baseOption(rows.map(localName), { horizontal: true }),
    series: [
      ["on_time", "onTime", COLORS.decided],
      ["late", "late", COLORS.late],
      ["tacit", "tacit", COLORS.tacit],
    ].map(([key, label, color]) => ({
      name: t(label),
      type: "bar",
      stack: "opinions",
      data: rows.map((row) => row[key]),
      itemStyle: { color },
    })),
  }),
  uses: (rows) => ({
    ...baseOption(rows.map(localName), { horizontal: true }),
    series: [
      { name: t("floorArea"), type: "bar", data: rows.map((row) => row.floor_area_m2), itemStyle: { color: COLORS.authorised } },
    ],
  }),
};

/** A row without any figure (a month without files, a step without files). */
const CHART_EMPTY = (row) => Object.values(row).every((value) => typeof value === "string" || !value);

function renderChart(chart) {
  const element = document.getElementById(`chart-${chart}`);
  const rows = data.charts[chart];
  if (!charts[chart]) charts[chart] = echarts.init(element, null, { renderer: "canvas", locale: "EN" });
  const empty = rows.length === 0 || rows.every((row) => CHART_EMPTY(row));
  const title = empty ? { text: t("noData"), left: "center", top: "middle", textStyle: { color: "#5d6b66" } } : undefined;
  charts[chart].setOption({ ...CHART_OPTIONS[chart](rows), title }, { notMerge: true });
  charts[chart].resize();
}

window.addEventListener("resize", () => Object.values(charts).forEach((chart) => chart.resize()));

// ---------------------------------------------------------------------------------------------------------
// The map of the communes

const map = createMap(
  {
    style: styleOf({ territories: vectorTiles(config.tiles) }, [
      {
        id: "communes-fill",
        type: "fill",
        source: "territories",
        "source-layer": "territories",
        filter: ["==", ["get", "level"], config.communeLevel],
        paint: { "fill-color": NO_DATA, "fill-opacity": ["case", ["boolean", ["feature-state", "hover"], false], 0.7, 1] },
      },
      {
        id: "communes-line",
        type: "line",
        source: "territories",
        "source-layer": "territories",
        filter: ["==", ["get", "level"], config.communeLevel],
        paint: { "line-color": "#ffffff", "line-width": 0.8 },
      },
      {
        id: "commune-selected",
        type: "line",
        source: "territories",
        "source-layer": "territories",
        filter: ["==", ["get", "code"], ""],
        paint: { "line-color": "#1c2623", "line-width": 2.5 },
      },
    ]),
    bounds: config.bounds || [-17.1, 20.8, -1, 35.95],
    fitBoundsOptions: { padding: 16 },
  },
  { rtl: config.rtl, onUnavailable: () => showStatus(t("mapUnavailable"), "error") },
);
window.dashboardMap = map;

function mapValue(code) {
  const value = data.communes[code]?.[elements.mapIndicator.value];
  return value === undefined || value === null ? null : value;
}

function formatMapValue(value) {
  if (value === null) return t("noData");
  const indicator = elements.mapIndicator.value;
  if (indicator === "decision_days") return days(value);
  if (indicator === "decided_within_limit") return t("share", { value: decimal.format(value * 100) });
  if (indicator === "authorised_floor_area_m2") return t("squareMetres", { value: wholeNumber.format(value) });
  return wholeNumber.format(value);
}

/** Five classes of equal count over the communes' values (fewer when the values are few). */
function classBreaks(values) {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length <= RAMP.length) return sorted;
  return RAMP.map((_, index) => sorted[Math.floor((index * sorted.length) / RAMP.length)]);
}

function renderMap() {
  const codes = Object.keys(data.communes).filter((code) => mapValue(code) !== null);
  const breaks = classBreaks(codes.map(mapValue));
  const colorOf = (value) => RAMP[Math.max(0, breaks.filter((limit) => value >= limit).length - 1) + RAMP.length - breaks.length];
  const colors = codes.length ? ["match", ["get", "code"], ...codes.flatMap((code) => [code, colorOf(mapValue(code))]), NO_DATA] : NO_DATA;
  const selected = data.filters.territory?.level === config.communeLevel ? data.filters.territory.code : "";
  const apply = () => {
    map.setPaintProperty("communes-fill", "fill-color", colors);
    map.setFilter("commune-selected", ["==", ["get", "code"], selected]);
  };
  if (map.isStyleLoaded()) apply();
  else map.once("load", apply);
  elements.legend.replaceChildren(
    h("p", { class: "legend-title" }, strings.mapIndicators[elements.mapIndicator.value]),
    h(
      "ul",
      {},
      breaks.map((limit, index) =>
        h(
          "li",
          {},
          h("span", { class: "swatch", "data-color": colorOf(limit) }),
          h("bdi", { dir: "ltr" }, `≥ ${formatMapValue(limit)}`),
        ),
      ),
      h("li", {}, h("span", { class: "swatch", "data-color": NO_DATA }), t("noData")),
    ),
  );
  // Colours set through the CSS object model (the strict CSP forbids inline style attributes).
  for (const swatch of elements.legend.querySelectorAll(".swatch")) swatch.style.backgroundColor = swatch.dataset.color;
  document.documentElement.dataset.mapClasses = String(breaks.length);
}

function describe(feature) {
  const properties = feature.properties;
  const name = properties[`name_${config.language}`] || properties.name_fr || properties.code;
  return `${name}: ${formatMapValue(mapValue(properties.code))}`;
}

map.on("load", () => {
  highlightOnHover(map, SOURCE, ["communes-fill"]);
  map.on("mousemove", "communes-fill", (event) => {
    if (event.features?.length) elements.info.textContent = describe(event.features[0]);
  });
  map.on("click", "communes-fill", (event) => {
    const code = event.features?.[0]?.properties.code;
    if (code && elements.territory.querySelector(`option[value="${CSS.escape(code)}"]`)) {
      elements.territory.value = code;
      refresh();
    }
  });
  document.documentElement.dataset.mapReady = "true";
});
// Keyboard: the map takes the focus and tells the selected commune's (or the first commune's) figure.
document.getElementById("map").addEventListener("focus", () => {
  const code = data.filters.territory?.code;
  if (code && data.communes[code]) elements.info.textContent = `${data.filters.territory[`name_${config.language}`] || code}: ${formatMapValue(mapValue(code))}`;
});

elements.mapIndicator.addEventListener("change", renderMap);

// ---------------------------------------------------------------------------------------------------------
// Filters

let pending = null;

function query() {
  const values = {};
  for (const [name, value] of new FormData(elements.filters)) if (value) values[name] = value;
  return values;
}

function render() {
  renderHeadline();
  for (const chart of Object.keys(CHART_OPTIONS)) {
    renderTable(chart);
    renderChart(chart);
  }
  renderMap();
  document.documentElement.dataset.period = data.filters.period;
}

async function refresh() {
  const values = query();
  const search = new URLSearchParams(values).toString();
  pending?.abort();
  pending = new AbortController();
  showStatus(t("loading"));
  try {
    data = await getJson(`${config.api}?${search}`, { signal: pending.signal });
  } catch (error) {
    if (error.name !== "AbortError") showStatus(error.message, "error");
    return;
  }
  showStatus("");
  rememberInUrl(values, elements.languageNext);
  for (const link of document.querySelectorAll("[data-download]")) {
    link.search = search;
  }
  elements.jsonLink.search = search;
  render();
}

elements.filters.addEventListener("change", refresh);
elements.filters.addEventListener("submit", (event) => {
  event.preventDefault();
  refresh();
});

render();
document.documentElement.dataset.dashboardReady = "true";
