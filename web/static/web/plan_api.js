// The plan API as the plan pages call it (session authentication, the CSRF token of the page for writes,
// problem details read into the error's message), and the page's configuration and strings.

import { readJson, translator } from "./map_common.js";

export const config = readJson("plan-config");
export const t = translator(config.strings);

export class PlanApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export function apiUrl(name, values = {}) {
  return config.api[name].replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(values[key]));
}

export async function api(method, url, body = undefined) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = config.csrfToken;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new PlanApiError(String(error), 0);
  }
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`.trim();
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title || detail;
    } catch {
      // not a problem document: the status line says it
    }
    throw new PlanApiError(detail, response.status);
  }
  return response.status === 204 ? null : response.json();
}
