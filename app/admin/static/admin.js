// The embedded admin page: Polaris web components driven by plain DOM code over the JSON API
// under /api. Fields are read and written through `ui` (offline.js), which works with Polaris
// loaded or not. Inside the Shopify admin, App Bridge (window.shopify) hands out fresh session
// tokens; without it (offline demo, tests) the page uses the id_token it was loaded with.
"use strict";

const PAGE_SIZE = 50;
const state = { settings: null };

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

// ---- queue: a Polaris index table; search, filters, sort and pages are the server's

const queue = { cursor: "", page: null, variant: null, selected: new Set(), searchTimer: null };

function byId(id) {
  return document.getElementById(id);
}

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

function lineStatus(line) {
  const late = line.backordered && line.eta && (line.eta.slipped || (line.first_eta && line.eta.date > line.first_eta));
  if (!line.backordered) return el("s-badge", "Ready", { tone: "success" });
  if (late) return el("s-badge", "Later than promised", { tone: "critical" });
  return el("s-badge", line.covered ? "Partly ready" : "Waiting", { tone: "warning" });
}

function queueQuery() {
  const params = new URLSearchParams({ status: ui.value(byId("queue-status")), limit: PAGE_SIZE,
                                       sort: ui.value(byId("queue-sort")) });
  const search = ui.value(byId("queue-search")).trim();
  const age = ui.value(byId("queue-age")).trim();
  const priority = ui.value(byId("queue-priority"));
  if (search) params.set("q", search);
  if (age) params.set("min_age_days", age);
  if (priority) params.set("priority", priority);
  if (queue.variant) params.set("variant", queue.variant.id);
  if (queue.cursor) params.set("cursor", queue.cursor);
  return params;
}

function cell(content, cls) {
  const node = el("s-table-cell", null, cls ? { class: cls } : {});
  if (content instanceof Node) node.append(content);
  else node.textContent = content === null || content === undefined ? "" : String(content);
  return node;
}

function queueRow(line) {
  const row = el("s-table-row", null, { "data-line": line.line_id });
  const label = `${line.order_name} ${line.variant || line.title}`;
  const select = el("s-checkbox", null, { accessibilityLabel: `Select ${label}`, class: "select-line" });
  if (queue.selected.has(line.line_id)) select.setAttribute("checked", "");
  select.addEventListener("change", () => {
    if (ui.checked(select)) queue.selected.add(line.line_id);
    else queue.selected.delete(line.line_id);
    showSelection();
  });
  const order = el("s-link", line.order_name, { href: `#order/${encodeURIComponent(line.order_id)}`,
                                                id: `open-${line.line_id.replace(/\W/g, "-")}` });
  row.setAttribute("clickDelegate", order.id);
  const itemText = `${line.title}${line.sku ? ` (${line.sku})` : ""}`;
  const item = el("s-button", itemText, {
    variant: "tertiary", accessibilityLabel: `${itemText}: show only ${line.variant || line.title}` });
  item.addEventListener("click", () => filterVariant(line.variant_id, line.variant || line.title));
  row.append(
    cell(select), cell(order, "order"), cell(item, "item"), cell(lineStatus(line), "status"),
    cell(`${line.backordered} of ${line.quantity}`, "owed"), cell(line.queue_position, "position"),
    cell(etaText(line.eta), "eta"), cell(line.first_eta, "first-eta"),
    cell(line.days_waiting === null ? "" : `${line.days_waiting} d`, "waiting"),
    cell(alternativesList(line.alternatives), "alternatives"),
    cell(line.manual_priority, "priority"));
  return row;
}

async function loadQueue() {
  const table = byId("queue-table");
  table.setAttribute("loading", "");
  try {
    const data = await api("GET", `/api/queue?${queueQuery()}`);
    queue.page = data;
    const rows = data.lines.map(queueRow);
    byId("queue-rows").replaceChildren(...rows);
    ui.upgrade(byId("queue-rows"));
    showQueueEmpty(data.lines.length === 0);
    showSelection();
    byId("queue-page").textContent = !data.total ? ""
      : `${data.total}${data.total_exact ? "" : "+"} line(s) match`;
    table.toggleAttribute("haspreviouspage", Boolean(data.previous_cursor));
    table.toggleAttribute("hasnextpage", Boolean(data.next_cursor));
    show("queue-error", "");
  } catch (error) {
    showError("queue-error", null, error);
  } finally {
    table.removeAttribute("loading");
  }
}

// An empty queue is one of two things: nothing waits at all (the empty state, which says what
// the queue is for, or that every backorder was filled), or the search and filters leave none.
function filtered() {
  return Boolean(ui.value(byId("queue-search")).trim() || ui.value(byId("queue-age")).trim()
                 || ui.value(byId("queue-priority")) || queue.variant
                 || ui.value(byId("queue-status")) !== "waiting");
}

function showQueueEmpty(empty) {
  const first = empty && !filtered();
  byId("queue-first").hidden = !first;
  byId("queue-empty").hidden = !empty || first;
  byId("queue-table").hidden = first;
  byId("bulk-bar").hidden = first;
  const pages = byId("queue-table").nextElementSibling;  // the pagination of the offline page
  if (pages?.classList.contains("native-pagination")) pages.hidden = first;
  if (first && setup.data?.ever_backordered) {
    byId("queue-first-heading").textContent = "Nothing is waiting";
    byId("queue-first-text").textContent =
      "Every backordered line has been filled. New short lines will wait here with their dates.";
  }
}

// A new search or filter starts from the first page, with nothing selected. The table's box
// keeps the height it had, so fewer rows do not pull up what follows it (layout shift).
function reloadQueue() {
  const box = byId("queue-table-box");
  if (box.offsetHeight) box.style.minHeight = `${box.offsetHeight}px`;
  queue.cursor = "";
  queue.selected.clear();
  showSelection();
  return loadQueue();
}

function filterVariant(id, title) {
  queue.variant = id ? { id, title } : null;
  const chip = byId("variant-chip");
  chip.textContent = id ? `Variant: ${title} ✕` : "";
  chip.hidden = !id;
  reloadQueue();
}

// Every line of the page shown, or none of them.
function selectPage() {
  const on = ui.checked(byId("select-page"));
  for (const line of queue.page ? queue.page.lines : []) {
    if (on) queue.selected.add(line.line_id);
    else queue.selected.delete(line.line_id);
  }
  for (const box of byId("queue-rows").querySelectorAll("s-checkbox.select-line")) ui.setChecked(box, on);
  showSelection();
}

function showSelection() {
  const count = queue.selected.size;
  byId("bulk-count").textContent = count ? `${count} line(s) selected`
    : "Select lines to act on them.";
  for (const id of ["bulk-apply", "bulk-release", "bulk-notify"]) ui.setDisabled(byId(id), count === 0);
  const lines = queue.page ? queue.page.lines : [];
  ui.setChecked(byId("select-page"), lines.length > 0 && lines.every((l) => queue.selected.has(l.line_id)));
}

async function applyBulkPriority() {
  const field = byId("bulk-priority");
  ui.setError(field, "");
  try {
    const result = await api("POST", "/api/queue/priority",
                             { line_ids: [...queue.selected], priority: toNumber(ui.value(field)) });
    queue.selected.clear();
    showSelection();
    toast(`Priority set on ${result.line_ids.length} line(s); the queue is planned again.`);
    await loadQueue();
  } catch (error) {
    if (error.field === "priority") ui.setError(field, error.message);
    showError("queue-error", null, error);
  }
}

// Release and notify act on the orders of the lines selected; the answer names the orders
// changed (an order already released, or with an update on its way, is left as it is).
const BULK_DONE = {
  release: (r) => `Holds released on ${r.changed.length} order(s)` +
    (r.changed.length < r.order_ids.length ? `; ${r.order_ids.length - r.changed.length} were released already` : "") + ".",
  notify: (r) => `An update goes to ${r.changed.length} customer(s)` +
    (r.nothing_owed.length ? `; ${r.nothing_owed.length} order(s) owe nothing and were skipped` : "") + ".",
};

async function applyBulkAction(action) {
  try {
    const result = await api("POST", `/api/queue/${action}`, { line_ids: [...queue.selected] });
    queue.selected.clear();
    showSelection();
    toast(BULK_DONE[action](result));
    await loadQueue();
  } catch (error) {
    showError("queue-error", null, error);
  }
}

// App Bridge's toast inside the admin; outside it, the page's own notice.
function toast(message) {
  if (window.shopify && window.shopify.toast) {
    window.shopify.toast.show(message);
    return;
  }
  const notice = byId("toast");
  notice.textContent = message;
  notice.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { notice.hidden = true; }, 5000);
}

function startQueue() {
  for (const id of ["queue-status", "queue-priority", "queue-sort", "queue-age"]) {
    byId(id).addEventListener("change", reloadQueue);
  }
  byId("queue-search").addEventListener("input", () => {
    clearTimeout(queue.searchTimer);
    queue.searchTimer = setTimeout(reloadQueue, 250);
  });
  byId("queue-table").addEventListener("previouspage", () => {
    queue.cursor = queue.page.previous_cursor;
    loadQueue();
  });
  byId("queue-table").addEventListener("nextpage", () => {
    queue.cursor = queue.page.next_cursor;
    loadQueue();
  });
  byId("variant-chip").addEventListener("click", () => filterVariant(null));
  byId("bulk-apply").addEventListener("click", applyBulkPriority);
  byId("bulk-release").addEventListener("click", () => applyBulkAction("release"));
  byId("bulk-notify").addEventListener("click", () => applyBulkAction("notify"));
  byId("select-page").addEventListener("change", selectPage);
  showSelection();
}

// ---- order view: why an order waits and when it ships

function section(title, ...children) {
  const box = el("s-box", null, { padding: "base", class: "order-part" });
  box.append(el("h3", title), ...children);
  return box;
}

function simpleTable(headers, rows, cls) {
  const table = el("s-table", null, { variant: "auto", class: cls });
  const head = el("s-table-header-row");
  headers.forEach((header, index) => head.append(el("s-table-header", header,
                                                   index === 0 ? { listSlot: "primary" } : {})));
  const body = el("s-table-body");
  for (const cells of rows) {
    const row = el("s-table-row");
    for (const content of cells) row.append(cell(content));
    body.append(row);
  }
  table.append(head, body);
  return table;
}

function priorityControl(line) {
  const wrap = el("s-grid", null, { gridTemplateColumns: "8rem auto", gap: "base", alignItems: "end" });
  const field = el("s-number-field", null, { label: `Priority of ${line.variant || line.title}`, min: "-100", max: "100",
                                             step: "1", value: String(line.manual_priority),
                                             labelAccessibilityVisibility: "exclusive" });
  const button = el("s-button", "Set priority", { accessibilityLabel: `Set priority of ${line.variant || line.title}` });
  button.addEventListener("click", async () => {
    ui.setError(field, "");
    try {
      await api("POST", `/api/lines/${encodeURIComponent(line.line_id)}/priority`,
                { priority: toNumber(ui.value(field)) });
      toast("Priority saved; the queue is planned again.");
      await Promise.all([openOrder(line.order_id), loadQueue()]);
    } catch (error) {
      ui.setError(field, error.message);
      showError("order-error", null, error);
    }
  });
  wrap.append(field, button);
  return wrap;
}

function orderView(order) {
  const status = { ready: ["Ready", "success"], partially_ready: ["Partly ready", "warning"],
                   waiting: ["Waiting", "warning"] }[order.status] || [order.status || "No open line", "neutral"];
  const summary = el("s-stack", null, { direction: "inline", gap: "base", alignItems: "center" });
  summary.append(el("s-heading", `Order ${order.name}`), el("s-badge", status[0], { tone: status[1] }),
                 el("s-text", order.eta && order.owed_units ? `Expected to ship ${order.eta}` : "Nothing owed"),
                 el("s-text", `${order.ready_units} unit(s) ready, ${order.owed_units} owed`, { id: "order-units" }));
  const lines = simpleTable(
    ["Item", "Ready", "Owed", "Position", "Ships", "Priority"],
    order.lines.map((line) => [line.variant || line.title, line.covered, line.backordered,
                               line.queue_position, etaText(line.eta), priorityControl(line)]),
    "order-lines");
  const alternatives = order.lines.filter((line) => line.alternatives.length);
  const parts = [summary, section("Lines", lines)];
  parts.push(section("In-stock alternatives", alternatives.length
    ? el("div", null, { class: "order-alternatives" })
    : el("s-paragraph", "No alternative is suggested for this order.")));
  if (alternatives.length) {
    const holder = parts[parts.length - 1].querySelector(".order-alternatives");
    for (const line of alternatives) {
      holder.append(el("s-text", `Instead of ${line.variant || line.title}:`, { type: "strong" }),
                    alternativesList(line.alternatives));
    }
  }
  parts.push(section("Date changes", order.eta_history.length
    ? simpleTable(["Item", "From", "To", "Why", "When"], order.eta_history.map((c) => [
      c.title, c.old || "–", c.new || "–", c.reason, c.changed_at.slice(0, 16).replace("T", " ")]), "eta-history")
    : el("s-paragraph", "The first date promised still stands.")));
  parts.push(section("Held from fulfillment", order.holds.length
    ? simpleTable(["Item", "Units held", "Placed in the store"], order.holds.map((h) => [
      h.title, h.units, h.placed === h.units ? "yes" : `not yet (${h.placed} of ${h.units})`]), "holds")
    : el("s-paragraph", "Nothing is held: every unit of this order can ship.")));
  parts.push(section("Actions", ...orderActions(order)));
  const store = order.store;
  parts.push(el("s-paragraph", `The store's copy: ${store.state}${store.last_error ? ` (last error: ${store.last_error})` : ""}.`,
                { color: "subdued", id: "order-store" }));
  return parts;
}

const ACTION_NAMES = { release: "Holds released", hold: "Held again", notify: "Customer sent an update",
  cancel_owed: "Customer cancelled units still owed", swap_owed: "Customer swapped units still owed",
  ship_together: "Customer chose to ship the order together", ship_now: "Customer chose to ship what is ready now" };

function actionName(a) {
  const name = ACTION_NAMES[a.action] || a.action;
  const units = a.units ? ` (${a.units})` : "";
  if (a.status === "refused") return `${name}${units}: refused, ${a.message}`;
  if (a.refund === "owed") return `${name}${units}; refund owed, left to staff (${a.refund_note})`;
  if (a.refund === "issued") return `${name}${units}; refunded by the app`;
  return `${name}${units}`;
}

// Ship what is ready now: the ready units sit on a fulfillment order the app never holds (the
// owed ones are held apart), so they are shipped from the order's page in Shopify's admin.
// Release: the owed units too, until "Hold again". Below, who did what and when.
function orderActions(order) {
  const parts = [];
  const buttons = el("s-button-group");
  const numeric = /\/Order\/(\d+)$/.exec(order.order_id);
  if (order.ready_units && numeric && !saleor) {
    buttons.append(el("s-button", "Ship what is ready now", {
      id: "order-ship-ready", href: `shopify://admin/orders/${numeric[1]}`, target: "_top",
      accessibilityLabel: `Ship what is ready now: ${order.ready_units} unit(s), from the order in Shopify` }));
  }
  if (order.holds_released_at) {
    const again = el("s-button", "Hold again", { id: "order-hold-again" });
    again.addEventListener("click", async () => {
      try {
        await api("POST", `/api/orders/${encodeURIComponent(order.order_id)}/hold`);
        toast("The owed units are held again.");
        await openOrder(order.order_id);
      } catch (error) {
        showError("order-error", null, error);
      }
    });
    buttons.append(again);
    parts.push(el("s-paragraph", `Holds released ${order.holds_released_at.slice(0, 16).replace("T", " ")}: ` +
                  "the app holds nothing on this order until it is held again.", { id: "order-released" }));
  }
  if (buttons.childElementCount) parts.unshift(buttons);
  parts.push(order.actions.length
    ? simpleTable(["Action", "By", "When"], order.actions.map((a) => [
      actionName(a), a.actor, a.at.slice(0, 16).replace("T", " ")]), "order-actions")
    : el("s-paragraph", "No action taken on this order from the app yet."));
  return parts;
}

async function openOrder(orderId) {
  byId("order-view").hidden = false;
  byId("queue").hidden = true;
  try {
    const order = await api("GET", `/api/orders/${encodeURIComponent(orderId)}`);
    byId("order-body").replaceChildren(...orderView(order));
    ui.upgrade(byId("order-body"));
    show("order-error", "");
  } catch (error) {
    byId("order-body").replaceChildren();
    showError("order-error", null, error);
  }
}

function closeOrder() {
  byId("order-view").hidden = true;
  byId("queue").hidden = false;
}

// The order view has its own address (#order/<id>), so the browser's back button leaves it.
function route() {
  const match = /^#order\/(.+)$/.exec(window.location.hash);
  if (match) openOrder(decodeURIComponent(match[1]));
  else closeOrder();
}

// ---- the first-run setup guide: install, order fields pinned, first restock

const setup = { data: null };
const SETUP_DETAILS = {
  install: "The app has read your store's catalog and stock, and defined its order fields.",
  metafields: "In Settings, Custom data, Orders, pin the Backorders fields (status, date, lines, " +
    "alternatives) so every order page shows them. Mark this step done once they are pinned.",
  restock: "Add the stock you have ordered, by hand or from a CSV file: the waiting lines take " +
    "their dates from it.",
};

function setupStep(step) {
  const box = el("s-box", null, { padding: "small", class: `setup-step${step.done ? " done" : ""}`,
                                  "data-step": step.key });
  const mark = el("s-checkbox", null, { label: step.title, id: `setup-${step.key}` });
  if (step.done) mark.setAttribute("checked", "");
  if (step.key !== "metafields") mark.setAttribute("disabled", "");
  else mark.addEventListener("change", () => markSetup({ metafields_pinned: ui.checked(mark) }));
  box.append(mark, el("s-paragraph", SETUP_DETAILS[step.key]));
  if (step.key === "metafields" && !step.done) {
    box.append(el("s-button", "Open the order fields", {
      href: "shopify://admin/settings/custom_data/order/metafields", target: "_top" }));
  }
  if (step.key === "restock" && !step.done) {
    const add = el("s-button", "Add a restock");
    add.addEventListener("click", focusRestockForm);
    box.append(add);
  }
  return box;
}

function showSetup(data) {
  setup.data = data;
  byId("setup-guide").hidden = data.dismissed;
  byId("setup-progress").textContent = data.completed === data.total
    ? "All steps done." : `${data.completed} of ${data.total} steps done`;
  byId("setup-steps").replaceChildren(...data.steps.map(setupStep));
  ui.upgrade(byId("setup-steps"));
  if (queue.page && !queue.page.lines.length) showQueueEmpty(true);
}

async function loadSetup() {
  try {
    showSetup(await api("GET", "/api/setup"));
  } catch (error) {
    byId("setup-guide").hidden = true;
  }
}

async function markSetup(marks) {
  try {
    showSetup(await api("PUT", "/api/setup", marks));
  } catch (error) {
    toast(error.message);
  }
}

function focusRestockForm() {
  window.location.hash = "#restocks";
  const field = document.querySelector("#restock-form [name=variant]");
  field.scrollIntoView({ block: "center" });
  field.focus();
}

function startSetup() {
  byId("setup-dismiss").addEventListener("click", () => markSetup({ dismissed: true }));
  byId("restocks-empty-add").addEventListener("click", focusRestockForm);
  byId("restocks-empty-import").addEventListener("click", () => {
    byId("import-section").scrollIntoView({ block: "center" });
    const native = byId("import-file").querySelector("input");
    (native || byId("import-file")).focus();
  });
}

// ---- restocks

// The soonest restocks, a page at a time: a big shop expects thousands, and a row for each would
// hold the page (and every click on it) for minutes. "Show more" adds the next page; a reload
// after a change keeps as many rows as were shown.
const RESTOCK_PAGE = 100;
const restocks = { shown: 0 };

async function loadRestocks(more = false) {
  const offset = more ? restocks.shown : 0;
  const limit = more ? RESTOCK_PAGE : Math.min(500, Math.max(RESTOCK_PAGE, restocks.shown));
  try {
    const data = await api("GET", `/api/restocks?limit=${limit}&offset=${offset}`);
    const body = document.getElementById("restock-rows");
    const rows = data.restocks.map((r) => row([
      r.variant || r.variant_id, r.quantity, r.expected_date, r.source, r.reference, restockActions(r),
    ]));
    if (more) body.append(...rows);
    else body.replaceChildren(...rows);
    restocks.shown = offset + data.restocks.length;
    byId("restocks-more").hidden = restocks.shown >= data.total;
    byId("restocks-shown").textContent =
      `The ${restocks.shown} soonest of ${data.total} expected restocks are shown.`;
    document.getElementById("restocks-empty").hidden = data.total > 0;
    document.getElementById("restock-table").hidden = data.total === 0;
  } catch (error) {
    showError("restock-error", null, error);
  }
}

function restockActions(restock) {
  // Each row's buttons say which restock they act on: "Edit" alone, row after row, does not.
  const which = `the restock of ${restock.variant || restock.variant_id} expected ${restock.expected_date}`;
  const wrap = el("span");
  const edit = el("button", "Edit", { type: "button", "aria-label": `Edit ${which}` });
  edit.addEventListener("click", () => editRestock(restock));
  const remove = el("button", "Delete", { type: "button", "aria-label": `Delete ${which}` });
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
  await Promise.all([loadRestocks(), loadQueue(), loadNumbers(), loadInsights(), loadSetup()]);
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

// A CSV import is previewed first: the server checks the file, re-plans as if it were imported
// and rolls back. "Commit import" then sends the very text that was previewed.
const importing = { text: null, name: "" };

function csvForm(text, name) {
  const data = new FormData();
  data.append("file", new Blob([text], { type: "text/csv" }), name || "restocks.csv");
  return data;
}

function showPreview(result) {
  const t = result.totals;
  byId("import-summary").textContent =
    `${t.restocks} restock(s), ${t.units} unit(s). ${t.waiting_lines} line(s) wait for these ` +
    `variants (${t.units_owed} unit(s) owed); ${t.lines_filled} would be filled when the stock ` +
    `arrives; ${t.eta_earlier} date(s) would move earlier and ${t.eta_later} later.`;
  byId("import-effects").replaceChildren(simpleTable(
    ["Variant", "Units coming", "Lines waiting", "Units owed", "Lines filled on arrival",
     "Dates earlier", "Dates later"],
    result.variants.map((v) => [v.variant || v.variant_id, v.units, v.waiting_lines, v.units_owed,
                                v.lines_filled, v.eta_earlier, v.eta_later]),
    "import-effects-table"));
  byId("import-rows").replaceChildren(simpleTable(
    ["Line", "Variant", "Quantity", "Expected", "Reference"],
    result.rows.map((r) => [r.line, r.variant || r.variant_id, r.quantity, r.expected_date,
                            r.reference]),
    "import-rows-table"));
  byId("import-review").hidden = false;
}

function closePreview() {
  importing.text = null;
  byId("import-review").hidden = true;
}

async function previewImport() {
  const [file] = ui.files(byId("import-file"));
  show("import-notice", "");
  closePreview();
  if (!file) {
    show("import-error", "Choose a CSV file first.");
    return;
  }
  const text = await file.text();
  try {
    const result = await api("POST", "/api/restocks/import?preview=1", csvForm(text, file.name));
    show("import-error", "");
    importing.text = text;
    importing.name = file.name;
    showPreview(result);
  } catch (error) {
    showError("import-error", null, error);
  }
}

async function commitImport() {
  if (importing.text === null) return;
  const button = byId("import-commit");
  ui.setDisabled(button, true);
  try {
    const result = await api("POST", "/api/restocks/import", csvForm(importing.text, importing.name));
    closePreview();
    ui.clearFiles(byId("import-file"));
    show("import-error", "");
    show("import-notice", `${result.imported} restock(s) imported.`);
    await Promise.all([loadRestocks(), loadQueue(), loadNumbers(), loadInsights(), loadSetup()]);
  } catch (error) {
    closePreview();
    showError("import-error", null, error);
  } finally {
    ui.setDisabled(button, false);
  }
}

function startImport() {
  byId("import-preview").addEventListener("click", previewImport);
  byId("import-commit").addEventListener("click", commitImport);
  byId("import-discard").addEventListener("click", () => {
    closePreview();
    show("import-notice", "Nothing was imported.");
  });
  byId("import-file").addEventListener("change", closePreview);
}

// ---- settings, saved through App Bridge's contextual save bar

// A whole number as a number; anything else is sent as typed, so the server names the field.
function toNumber(text) {
  const value = String(text).trim();
  if (value === "") return null;
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

function listOf(text) {
  return text.split(",").map((item) => item.trim()).filter(Boolean);
}

const NUMBER_SETTINGS = ["processing_days", "default_lead_time_days", "safety_margin_days",
                         "slip_allowance_days", "age_boost_days"];
const SAVE_BAR = "settings-save-bar";
// The customer's messages, each a Flow trigger, in the order the page lists them.
const NOTICE_KINDS = ["created", "eta_changed", "ready", "waiting_long", "cancelled", "delivered"];
const NOTICE_NAMES = { created: "Backorder created", eta_changed: "Ship date changed",
                       ready: "Ready to ship", waiting_long: "Waiting long",
                       cancelled: "Backorder cancelled", delivered: "Delivered (for feedback)" };

// The Polaris field of a setting (not the native control the fallback puts inside it).
function setting(name) {
  return document.querySelector(`#settings-form [name="${name}"]:not(input):not(select)`);
}

function weekendBoxes() {
  return [...document.querySelectorAll('#settings-form s-checkbox[name="weekend_days"]')];
}

function fillSettings(settings) {
  const p = settings.policy;
  const a = settings.alternatives;
  for (const name of NUMBER_SETTINGS) ui.setValue(setting(name), p[name] === null ? "" : p[name]);
  ui.setValue(setting("priority_tags"), p.priority_tags.join(", "));
  ui.setValue(setting("country"), p.country || "");
  ui.setValue(setting("closed_dates"), p.closed_dates.join(", "));
  for (const box of weekendBoxes()) {
    ui.setChecked(box, p.weekend_days.includes(Number(box.getAttribute("value"))));
  }
  ui.setChecked(setting("ship_complete"), p.ship_complete);
  ui.setChecked(setting("learn_lead_times"), p.learn_lead_times);
  ui.setChecked(setting("customers_may_cancel"), p.customers_may_cancel);
  ui.setChecked(setting("customers_may_swap"), p.customers_may_swap);
  ui.setChecked(setting("refund_cancelled_units"), p.refund_cancelled_units);
  ui.setChecked(setting("goodwill_enabled"), p.goodwill.enabled);
  ui.setValue(setting("goodwill_kind"), p.goodwill.kind);
  ui.setValue(setting("goodwill_amount"), p.goodwill.amount);
  ui.setValue(setting("goodwill_cap"), p.goodwill.cap_per_customer);
  ui.setValue(setting("goodwill_budget"), p.goodwill.budget_per_month);
  ui.setValue(setting("caps_default"), p.caps.default === null ? "" : p.caps.default);
  for (const kind of NOTICE_KINDS) ui.setChecked(setting(`notice_${kind}`), p.notices.enabled[kind]);
  ui.setValue(setting("eta_change_days"), p.notices.eta_change_days);
  ui.setValue(setting("waiting_long_days"), p.notices.waiting_long_days);
  for (const kind of NOTICE_KINDS) ui.setValue(setting(`note_${kind}`), p.notices.notes[kind]);
  ui.setChecked(setting("enabled"), a.enabled);
  ui.setValue(setting("max_suggestions"), a.max_suggestions);
  ui.setValue(setting("price_band_percent"), a.price_band_percent);
  ui.setChecked(setting("same_type_only"), a.same_type_only);
  ui.setValue(setting("excluded_tags"), a.excluded_tags.join(", "));
}

// The form's values over the settings last loaded, so settings without a field here
// (per-variant lead times and caps) are kept as they are.
function readSettings() {
  const policy = { ...state.settings.policy };
  for (const name of NUMBER_SETTINGS) policy[name] = toNumber(ui.value(setting(name)));
  policy.priority_tags = listOf(ui.value(setting("priority_tags")));
  policy.country = ui.value(setting("country")).trim() || null;
  policy.closed_dates = listOf(ui.value(setting("closed_dates")));
  policy.weekend_days = weekendBoxes().filter((box) => ui.checked(box))
    .map((box) => Number(box.getAttribute("value")));
  policy.ship_complete = ui.checked(setting("ship_complete"));
  policy.learn_lead_times = ui.checked(setting("learn_lead_times"));
  policy.customers_may_cancel = ui.checked(setting("customers_may_cancel"));
  policy.customers_may_swap = ui.checked(setting("customers_may_swap"));
  policy.refund_cancelled_units = ui.checked(setting("refund_cancelled_units"));
  policy.goodwill = {
    enabled: ui.checked(setting("goodwill_enabled")),
    kind: ui.value(setting("goodwill_kind")),
    amount: ui.value(setting("goodwill_amount")).trim(),
    cap_per_customer: toNumber(ui.value(setting("goodwill_cap"))),
    budget_per_month: ui.value(setting("goodwill_budget")).trim(),
  };
  policy.caps = { ...policy.caps, default: toNumber(ui.value(setting("caps_default"))) };
  policy.notices = {
    enabled: Object.fromEntries(NOTICE_KINDS.map((kind) => [kind, ui.checked(setting(`notice_${kind}`))])),
    eta_change_days: toNumber(ui.value(setting("eta_change_days"))),
    waiting_long_days: toNumber(ui.value(setting("waiting_long_days"))),
    notes: Object.fromEntries(NOTICE_KINDS.map((kind) => [kind, ui.value(setting(`note_${kind}`))])),
  };
  const alternatives = {
    enabled: ui.checked(setting("enabled")),
    max_suggestions: toNumber(ui.value(setting("max_suggestions"))),
    price_band_percent: toNumber(ui.value(setting("price_band_percent"))),
    same_type_only: ui.checked(setting("same_type_only")),
    excluded_tags: listOf(ui.value(setting("excluded_tags"))),
  };
  return { policy, alternatives };
}

function settingsFields() {
  return [...document.querySelectorAll("#settings-form [name]:not(input):not(select)")];
}

function clearSettingErrors() {
  for (const field of settingsFields()) ui.setError(field, "");
}

// Inside the admin the save bar is App Bridge's (shopify.saveBar); elsewhere the element itself
// is shown, its two buttons in a bar of the page's own.
function saveBar(visible) {
  if (window.shopify && window.shopify.saveBar) {
    if (visible) window.shopify.saveBar.show(SAVE_BAR);
    else window.shopify.saveBar.hide(SAVE_BAR);
  } else {
    byId(SAVE_BAR).dataset.showing = visible ? "1" : "";
  }
}

function settingsChanged() {
  if (!state.settings) return;
  show("settings-notice", "");
  saveBar(true);
}

async function loadSettings() {
  try {
    state.settings = await api("GET", "/api/settings");
    fillSettings(state.settings);
  } catch (error) {
    showError("settings-error", null, error);
  }
  await loadGoodwill();
}

// What this month's goodwill codes cost, against the budget.
async function loadGoodwill() {
  try {
    const g = await api("GET", "/api/goodwill");
    show("goodwill-spent", `This month (${g.month}): ${g.given} code(s) given, ${g.spent} of ` +
      `${g.budget} spent` + (g.skipped ? `; ${g.skipped} not given (cap or budget)` : "") + ".");
  } catch (error) {
    show("goodwill-spent", "");
  }
}

async function saveSettings() {
  show("settings-notice", "");
  const button = byId("settings-save");
  button.setAttribute("loading", "");
  try {
    state.settings = await api("PUT", "/api/settings", readSettings());
    fillSettings(state.settings);
    clearSettingErrors();
    show("settings-error", "");
    saveBar(false);
    show("settings-notice", "Settings saved; the queue is being planned again and updates shortly.");
    toast("Settings saved");
    await Promise.all([loadQueue(), loadNumbers(), loadInsights(), loadPreview()]);
  } catch (error) {
    clearSettingErrors();
    showError("settings-error", null, error);
    const field = error.field && settingsFields().find(
      (node) => (node.dataset.field || node.getAttribute("name")) === error.field);
    if (field) ui.setError(field, error.message);
  } finally {
    button.removeAttribute("loading");
  }
}

function discardSettings() {
  fillSettings(state.settings);
  clearSettingErrors();
  show("settings-error", "");
  saveBar(false);
}

// The preview: the Flow trigger a message fires and each field of its payload, as the app
// would send it for the shop's oldest waiting order (or a sample order).
function previewValue(value) {
  if (value === "") return "(empty)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

let previewAsked = 0; // only the answer to the latest request is shown

async function loadPreview() {
  const kind = ui.value(byId("preview-kind")) || "created";
  const asked = ++previewAsked;
  try {
    const shown = await api("GET", `/api/messages/preview?kind=${encodeURIComponent(kind)}`);
    if (asked !== previewAsked) return; // a newer choice was made meanwhile
    const order = shown.order.sample ? "a sample order" : `order ${shown.order.name}`;
    const off = !shown.enabled ? " Switched off: not sent."
      : shown.listening ? "" : " No enabled Flow workflow starts with this trigger: not sent.";
    const m = shown.message;
    byId("preview-summary").textContent = m
      ? `${NOTICE_NAMES[kind]} for ${order}: Flow trigger ${m.target}, ${m.size.toLocaleString("en-US")} of ${m.limit.toLocaleString("en-US")} bytes.${off}`
      : `${NOTICE_NAMES[kind]} for ${order}: this store's platform is sent nothing.${off}`;
    // The order first, then the trigger's own fields.
    const fields = Object.entries(m ? m.payload : {})
      .sort(([a], [b]) => (b === "order_id") - (a === "order_id"));
    byId("preview-rows").replaceChildren(...fields.map(([key, value]) => {
      const line = el("s-table-row", null, { "data-key": key });
      line.append(cell(key), cell(previewValue(value), "preview-value"));
      return line;
    }));
    ui.upgrade(byId("preview-rows"));
    byId("preview-table").hidden = !m;
    show("preview-error", "");
  } catch (error) {
    if (asked === previewAsked) showError("preview-error", null, error);
  }
}

function startSettings() {
  byId("preview-kind").addEventListener("change", loadPreview);
  for (const field of settingsFields()) {
    field.addEventListener("input", settingsChanged);
    field.addEventListener("change", settingsChanged);
  }
  byId("settings-form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveSettings();
  });
  byId("settings-save").addEventListener("click", saveSettings);
  byId("settings-discard").addEventListener("click", discardSettings);
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
    // Metrics cards: the figure under its name.
    byId("numbers-list").replaceChildren(...items.map(([name, value]) => {
      const card = el("s-box", null, { padding: "base", border: "base", borderRadius: "base",
                                       class: "metric" });
      card.append(el("s-text", name, { color: "subdued" }), el("s-paragraph", value, { class: "metric-value" }));
      return card;
    }));
    show("numbers-error", "");
  } catch (error) {
    showError("numbers-error", null, error);
  }
}

// ---- insights: charts drawn with the vendored Chart.js, and the reorder suggestions

const charts = {};

// One chart per canvas, drawn again from scratch; the canvas's label says what it shows, for
// those who cannot see it.
function drawChart(id, config, summary) {
  const canvas = byId(id);
  if (charts[id]) charts[id].destroy();
  canvas.setAttribute("aria-label", summary);
  canvas.textContent = summary;
  if (!window.Chart) return;
  charts[id] = new window.Chart(canvas, {
    ...config,
    options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options },
  });
}

function drawInsights(data) {
  const rate = data.backorder_rate;
  const today = rate[rate.length - 1];
  drawChart("chart-rate", {
    type: "line",
    data: { labels: rate.map((d) => d.date),
            datasets: [{ label: "Lines backordered (%)", spanGaps: true, borderColor: "#005bd3",
                         data: rate.map((d) => (d.rate === null ? null : Math.round(d.rate * 1000) / 10)) }] },
    options: { scales: { y: { min: 0, max: 100 } } },
  }, `Backorder rate by day over the last ${data.days} days; today ${percent(today.rate)} of ${today.lines} line(s).`);
  const variants = data.by_variant.slice(0, 12);
  drawChart("chart-variants", {
    type: "bar",
    data: { labels: variants.map((v) => v.variant),
            datasets: [{ label: "Units owed", data: variants.map((v) => v.units_owed),
                         backgroundColor: "#8051ff", yAxisID: "units" },
                       { label: "Oldest wait (days)", data: variants.map((v) => v.oldest_age_days),
                         backgroundColor: "#e4a400", yAxisID: "days" }] },
    options: { scales: { units: { position: "left", beginAtZero: true },
                         days: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } } },
  }, `Units owed by variant${data.variants_waiting > variants.length ? ` (the ${variants.length} owed most of ${data.variants_waiting})` : ""}: ` +
     `${variants.map((v) => `${v.variant} ${v.units_owed} (oldest ${v.oldest_age_days} d)`).join(", ") || "none"}.`);
  const a = data.promise_accuracy;
  drawChart("chart-accuracy", {
    type: "doughnut",
    data: { labels: ["Kept", "Broken", "Pending"],
            datasets: [{ data: [a.kept, a.broken, a.pending],
                         backgroundColor: ["#29845a", "#e51c00", "#b5b5b5"] }] },
  }, `Promises: ${a.kept} kept, ${a.broken} broken, ${a.pending} pending (${percent(a.rate)} kept).`);
  const changes = data.eta_changes;
  const later = changes.reduce((n, d) => n + d.later, 0);
  const earlier = changes.reduce((n, d) => n + d.earlier, 0);
  drawChart("chart-eta", {
    type: "bar",
    data: { labels: changes.map((d) => d.date),
            datasets: [{ label: "Later", data: changes.map((d) => d.later), backgroundColor: "#e51c00" },
                       { label: "Earlier", data: changes.map((d) => d.earlier), backgroundColor: "#29845a" }] },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  }, `Date changes over the last ${data.days} days: ${later} later, ${earlier} earlier.`);
  fillReorder(data.reorder, data.reorder_total);
  fillMessagesSent(data.messages_sent, data.days);
}

// Messages the store took, per kind (what the app recorded as sent, not what it wanted to send).
function fillMessagesSent(sent, days) {
  byId("messages-sent-summary").textContent =
    `${sent.total} message(s) sent to Flow in the last ${days} days.`;
  byId("messages-sent-rows").replaceChildren(...NOTICE_KINDS.map((kind) => {
    const line = el("s-table-row", null, { "data-kind": kind });
    line.append(cell(NOTICE_NAMES[kind]), cell(sent.by_kind[kind], "sent"));
    return line;
  }));
  ui.upgrade(byId("messages-sent-rows"));
}

// The largest suggestions only (the API sends those): a big shop has thousands of variants, and a
// table row per variant would hold the page for minutes. The CSV export has them all.
function fillReorder(rows, total) {
  byId("reorder-more").hidden = total <= rows.length;
  byId("reorder-more").textContent =
    `The ${rows.length} largest of ${total} suggestions are shown; Export CSV has them all.`;
  byId("reorder-rows").replaceChildren(...rows.map((r) => {
    const row = el("s-table-row", null, { "data-variant": r.variant_id });
    row.append(cell(r.variant), cell(r.sku), cell(r.owed), cell(r.incoming), cell(r.safety_stock),
               cell(r.suggested, "suggested"));
    return row;
  }));
  ui.upgrade(byId("reorder-rows"));
  byId("reorder-empty").hidden = rows.length > 0;
}

function safetyStock() {
  return ui.value(byId("safety-stock")).trim() || "0";
}

async function loadInsights() {
  const field = byId("safety-stock");
  try {
    const data = await api("GET", `/api/insights?safety_stock=${encodeURIComponent(safetyStock())}`);
    ui.setError(field, "");
    drawInsights(data);
    show("numbers-error", "");
  } catch (error) {
    if (error.field === "safety_stock") ui.setError(field, error.message);
    showError("numbers-error", null, error);
  }
}

// The CSV comes through the API with the session token, then is handed to the browser as a file.
async function exportReorder() {
  try {
    const response = await fetch(`/api/insights/reorder.csv?safety_stock=${encodeURIComponent(safetyStock())}`,
                                 { headers: await authHeaders() });
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
    const link = el("a", null, { href: URL.createObjectURL(await response.blob()),
                                 download: "reorder-suggestions.csv" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (error) {
    showError("numbers-error", null, error);
  }
}

function startInsights() {
  byId("safety-stock").addEventListener("change", loadInsights);
  byId("reorder-csv").addEventListener("click", exportReorder);
}

// ---- start

// A page of the admin's navigation menu (/restocks, /settings, /insights) opens the one page
// at its part; an order's address (#order/...) wins.
function openSection() {
  const part = document.body.dataset.section;
  if (window.location.hash || !part || part === "queue") return;
  byId(part)?.scrollIntoView({ block: "start" });
}

function start() {
  if (saleor) listenToSaleorDashboard();
  startQueue();
  window.addEventListener("hashchange", route);
  document.getElementById("restock-form").addEventListener("submit", submitRestock);
  document.getElementById("restock-cancel").addEventListener("click", resetRestockForm);
  byId("restocks-show-more").addEventListener("click", () => loadRestocks(true));
  startImport();
  startSetup();
  startSettings();
  startInsights();
  route();
  const top = Promise.all([loadSetup(), loadQueue()]);
  // What the first screen shows is in: the page comes into sight (the parts below fill in out
  // of sight, or move nothing shown).
  top.finally(() => { document.body.dataset.shown = "1"; });
  Promise.all([top, loadRestocks(), loadSettings(), loadNumbers(), loadInsights(), loadPreview()])
    .finally(() => {
      document.body.dataset.shown = "1";
      openSection();
      document.body.dataset.ready = "1";
    });
}

document.addEventListener("DOMContentLoaded", start);
