// Ask before destructive actions: <form data-confirm="Really?">.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// A table that scrolls sideways must be reachable by keyboard: make it a focusable,
// named region while (and only while) it overflows.
function markScrollingTables() {
  for (const box of document.querySelectorAll(".table-responsive")) {
    if (box.scrollWidth > box.clientWidth) {
      const caption = box.querySelector("caption");
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
    } else if (box.getAttribute("role") === "region") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
}
markScrollingTables();
window.addEventListener("resize", markScrollingTables);

// A field's help text and its errors follow it on the page; tie them to the field so a
// screen reader reads them when the field gets the focus, and mark the field invalid.
function describeFields() {
  let n = 0;
  for (const note of document.querySelectorAll(".form-text, .invalid-feedback")) {
    let control = note.previousElementSibling;
    while (control && !control.matches("input, select, textarea")) {
      control = control.matches("label, .invalid-feedback, .form-text") ? control.previousElementSibling : null;
    }
    if (!control || !control.id) continue;
    note.id ||= `${control.id}-note-${++n}`;
    const ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (!ids.includes(note.id)) control.setAttribute("aria-describedby", [...ids, note.id].join(" "));
    if (note.matches(".invalid-feedback")) control.setAttribute("aria-invalid", "true");
  }
}
describeFields();

// On phones a table is shown as stacked cards (.table-stack in app.css): each cell
// carries its column's heading, so a card reads "Date 2026-11-20", "Status Signed"...
// Only the table's own headings and rows: a table inside a cell has its own.
function labelStackedCells() {
  for (const table of document.querySelectorAll("table.table-stack")) {
    const headings = [...table.querySelectorAll(":scope > thead > tr > th")].map((th) =>
      th.textContent.trim(),
    );
    for (const row of table.querySelectorAll(":scope > tbody > tr")) {
      let column = 0;
      for (const cell of row.children) {
        if (headings[column] && !cell.hasAttribute("data-label")) cell.dataset.label = headings[column];
        column += cell.colSpan || 1;
      }
    }
  }
}
labelStackedCells();

// A date such as 2026-11-20 must not break at its hyphens on a narrow screen: keep each
// ISO date in the page's text on one line.
function keepDatesWhole() {
  const walker = document.createTreeWalker(document.querySelector("main") || document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      /\d{4}-\d{2}-\d{2}/.test(node.textContent) && !node.parentElement.closest("script, style, textarea, .text-nowrap, time")
        ? NodeFilter.FILTER_ACCEPT
        : NodeFilter.FILTER_REJECT,
  });
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  for (const node of nodes) {
    const parts = node.textContent.split(/(\d{4}-\d{2}-\d{2})/);
    const fragment = document.createDocumentFragment();
    parts.forEach((part, index) => {
      if (index % 2) {
        const date = document.createElement("span");
        date.className = "text-nowrap";
        date.textContent = part;
        fragment.append(date);
      } else if (part) {
        fragment.append(part);
      }
    });
    node.replaceWith(fragment);
  }
}
keepDatesWhole();

// Typeahead for a person filter: <input list=... data-lookup=URL> asks the server for
// matching names as the person types; picking a suggestion puts its id in the hidden
// field that follows, typing anything else clears it (the server then matches the text).
for (const input of document.querySelectorAll("input[data-lookup]")) {
  const list = document.getElementById(input.getAttribute("list"));
  const hidden = input.parentElement.querySelector("input[type=hidden]");
  let timer;
  input.addEventListener("input", () => {
    const chosen = [...list.options].find((option) => option.value === input.value);
    if (hidden) hidden.value = chosen ? chosen.dataset.id : "";
    if (chosen) return;
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (input.value.trim().length < 2) return;
      const response = await fetch(`${input.dataset.lookup}?q=${encodeURIComponent(input.value)}`);
      if (!response.ok) return;
      list.replaceChildren(
        ...(await response.json()).map(({ id, name }) => {
          const option = document.createElement("option");
          option.value = name;
          option.dataset.id = id;
          return option;
        }),
      );
    }, 200);
  });
}

// --- forms that keep work ---------------------------------------------------------------
// What a person types is copied to this tab's sessionStorage (never to the server) when a
// form is sent, and when the session is about to end. If the server then asks them to sign
// in again, the sign-in page marks the copy to be put back, and the form's page fills it in
// after sign-in. A copy the server accepted is dropped on the next page.
const KEPT = "airm-kept-form";
const SKIPPED = "input[type=password], input[type=hidden], input[type=file], input[type=submit], button";

function formFields(form) {
  return [...form.elements].filter((field) => field.name && !field.matches(SKIPPED));
}

function keepForm(form, restore = false) {
  const values = formFields(form).map((field) =>
    field.type === "checkbox" || field.type === "radio" ? [field.name, field.value, field.checked] : [field.name, field.value],
  );
  if (!values.some(([, value, checked]) => (checked === undefined ? value : checked))) return;
  const action = new URL(form.action, location.href).pathname;
  sessionStorage.setItem(KEPT, JSON.stringify({ page: location.pathname, action, values, restore, at: Date.now() }));
}

function restoreKeptForm() {
  const kept = JSON.parse(sessionStorage.getItem(KEPT) || "null");
  if (!kept) return;
  const params = new URLSearchParams(location.search);
  if (document.querySelector("main form [name=password]")) {
    // The sign-in page: put the copy back after sign-in if this is where it was sent from.
    const next = params.get("next");
    if (next && new URL(next, location.href).pathname === kept.page) {
      sessionStorage.setItem(KEPT, JSON.stringify({ ...kept, restore: true }));
    }
    return;
  }
  sessionStorage.removeItem(KEPT);
  if (!kept.restore || kept.page !== location.pathname || Date.now() - kept.at > 8 * 3600 * 1000) return;
  const form = [...document.querySelectorAll("main form[method=post]")].find(
    (f) => new URL(f.action, location.href).pathname === kept.action,
  );
  if (!form) return;
  for (const [name, value, checked] of kept.values) {
    for (const field of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
      if (checked === undefined) field.value = value;
      else if (field.value === value) field.checked = checked;
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }
  const note = document.createElement("div");
  note.className = "alert alert-info kept-form-note";
  note.setAttribute("role", "status");
  note.textContent = "You were signed out before this form was sent. What you had typed is back; check it and send it again.";
  form.before(note);
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.method === "post" && !form.querySelector("[name=password]")) keepForm(form);
});
restoreKeptForm();

// --- the warning before the idle timeout -------------------------------------------------
(function idleWarning() {
  const idle = Number(document.body.dataset.idleSeconds || 0);
  const box = document.getElementById("idle-warning");
  if (!idle || !box) return;
  const warnBefore = Math.min(3 * 60, Math.floor(idle / 5)); // seconds before the end
  const countdown = box.querySelector("[data-idle-countdown]");
  let deadline = Date.now() + idle * 1000;
  let timer;

  function minutesLeft() {
    const seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    return seconds >= 90 ? `${Math.round(seconds / 60)} minutes` : `${seconds} seconds`;
  }
  function tick() {
    const left = deadline - Date.now();
    if (left <= 0) {
      // The server has ended the session: keep any form, then sign in again and come back.
      for (const form of document.querySelectorAll("main form[method=post]")) keepForm(form, true);
      location.assign(`${document.body.dataset.signIn}?next=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    if (left <= warnBefore * 1000) {
      countdown.textContent = minutesLeft();
      if (box.hidden) {
        box.hidden = false;
        box.querySelector("[data-stay-signed-in]").focus();
      }
    }
    timer = setTimeout(tick, 1000);
  }
  box.querySelector("[data-stay-signed-in]").addEventListener("click", async () => {
    const token = document.querySelector("meta[name=csrf-token]")?.content || "";
    const response = await fetch(document.body.dataset.keepSession, { method: "POST", headers: { "X-CSRFToken": token } });
    if (response.ok) {
      deadline = Date.now() + idle * 1000;
      box.hidden = true;
    }
  });
  timer = setTimeout(tick, 1000);
})();

// --- counters and select-all -------------------------------------------------------------
// A text box with a limit counts its characters as they are typed: "180 of 1,000", or how
// many more a minimum still needs.
for (const box of document.querySelectorAll("textarea[maxlength], textarea[data-minlength]")) {
  const max = Number(box.getAttribute("maxlength") || 0);
  const min = Number(box.dataset.minlength || 0);
  const counter = document.createElement("div");
  counter.className = "form-text character-count";
  counter.id = `${box.id}-count`;
  box.after(counter);
  box.setAttribute("aria-describedby", [box.getAttribute("aria-describedby"), counter.id].filter(Boolean).join(" "));
  const update = () => {
    const used = box.value.length;
    const parts = [max ? `${used.toLocaleString("en-US")} of ${max.toLocaleString("en-US")} characters` : `${used.toLocaleString("en-US")} characters`];
    if (min && box.value.trim().length < min) parts.push(`${min - box.value.trim().length} more needed (at least ${min})`);
    counter.textContent = parts.join(" · ");
  };
  box.addEventListener("input", update);
  update();
}

// <input type=checkbox data-select-all="selector">: ticks or clears every box it names.
for (const all of document.querySelectorAll("input[data-select-all]")) {
  const boxes = () => [...document.querySelectorAll(all.dataset.selectAll)];
  all.closest("[data-select-all-box]")?.removeAttribute("hidden");
  all.addEventListener("change", () => boxes().forEach((box) => (box.checked = all.checked)));
  document.addEventListener("change", (event) => {
    if (event.target === all || !boxes().includes(event.target)) return;
    const ticked = boxes().filter((box) => box.checked).length;
    all.checked = ticked === boxes().length;
    all.indeterminate = ticked > 0 && ticked < boxes().length;
  });
}

// A person filter picked by name: <input data-person-search="URL" data-person-select="ID"
// data-fixed-options="N">. As one types, the select's options after its first N become the
// people the server finds (a few at a time); without scripts the form searches on submit.
for (const input of document.querySelectorAll("input[data-person-search]")) {
  const select = document.getElementById(input.dataset.personSelect);
  const fixed = Number(input.dataset.fixedOptions || "0");
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (!select || text.length < 2) return;
    timer = setTimeout(async () => {
      const url = new URL(input.dataset.personSearch, window.location.href);
      url.searchParams.set("q", text);
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const { people } = await response.json();
      const chosen = select.value;
      while (select.options.length > fixed) select.remove(fixed);
      for (const person of people) {
        select.add(new Option(person.name, String(person.id), false, String(person.id) === chosen));
      }
    }, 250);
  });
}
