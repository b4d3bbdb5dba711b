// The operator console (/console/): logs in with an admin token, then shows the live dashboard, edits the
// policies, looks up subjects and charts the usage reports, through the admin API (/admin/v1) and /metrics of
// the same server. The token lives in this tab's sessionStorage only: closing the tab logs out.
import { reading, rates } from "/console/metrics.js";
import { drawBars, drawChart, format } from "/console/chart.js";

const ADMIN = "/admin/v1";
const TOKEN_KEY = "cm.console.token";
const WINDOW_MILLIS = 15 * 60 * 1000;
/** How often the dashboard reads /metrics; a page may ask for another period with ?every=<ms> (tests do). */
const EVERY_MILLIS = Math.max(200, Number(new URLSearchParams(location.search).get("every")) || 2000);
const SERIES = [
  { key: "active", className: "sessions", label: "sessions" },
  { key: "decisions", className: "decisions", label: "decisions/s" },
  { key: "denials", className: "denials", label: "denials/s" },
];

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem(TOKEN_KEY);
let timer = null;
let last = null;
const points = [];
/** The server's clock (its Date header) at the last answer: report defaults follow it, not this machine's. */
let serverNow = Date.now();
/** The ETag of the configuration the policy editor shows: a save based on an older one is refused (412). */
let shownVersion = null;

/** An admin API answer other than 2xx, with the spec's error code and message when the body has them. */
class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * Calls the admin API; resolves to the parsed JSON body, or to the text when `raw` (CSV). `version` is told the
 * configuration's ETag when the answer has one.
 */
async function api(path, options = {}, raw = false, version = () => {}) {
  const response = await fetch(ADMIN + path, {
    ...options,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(options.body ? { "Content-Type": "application/json" } : {}),
      ...options.headers,
    },
  });
  const date = Date.parse(response.headers.get("Date"));
  if (!Number.isNaN(date)) serverNow = date;
  if (response.headers.get("ETag")) version(response.headers.get("ETag"));
  const text = await response.text();
  if (raw && response.ok) return text;
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's page): described by its status below.
  }
  if (!response.ok) {
    const error = body && body.error ? body.error : {};
    const details = Array.isArray(error.details) ? ` ${error.details.join("; ")}` : "";
    throw new ApiFailure(response.status, error.code || "HTTP_" + response.status,
      (error.message || `The server answered ${response.status}`) + details);
  }
  return body;
}

function element(name, properties = {}, ...children) {
  const node = Object.assign(document.createElement(name), properties);
  node.append(...children);
  return node;
}

function status(id, text, kind = "ok") {
  $(id).textContent = text;
  $(id).dataset.kind = kind;
}

// ---- logging in -------------------------------------------------------------------------------

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  token = $("token").value.trim();
  try {
    await api("/config");
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token").value = "";
    enter();
  } catch (failure) {
    token = null;
    const message = failure.status === 401 ? "This token is not valid on this server."
      : failure.status === 404 ? "The admin API is off on this server: set CM_ADMIN_TOKEN (server.admin-token)."
      : `Cannot log in: ${failure.message}`;
    $("login-error").textContent = message;
    $("login-error").hidden = false;
  }
});

$("logout").addEventListener("click", () => leave());

function enter() {
  $("login").hidden = true;
  $("login-error").hidden = true;
  $("tabs").hidden = false;
  $("logout").hidden = false;
  show(location.hash.slice(1));
  startDashboard();
}

function leave(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  token = null;
  clearInterval(timer);
  timer = null;
  document.querySelectorAll(".view").forEach((view) => { view.hidden = true; });
  $("tabs").hidden = true;
  $("logout").hidden = true;
  $("login").hidden = false;
  $("login-error").hidden = !message;
  $("login-error").textContent = message || "";
}

/** Any call refused for the token (revoked, server restarted with another one) goes back to the login. */
function guarded(action) {
  return async (...args) => {
    try {
      await action(...args);
    } catch (failure) {
      if (failure.status === 401) leave("The token is no longer accepted; log in again.");
      else throw failure;
    }
  };
}

// ---- tabs -------------------------------------------------------------------------------------

const TABS = {
  dashboard: () => refreshCatalog(), policies: () => loadPolicies(), subjects: () => {}, reports: () => prepareReports(),
};
const STATUS = {
  dashboard: "dashboard-note", policies: "policies-status", subjects: "subjects-status", reports: "reports-status",
};

function show(tab) {
  const name = tab in TABS ? tab : "dashboard";
  document.querySelectorAll(".view").forEach((view) => { view.hidden = view.id !== name; });
  document.querySelectorAll("#tabs a").forEach((link) => link.classList.toggle("active", link.dataset.tab === name));
  guarded(TABS[name])().catch((failure) => status(STATUS[name], failure.message, "error"));
}

window.addEventListener("hashchange", () => { if (token) show(location.hash.slice(1)); });

// ---- dashboard --------------------------------------------------------------------------------

function startDashboard() {
  if (timer) return;
  sample();
  timer = setInterval(sample, EVERY_MILLIS);
}

async function sample() {
  let now;
  try {
    const response = await fetch("/metrics");
    if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
    now = reading(await response.text(), Date.now());
  } catch (failure) {
    $("dashboard-note").textContent = `Live figures unavailable (${failure.message}). A server that serves /metrics `
      + "on a separate management port (server.management-port) has none for this page.";
    return;
  }
  $("dashboard-note").textContent = "Read from /metrics of this server every "
    + `${EVERY_MILLIS / 1000} s since this page opened; the chart fills as time passes.`;
  if (now.active !== null) $("active-sessions").textContent = String(now.active);
  if (last) {
    const perSecond = rates(last, now);
    $("decisions-rate").textContent = format(perSecond.decisions);
    $("denials-rate").textContent = format(perSecond.denials);
    points.push({ at: now.at, active: now.active || 0, ...perSecond });
    while (points.length && points[0].at < now.at - WINDOW_MILLIS) points.shift();
    draw();
  }
  last = now;
}

function draw() {
  if (points.length) drawChart($("chart"), points, SERIES, points[points.length - 1].at, WINDOW_MILLIS);
}

window.addEventListener("resize", draw);

async function refreshCatalog() {
  const config = await api("/config");
  const applications = config.tenants.reduce((count, tenant) => count + tenant.applications.length, 0);
  $("catalog-size").textContent = `${applications} · ${config.policies.length}`;
}

// ---- policies ---------------------------------------------------------------------------------

async function loadPolicies() {
  const config = await api("/config", {}, false, (etag) => { shownVersion = etag; });
  const usedBy = new Map();
  for (const tenant of config.tenants) {
    for (const app of tenant.applications) {
      for (const policy of app.policies) usedBy.set(policy, [...(usedBy.get(policy) || []), app.id]);
    }
  }
  $("policy-list").replaceChildren(...config.policies.map((policy) => policyCard(policy, usedBy.get(policy.name) || [])));
}

function policyCard(policy, applications) {
  const form = element("form", { className: "card policy", autocomplete: "off" });
  form.dataset.policy = policy.name;
  const mode = element("select", { name: "mode" },
    element("option", { value: "LIFO", textContent: "LIFO: deny the new stream" }),
    element("option", { value: "FIFO", textContent: "FIFO: end the oldest stream" }));
  mode.value = (policy.mode || "LIFO").toUpperCase();
  const rules = policy.rules.map((rule, index) => {
    const limit = element("input",
      { type: "number", min: "0", step: "1", required: true, value: rule.limit, name: `limit-${index}` });
    limit.dataset.rule = String(index);
    const what = rule.type === "max-streams" ? "Concurrent streams"
      : rule.type === "max-per-value" ? `Streams per ${rule.attribute}` : `Distinct ${rule.attribute} values`;
    return element("label", { className: "rule" }, `${what}${rule.name ? ` (${rule.name})` : ""}`, limit);
  });
  const target = policy.target ? ` · applies when ${policy.target.attribute} is ${policy.target.values.join(", ")}` : "";
  form.append(
    element("h2", { textContent: policy.name }),
    element("p", { className: "hint",
      textContent: `Used by ${applications.length ? applications.join(", ") : "no application"}${target}` }),
    element("label", { className: "rule" }, "When over the limit", mode),
    ...rules,
    element("button", { type: "submit", textContent: "Save" }));
  form.addEventListener("submit", guarded(async (event) => {
    event.preventDefault();
    const changed = {
      ...policy,
      mode: mode.value,
      rules: policy.rules.map((rule, index) => ({ ...rule, limit: Number(form.elements[`limit-${index}`].value) })),
    };
    try {
      const saved = await api(`/policies/${encodeURIComponent(policy.name)}`,
        { method: "PUT", body: JSON.stringify(changed), headers: { "If-Match": shownVersion } },
        false, (etag) => { shownVersion = etag; });
      Object.assign(policy, saved);
      status("policies-status", `Saved ${policy.name}: applied to the next decision.`);
    } catch (failure) {
      if (failure.status === 401) throw failure;
      if (failure.status === 412) {
        // Someone else changed the configuration since it was shown: show theirs rather than overwrite it.
        await loadPolicies();
        status("policies-status", `${policy.name} not saved: the configuration was changed elsewhere meanwhile. `
          + "The current policies are shown now; make the change again.", "error");
        return;
      }
      status("policies-status", `${policy.name} not saved: ${failure.message}`, "error");
    }
  }));
  return form;
}

// ---- subjects ---------------------------------------------------------------------------------

let shown = null;

$("lookup").addEventListener("submit", guarded(async (event) => {
  event.preventDefault();
  shown = { idp: $("lookup-idp").value.trim(), subject: $("lookup-subject").value.trim() };
  await lookUp();
}));

function subjectPath({ idp, subject }) {
  return `/subjects/${encodeURIComponent(idp)}/${encodeURIComponent(subject)}`;
}

async function lookUp() {
  let found;
  try {
    found = await api(subjectPath(shown));
  } catch (failure) {
    if (failure.status === 401) throw failure;
    $("subject-sessions").replaceChildren();
    status("subjects-status", failure.message, "error");
    return;
  }
  const count = found.sessions.length;
  status("subjects-status", `${shown.subject} (${shown.idp}): ${count} running session${count === 1 ? "" : "s"}`);
  $("subject-sessions").replaceChildren(...found.sessions.map(sessionCard));
}

function sessionCard(session) {
  const { deviceName, deviceId, ...others } = session.metadata;
  const metadata = element("dl", { className: "metadata" });
  for (const [key, value] of Object.entries(others)) {
    metadata.append(element("dt", { textContent: key }), element("dd", { textContent: value }));
  }
  const kill = element("button", { type: "button", className: "danger", textContent: "Kill" });
  kill.addEventListener("click", guarded(async () => {
    kill.disabled = true;
    try {
      await api(`${subjectPath(shown)}/sessions/${encodeURIComponent(session.sessionId)}`, { method: "DELETE" });
      await lookUp();
      status("subjects-status", `Killed ${session.sessionId}: its next heartbeat is told it was stopped by an operator.`);
    } catch (failure) {
      kill.disabled = false;
      if (failure.status === 401) throw failure;
      status("subjects-status", `Not killed: ${failure.message}`, "error");
    }
  }));
  const card = element("article", { className: "card session" },
    element("h3", { textContent: deviceName || deviceId || "Unnamed device" }),
    element("p", { className: "hint", textContent: `${session.applicationName}`
      + ` · started ${new Date(session.startTime).toLocaleString()}`
      + ` · last heartbeat ${new Date(session.lastHeartbeat).toLocaleTimeString()}` }),
    element("p", { className: "session-id", textContent: session.sessionId }),
    metadata, kill);
  card.dataset.session = session.sessionId;
  return card;
}

// ---- reports ----------------------------------------------------------------------------------

function prepareReports() {
  // The server's day by default: its clock decides which interval an event falls in.
  if (!$("report-from").value) $("report-from").value = new Date(serverNow).toISOString().slice(0, 10);
}

/** The query of the form, as the report API takes it; `format` json or csv. */
function reportQuery(format) {
  const form = $("report-form");
  const query = new URLSearchParams({ from: $("report-from").value.trim(), granularity: $("report-granularity").value });
  if ($("report-to").value.trim()) query.set("to", $("report-to").value.trim());
  const by = [...form.querySelectorAll("input[name=by]:checked")].map((box) => box.value);
  if (by.length) query.set("by", by.join(","));
  query.set("format", format);
  return query.toString();
}

$("report-form").addEventListener("submit", guarded(async (event) => {
  event.preventDefault();
  let usage;
  let levels;
  try {
    [usage, levels] = await Promise.all([api(`/reports/usage?${reportQuery("json")}`),
      api(`/reports/concurrency-level?${reportQuery("json")}`)]);
  } catch (failure) {
    if (failure.status === 401) throw failure;
    $("report-results").hidden = true;
    status("reports-status", failure.message, "error");
    return;
  }
  showReport(usage, levels);
}));

$("report-csv").addEventListener("click", guarded(async () => {
  let csv;
  try {
    csv = await api(`/reports/usage?${reportQuery("csv")}`, {}, true);
  } catch (failure) {
    if (failure.status === 401) throw failure;
    status("reports-status", failure.message, "error");
    return;
  }
  const link = element("a", { href: URL.createObjectURL(new Blob([csv], { type: "text/csv" })), download: "usage.csv" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  status("reports-status", "Downloaded usage.csv.");
}));

function showReport(usage, levels) {
  const figure = $("report-figure").value;
  const perInterval = new Map();
  for (const row of usage.rows) perInterval.set(row.interval, (perInterval.get(row.interval) || 0) + row[figure]);
  const label = (interval) => (usage.granularity === "minute" || usage.granularity === "hour"
    ? interval.slice(11, 16) : interval.slice(0, usage.granularity === "month" ? 7 : 10));
  $("usage-title").textContent = `${$("report-figure").selectedOptions[0].textContent} per ${usage.granularity}`;
  $("report-results").hidden = false;
  drawBars($("usage-chart"), [...perInterval].map(([interval, value]) => ({ label: label(interval), value })),
    "sessions", `${usage.from} to ${usage.to}`);
  const perLevel = new Map();
  for (const row of levels.rows) perLevel.set(row.level, (perLevel.get(row.level) || 0) + row.subjects);
  const histogram = [...perLevel].sort(([a], [b]) => a - b)
    .map(([level, subjects]) => ({ label: `${level}`, value: subjects }));
  drawBars($("levels-chart"), histogram, "decisions", "subjects per level");
  const columns = usage.rows.length ? Object.keys(usage.rows[0]) : [];
  $("usage-table").replaceChildren(
    element("thead", {}, element("tr", {}, ...columns.map((column) => element("th", { textContent: column })))),
    element("tbody", {}, ...usage.rows.map((row) => element("tr", {},
      ...columns.map((column) => element("td", { textContent: row[column] === null ? "" : String(row[column]) }))))));
  const rows = `${usage.rows.length} row${usage.rows.length === 1 ? "" : "s"}`;
  status("reports-status", `${rows} from ${usage.from} to ${usage.to}.`);
}

// ---- start ------------------------------------------------------------------------------------

if (token) enter();
