// "Select all" for a batch form: the box ticks or clears every check box of the
// form (form="<id>") with the given name (data-select-name, "match" by default).
// Without script the box stays hidden and each row is ticked by hand.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("[data-select-all]")) {
    const selector = `input[type="checkbox"][name="${box.dataset.selectName || "match"}"][form="${box.dataset.selectAll}"]`;
    const boxes = () => [...document.querySelectorAll(selector)];
    const wrap = box.closest("[data-select-all-wrap]");
    if (wrap) wrap.hidden = false;
    box.addEventListener("change", () => {
      for (const other of boxes()) other.checked = box.checked;
    });
    document.addEventListener("change", (event) => {
      if (event.target !== box && event.target.matches(selector)) {
        const all = boxes();
        box.checked = all.length > 0 && all.every((b) => b.checked);
      }
    });
  }
});
