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
