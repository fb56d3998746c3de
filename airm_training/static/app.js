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
function labelStackedCells() {
  for (const table of document.querySelectorAll("table.table-stack")) {
    const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    for (const row of table.querySelectorAll("tbody tr")) {
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
