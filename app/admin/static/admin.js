// The embedded admin page: plain DOM code over the JSON API under /api.
// Inside the Shopify admin, App Bridge (window.shopify) hands out fresh session tokens; without it
// (offline demo, tests) the page uses the id_token it was loaded with.
"use strict";

const PAGE_SIZE = 50;
const QUEUE_COLUMNS = ["order", "item", "quantity", "covered", "backordered", "position", "eta",
                       "first-eta", "waiting", "alternatives", "priority"];
const state = { queueCursor: "", queuePage: null, settings: null };

async function sessionToken() {
  if (window.shopify && typeof window.shopify.idToken === "function") {
    return await window.shopify.idToken();
  }
  return document.body.dataset.idToken;
}

// Inside Saleor's Dashboard the token comes from the Dashboard itself: a handshake once the page
// says it is ready, then a fresh token before each one expires. Only messages from the page's
// parent (the Dashboard's origin) are believed.
const saleor = document.body.dataset.platform === "saleor" ? { token: null, ready: null } : null;

function listenToSaleorDashboard() {
  const origin = document.referrer ? new URL(document.referrer).origin : null;
  saleor.ready = new Promise((resolve) => {
    window.addEventListener("message", (event) => {
      if (!origin || event.origin !== origin) return;
      const { type, payload } = event.data || {};
      if ((type === "handshake" || type === "tokenRefresh") && payload && payload.token) {
        saleor.token = payload.token;
        resolve();
      }
    });
  });
  if (origin && window.parent !== window) {
    const actionId = crypto.randomUUID ? crypto.randomUUID() : String(Date.now());
    window.parent.postMessage({ type: "notifyReady", payload: { actionId } }, origin);
  }
}

async function authHeaders() {
  if (saleor) {
    await saleor.ready;
    return { "Authorization-Bearer": saleor.token, "Saleor-Api-Url": document.body.dataset.shop };
  }
  return { Authorization: `Bearer ${await sessionToken()}` };
}

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `request failed (${status})`);
    this.status = status;
    this.field = body && body.field;
    this.errors = (body && body.errors) || [];
  }
}

// Calls the API; a non-2xx answer becomes an ApiError carrying the server's message and field.
async function api(method, path, body) {
  const headers = await authHeaders();
  const init = { method, headers };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  return node;
}

// A table row; `classes` names the columns so the cells can be found (and styled) by meaning.
function row(cells, classes) {
  const tr = el("tr");
  for (const [index, cell] of cells.entries()) {
    const td = el("td", null, classes ? { class: classes[index] } : {});
    if (cell instanceof Node) td.append(cell);
    else td.textContent = cell === null || cell === undefined ? "" : String(cell);
    tr.append(td);
  }
  return tr;
}

function show(id, text) {
  const node = document.getElementById(id);
  node.textContent = text || "";
  node.hidden = !text;
}

// Shows an API error: the message on top, the field's own message beside its input, and for a
// CSV every bad line.
function showError(id, form, error) {
  clearFieldErrors(form);
  show(id, error.message);
  if (form && error.field) {
    const slot = [...form.querySelectorAll(".field-error")]
      .find((node) => node.dataset.for.split(" ").includes(error.field));
    if (slot) slot.textContent = error.message;
  }
  if (error.errors.length) {
    const list = el("ul");
    for (const item of error.errors) list.append(el("li", `Line ${item.line}: ${item.message}`));
    document.getElementById(id).append(list);
  }
}

function clearFieldErrors(form) {
  if (!form) return;
  for (const node of form.querySelectorAll(".field-error")) node.textContent = "";
}

// ---- queue

function etaText(eta) {
  if (!eta) return "";
  let text = eta.date;
  if (eta.earliest && eta.latest && (eta.earliest !== eta.date || eta.latest !== eta.date)) {
    text += ` (${eta.earliest} to ${eta.latest})`;
  }
  text += ` · ${eta.source === "restock" ? "from a restock" : "from lead time"}, ${eta.confidence} confidence`;
  if (eta.slipped) text += " · restock overdue";
  return text;
}

// Each suggestion with its reason; a weak match (another kind of product) is marked as such.
function alternativesList(alternatives) {
  const list = el("ul", null, { class: "alternatives" });
  for (const a of alternatives) {
    const item = el("li", a.reason ? `${a.title}: ${a.reason}` : a.title);
    if (a.weak) item.classList.add("weak");
    list.append(item);
  }
  return list;
}

function priorityControl(line) {
  const wrap = el("span", null, { class: "priority" });
  const input = el("input", null, { type: "number", value: line.manual_priority, "aria-label": "priority" });
  const button = el("button", "Set", { type: "button" });
  button.addEventListener("click", async () => {
    try {
      await api("POST", `/api/lines/${encodeURIComponent(line.line_id)}/priority`,
                { priority: toNumber(input.value) });
      show("queue-error", "");
      await loadQueue();
    } catch (error) {
      showError("queue-error", null, error);
    }
  });
  wrap.append(input, button);
  return wrap;
}

async function loadQueue() {
  const status = document.getElementById("queue-status").value;
  try {
    const cursor = state.queueCursor ? `&cursor=${encodeURIComponent(state.queueCursor)}` : "";
    const data = await api("GET", `/api/queue?status=${status}&limit=${PAGE_SIZE}${cursor}`);
    state.queuePage = data;
    const body = document.getElementById("queue-rows");
    body.replaceChildren(...data.lines.map((line) => row([
      line.order_name, `${line.title}${line.sku ? ` (${line.sku})` : ""}`, line.quantity,
      line.covered, line.backordered, line.queue_position, etaText(line.eta), line.first_eta,
      line.days_waiting === null ? "" : `${line.days_waiting} d`,
      alternativesList(line.alternatives), priorityControl(line),
    ], QUEUE_COLUMNS)));
    document.getElementById("queue-empty").hidden = data.total > 0;
    document.getElementById("queue-page").textContent = data.total ? `${data.total} line(s)` : "";
    document.getElementById("queue-prev").disabled = !data.previous_cursor;
    document.getElementById("queue-next").disabled = !data.next_cursor;
    show("queue-error", "");
  } catch (error) {
    showError("queue-error", null, error);
  }
}

// ---- restocks

async function loadRestocks() {
  try {
    const data = await api("GET", "/api/restocks");
    const body = document.getElementById("restock-rows");
    body.replaceChildren(...data.restocks.map((r) => row([
      r.variant || r.variant_id, r.quantity, r.expected_date, r.source, r.reference, restockActions(r),
    ])));
    document.getElementById("restocks-empty").hidden = data.restocks.length > 0;
  } catch (error) {
    showError("restock-error", null, error);
  }
}

function restockActions(restock) {
  const wrap = el("span");
  const edit = el("button", "Edit", { type: "button" });
  edit.addEventListener("click", () => editRestock(restock));
  const remove = el("button", "Delete", { type: "button" });
  remove.addEventListener("click", async () => {
    try {
      await api("DELETE", `/api/restocks/${encodeURIComponent(restock.id)}`);
      await refreshAfterRestock("Restock deleted.");
    } catch (error) {
      showError("restock-error", null, error);
    }
  });
  wrap.append(edit, remove);
  return wrap;
}

function editRestock(restock) {
  const form = document.getElementById("restock-form");
  form.elements.id.value = restock.id;
  form.elements.by.value = "variant_id";
  form.elements.variant.value = restock.variant_id;
  form.elements.quantity.value = restock.quantity;
  form.elements.expected_date.value = restock.expected_date;
  form.elements.source.value = restock.source;
  form.elements.reference.value = restock.reference;
  document.getElementById("restock-form-title").textContent = "Edit the restock";
  document.getElementById("restock-submit").textContent = "Save restock";
  document.getElementById("restock-cancel").hidden = false;
}

function resetRestockForm() {
  const form = document.getElementById("restock-form");
  form.reset();
  form.elements.id.value = "";
  document.getElementById("restock-form-title").textContent = "Add a restock";
  document.getElementById("restock-submit").textContent = "Add restock";
  document.getElementById("restock-cancel").hidden = true;
  clearFieldErrors(form);
}

async function refreshAfterRestock(notice) {
  show("restock-error", "");
  show("restock-notice", notice);
  await Promise.all([loadRestocks(), loadQueue(), loadNumbers()]);
}

async function submitRestock(event) {
  event.preventDefault();
  const form = event.target;
  const f = form.elements;
  const body = {
    quantity: toNumber(f.quantity.value),
    expected_date: f.expected_date.value,
    source: f.source.value,
    reference: f.reference.value,
  };
  if (f.variant.value.trim()) body[f.by.value] = f.variant.value.trim();
  try {
    if (f.id.value) {
      await api("PATCH", `/api/restocks/${encodeURIComponent(f.id.value)}`, body);
    } else {
      await api("POST", "/api/restocks", body);
    }
    resetRestockForm();
    await refreshAfterRestock("Restock saved; the queue's dates are updated.");
  } catch (error) {
    show("restock-notice", "");
    showError("restock-error", form, error);
  }
}

async function submitImport(event) {
  event.preventDefault();
  const form = event.target;
  const file = form.elements.file.files[0];
  show("import-notice", "");
  if (!file) {
    show("import-error", "Choose a CSV file first.");
    return;
  }
  const data = new FormData();
  data.append("file", file);
  try {
    const result = await api("POST", "/api/restocks/import", data);
    show("import-error", "");
    show("import-notice", `${result.imported} restock(s) imported.`);
    form.reset();
    await Promise.all([loadRestocks(), loadQueue(), loadNumbers()]);
  } catch (error) {
    showError("import-error", null, error);
  }
}

// ---- settings

// A whole number as a number; anything else is sent as typed, so the server names the field.
function toNumber(text) {
  const value = String(text).trim();
  if (value === "") return null;
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

function listOf(text) {
  return text.split(",").map((item) => item.trim()).filter(Boolean);
}

function fillSettings(settings) {
  const f = document.getElementById("settings-form").elements;
  const p = settings.policy;
  const a = settings.alternatives;
  for (const name of ["processing_days", "default_lead_time_days", "safety_margin_days",
                      "slip_allowance_days", "age_boost_days"]) {
    f[name].value = p[name] === null ? "" : p[name];
  }
  f.priority_tags.value = p.priority_tags.join(", ");
  f.country.value = p.country || "";
  f.closed_dates.value = p.closed_dates.join(", ");
  for (const box of f.weekend_days) box.checked = p.weekend_days.includes(Number(box.value));
  f.ship_complete.checked = p.ship_complete;
  f.learn_lead_times.checked = p.learn_lead_times;
  f.caps_default.value = p.caps.default === null ? "" : p.caps.default;
  f.enabled.checked = a.enabled;
  f.max_suggestions.value = a.max_suggestions;
  f.price_band_percent.value = a.price_band_percent;
  f.same_type_only.checked = a.same_type_only;
  f.excluded_tags.value = a.excluded_tags.join(", ");
}

// The form's values over the settings last loaded, so settings without a field here
// (per-variant lead times and caps) are kept as they are.
function readSettings() {
  const f = document.getElementById("settings-form").elements;
  const policy = { ...state.settings.policy };
  for (const name of ["processing_days", "default_lead_time_days", "safety_margin_days",
                      "slip_allowance_days", "age_boost_days"]) {
    policy[name] = toNumber(f[name].value);
  }
  policy.priority_tags = listOf(f.priority_tags.value);
  policy.country = f.country.value.trim() || null;
  policy.closed_dates = listOf(f.closed_dates.value);
  policy.weekend_days = [...f.weekend_days].filter((box) => box.checked).map((box) => Number(box.value));
  policy.ship_complete = f.ship_complete.checked;
  policy.learn_lead_times = f.learn_lead_times.checked;
  policy.caps = { ...policy.caps, default: toNumber(f.caps_default.value) };
  const alternatives = {
    enabled: f.enabled.checked,
    max_suggestions: toNumber(f.max_suggestions.value),
    price_band_percent: toNumber(f.price_band_percent.value),
    same_type_only: f.same_type_only.checked,
    excluded_tags: listOf(f.excluded_tags.value),
  };
  return { policy, alternatives };
}

async function loadSettings() {
  try {
    state.settings = await api("GET", "/api/settings");
    fillSettings(state.settings);
  } catch (error) {
    showError("settings-error", null, error);
  }
}

async function submitSettings(event) {
  event.preventDefault();
  const form = event.target;
  show("settings-notice", "");
  try {
    state.settings = await api("PUT", "/api/settings", readSettings());
    fillSettings(state.settings);
    clearFieldErrors(form);
    show("settings-error", "");
    show("settings-notice", "Settings saved; the queue is being planned again and updates shortly.");
    await Promise.all([loadQueue(), loadNumbers()]);
  } catch (error) {
    showError("settings-error", form, error);
  }
}

// ---- numbers

function percent(rate) {
  return rate === null ? "–" : `${Math.round(rate * 1000) / 10}%`;
}

function days(value) {
  return value === null ? "–" : `${Math.round(value * 10) / 10} d`;
}

async function loadNumbers() {
  try {
    const m = await api("GET", "/api/metrics");
    const items = [
      [`Backorder rate (lines, last ${m.window_days} days)`,
       `${percent(m.backorder_rate.line_rate)} (${m.backorder_rate.backordered_lines} of ${m.backorder_rate.lines})`],
      ["Open backorders", `${m.open.units} unit(s) on ${m.open.lines} line(s)`],
      ["Waiting, median", days(m.open.age_days.median)],
      ["Waiting, 90th percentile", days(m.open.age_days.p90)],
      ["Promise accuracy (first date kept)",
       `${percent(m.promise_accuracy.rate)} (${m.promise_accuracy.kept} kept, ${m.promise_accuracy.broken} broken)`],
      [`Dates changed (last ${m.window_days} days)`,
       `${m.eta_changes.total} (${m.eta_changes.later} later, ${m.eta_changes.earlier} earlier)`],
    ];
    const list = document.getElementById("numbers-list");
    list.replaceChildren(...items.flatMap(([term, value]) => [el("dt", term), el("dd", value)]));
    show("numbers-error", "");
  } catch (error) {
    showError("numbers-error", null, error);
  }
}

// ---- start

function start() {
  if (saleor) listenToSaleorDashboard();
  document.getElementById("queue-status").addEventListener("change", () => {
    state.queueCursor = "";
    loadQueue();
  });
  document.getElementById("queue-prev").addEventListener("click", () => {
    state.queueCursor = state.queuePage.previous_cursor;
    loadQueue();
  });
  document.getElementById("queue-next").addEventListener("click", () => {
    state.queueCursor = state.queuePage.next_cursor;
    loadQueue();
  });
  document.getElementById("restock-form").addEventListener("submit", submitRestock);
  document.getElementById("restock-cancel").addEventListener("click", resetRestockForm);
  document.getElementById("import-form").addEventListener("submit", submitImport);
  document.getElementById("settings-form").addEventListener("submit", submitSettings);
  Promise.all([loadQueue(), loadRestocks(), loadSettings(), loadNumbers()])
    .then(() => { document.body.dataset.ready = "1"; });
}

document.addEventListener("DOMContentLoaded", start);
