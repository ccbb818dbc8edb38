// The live zoning pre-check of the "project" step: as the applicant types the parameters, POST /api/precheck/
// with the file's site (its parcel, or the union of its parcels) and footprint, and show each rule with
// pass/fail and why, in the page's language (the sentences are built here from the numbers).

const config = JSON.parse(document.getElementById("precheck-config").textContent);
const strings = JSON.parse(document.getElementById("wizard-strings").textContent);
const form = document.getElementById("project-form");
const output = document.getElementById("precheck");
const decimal = new Intl.NumberFormat(config.language === "ar" ? "ar-MA-u-nu-latn" : config.language, { maximumFractionDigits: 2 });
const MINIMUM_RULES = new Set(["setback_road", "setback_neighbour"]);

function t(key, values = {}) {
  return (strings[key] || key).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

function number(value, unit) {
  const text = decimal.format(value);
  return unit === "m" ? t("metres", { value: text }) : text;
}

function why(check) {
  const { rule, status, value, limit, unit } = check;
  if (rule === "footprint_inside_site") return status === "fail" ? t("outsideSite", { area: number(value ?? 0, "m²") }) : t("insideSite");
  if (rule === "use") {
    if (status === "fail") return t("useForbidden", { use: value, allowed: (limit?.allowed || []).join(", ") || "—" });
    if (status === "not_regulated") return t("usesNotRegulated");
    return t("useAllowed", { use: value });
  }
  if (status === "not_regulated") return t("notRegulated");
  if (value == null || limit == null || typeof limit === "object") return status === "fail" ? t("setbackOutside") : t("noSuchSide");
  const values = { value: number(value, unit), limit: number(limit, unit) };
  if (MINIMUM_RULES.has(rule)) return t(status === "pass" ? "meetsMinimum" : "belowMinimum", values);
  return t(status === "pass" ? "withinMaximum" : "aboveMaximum", values);
}

function cell(tag, text, className) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function render(result) {
  const failures = result.checks.filter((check) => check.status === "fail").length;
  const summary = cell("p", result.passed ? t("precheckPassed") : t("precheckFailed", { count: failures }), `precheck-summary ${result.passed ? "passed" : "failed"}`);
  const table = document.createElement("table");
  table.className = "precheck-table stack-table";
  const head = document.createElement("tr");
  for (const key of ["rule", "zone", "result", "why"]) head.append(cell("th", t(key)));
  table.createTHead().append(head);
  const body = table.createTBody();
  // On a phone each row is a card whose cells name their column (app.css, `.stack-table`).
  const labelled = (element, key) => {
    element.dataset.label = t(key);
    return element;
  };
  for (const check of result.checks) {
    const row = body.insertRow();
    row.className = `verdict-${check.status}`;
    row.dataset.rule = check.rule;
    row.append(cell("td", t(`rule_${check.rule}`), "stack-title"), labelled(cell("td", check.zone || ""), "zone"));
    const result = labelled(cell("td", ""), "result");
    result.append(cell("span", t(check.status), `badge badge-${check.status}`));
    row.append(result, labelled(cell("td", why(check)), "why"));
  }
  output.replaceChildren(summary, table);
  output.dataset.state = result.passed ? "passed" : "failed";
}

function message(text, state) {
  output.replaceChildren(cell("p", text, "precheck-summary"));
  output.dataset.state = state;
}

let controller;
async function run() {
  if (!config.site || !config.footprint) {
    message(t("precheckUnavailable"), "unavailable");
    return;
  }
  const data = new FormData(form);
  const project = {
    footprint: config.footprint,
    height_m: Number(data.get("height_m")),
    floors: Number(data.get("floors")),
    gross_floor_area_m2: Number(data.get("gross_floor_area_m2")),
    use: String(data.get("use") || ""),
  };
  if (["height_m", "floors", "gross_floor_area_m2"].some((name) => data.get(name) === "" || Number.isNaN(project[name])) || !project.use) {
    message(t("precheckWaiting"), "waiting");
    return;
  }
  controller?.abort();
  controller = new AbortController();
  output.dataset.state = "running";
  try {
    const response = await fetch(config.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": config.language },
      body: JSON.stringify({ ...config.site, project }),
      signal: controller.signal,
    });
    const body = await response.json();
    if (!response.ok) {
      message(t("apiError", { detail: body.detail || response.status }), "error");
      return;
    }
    render(body);
  } catch (error) {
    if (error.name !== "AbortError") message(t("networkError"), "error");
  }
}

let timer;
form.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(run, 350);
});
run();
