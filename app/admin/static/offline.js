// Polaris web components come from Shopify's CDN. Where they do not load (the tests, the demo
// offline, Saleor's Dashboard) the browser treats s-* tags as unknown elements: it shows their
// children and nothing else. This keeps such a page readable and usable: headings given as
// attributes are written out, form fields get a native control, buttons and tables get their
// roles. The page's code reads and writes fields through `ui` below, the same either way.
"use strict";

(() => {
  const FIELDS = ["s-text-field", "s-number-field", "s-search-field", "s-date-field", "s-select",
                  "s-checkbox", "s-switch", "s-drop-zone"];
  const ROLES = { "s-table": "table", "s-table-header-row": "row", "s-table-row": "row",
                  "s-table-header": "columnheader", "s-table-cell": "cell",
                  "s-table-body": "rowgroup" };
  let made = 0;
  const polaris = () => Boolean(window.customElements && customElements.get("s-page"));

  // The native control standing in for a Polaris field, made once.
  function nativeField(host) {
    const tag = host.localName;
    made += 1;
    const id = host.id ? `${host.id}-native` : `native-field-${made}`;
    const label = host.getAttribute("label") || host.getAttribute("accessibilitylabel") || "";
    let control;
    if (tag === "s-select") {
      control = document.createElement("select");
      for (const option of host.querySelectorAll("s-option")) {
        const native = new Option(option.textContent, option.getAttribute("value") || "");
        native.selected = option.hasAttribute("selected");
        control.append(native);
      }
    } else {
      control = document.createElement("input");
      control.type = { "s-checkbox": "checkbox", "s-switch": "checkbox", "s-number-field": "number",
                       "s-date-field": "date", "s-search-field": "search",
                       "s-drop-zone": "file" }[tag] || "text";
      for (const name of ["min", "max", "step", "placeholder", "maxlength", "accept"]) {
        if (host.hasAttribute(name)) control.setAttribute(name, host.getAttribute(name));
      }
      if (control.type === "checkbox") control.checked = host.hasAttribute("checked");
      else control.value = host.getAttribute("value") || "";
      if (host.getAttribute("inputmode")) control.inputMode = host.getAttribute("inputmode");
    }
    control.id = id;
    if (host.getAttribute("name")) control.name = host.getAttribute("name");
    if (host.hasAttribute("disabled")) control.disabled = true;
    const wrap = document.createElement("label");
    wrap.className = `native-field native-${control.type === "checkbox" ? "check" : "input"}`;
    wrap.htmlFor = id;
    const text = document.createElement("span");
    text.className = "native-label";
    text.textContent = label;
    if (host.getAttribute("labelaccessibilityvisibility") === "exclusive" || !host.getAttribute("label")) {
      text.classList.add("visually-hidden");
    }
    if (control.type === "checkbox") wrap.append(control, text);
    else wrap.append(text, control);
    if (host.getAttribute("details")) {
      const details = document.createElement("span");
      details.className = "native-details";
      details.textContent = host.getAttribute("details");
      wrap.append(details);
    }
    const error = document.createElement("span");
    error.className = "field-error";
    error.setAttribute("role", "alert");
    host.prepend(wrap, error);
    host.dataset.native = "1";
    return control;
  }

  // A heading given as an attribute, written out as the element's first child.
  function heading(host, level) {
    if (host.dataset.headed) return;
    const text = host.getAttribute("heading");
    if (!text) return;
    const node = document.createElement(level);
    node.className = "native-heading";
    node.textContent = text;
    host.prepend(node);
    host.dataset.headed = "1";
  }

  function clickable(host) {
    if (host.dataset.native) return;
    host.dataset.native = "1";
    const href = host.getAttribute("href");
    host.setAttribute("role", href ? "link" : "button");
    host.tabIndex = host.hasAttribute("disabled") ? -1 : 0;
    if (host.hasAttribute("disabled")) host.setAttribute("aria-disabled", "true");
    if (host.getAttribute("accessibilitylabel")) {
      host.setAttribute("aria-label", host.getAttribute("accessibilitylabel"));
    }
    host.addEventListener("click", (event) => {
      if (host.hasAttribute("disabled")) {
        event.stopImmediatePropagation();
        return;
      }
      if (href) window.location.hash = href.startsWith("#") ? href : window.location.hash;
      if (host.getAttribute("type") === "submit") host.closest("form")?.requestSubmit();
    }, true);
    host.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        host.click();
      }
    });
  }

  // s-table's own pagination buttons, which fire the same events Polaris's do.
  function pagination(table) {
    if (table.dataset.native) return;
    table.dataset.native = "1";
    // A table's filters show above it, outside the table's own layout.
    const filters = table.querySelector(":scope > [slot=filters]");
    if (filters) table.before(filters);
    if (!table.hasAttribute("paginate")) return;
    const nav = document.createElement("div");
    nav.className = "native-pagination";
    for (const [label, event, attr] of [["Previous", "previouspage", "haspreviouspage"],
                                        ["Next", "nextpage", "hasnextpage"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.dataset.attr = attr;
      button.addEventListener("click", () => table.dispatchEvent(new Event(event)));
      nav.append(button);
    }
    table.after(nav);
    const sync = () => {
      for (const button of nav.querySelectorAll("button")) {
        button.disabled = !table.hasAttribute(button.dataset.attr);
      }
    };
    new MutationObserver(sync).observe(table, { attributes: true });
    sync();
  }

  function upgrade(root) {
    if (polaris()) return;
    const all = (selector) => [root, ...root.querySelectorAll(selector)]
      .filter((node) => node.nodeType === 1 && node.matches(selector));
    for (const host of all(FIELDS.join(","))) if (!host.dataset.native) nativeField(host);
    for (const host of all("s-page")) heading(host, "h1");
    for (const host of all("s-section")) heading(host, "h2");
    for (const host of all("s-banner")) heading(host, "strong");
    for (const host of all("s-button, s-clickable, s-clickable-chip, s-link")) clickable(host);
    for (const host of all("s-table")) pagination(host);
    for (const host of all("s-grid")) {
      host.style.gridTemplateColumns = host.getAttribute("gridtemplatecolumns") || "";
      host.style.alignItems = host.getAttribute("alignitems") || "";
    }
    for (const [tag, role] of Object.entries(ROLES)) {
      for (const host of all(tag)) host.setAttribute("role", role);
    }
  }

  const control = (host) => host.querySelector(":scope > label > input, :scope > label > select");

  // What the page's code uses, Polaris or not.
  window.ui = {
    polaris,
    upgrade,
    value(host) {
      return polaris() ? String(host.value ?? "") : control(host).value;
    },
    setValue(host, value) {
      if (polaris()) host.value = String(value ?? "");
      else control(host).value = String(value ?? "");
    },
    checked(host) {
      return polaris() ? Boolean(host.checked) : control(host).checked;
    },
    setChecked(host, on) {
      if (polaris()) host.checked = Boolean(on);
      else control(host).checked = Boolean(on);
    },
    // The files chosen in an s-drop-zone.
    files(host) {
      return [...((polaris() ? host.files : control(host).files) || [])];
    },
    clearFiles(host) {
      if (polaris()) host.value = "";
      else control(host).value = "";
    },
    setError(host, message) {
      if (polaris()) host.error = message || "";
      else host.querySelector(":scope > .field-error").textContent = message || "";
    },
    setDisabled(host, off) {
      host.toggleAttribute("disabled", Boolean(off));
      if (!polaris()) {
        const native = control(host);
        if (native) native.disabled = Boolean(off);
        else {
          host.tabIndex = off ? -1 : 0;
          host.setAttribute("aria-disabled", off ? "true" : "false");
        }
      }
    },
  };

  document.addEventListener("DOMContentLoaded", () => {
    if (polaris()) return;
    document.documentElement.classList.add("no-polaris");
    upgrade(document.body);
    new MutationObserver((changes) => {
      for (const change of changes) {
        for (const node of change.addedNodes) if (node.nodeType === 1) upgrade(node);
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
