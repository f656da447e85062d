// The reporter's period page: error summary, character counts, "copy from the previous
// period", and a warning before leaving with unsaved changes. The page works without it:
// the summary's links still lead to the fields, the limit is written under each text box,
// the previous period's values are on the page to copy by hand.
// Every text comes translated from the page (json_script "entry-strings").
(() => {
  const stringsElement = document.getElementById("entry-strings");
  const form = document.querySelector("form.entry-form");
  const strings = stringsElement ? JSON.parse(stringsElement.textContent) : {};
  const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
  const fill = (text, values) =>
    text.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? values[name] : match));
  const normalise = (value) => value.replace(/\r\n/g, "\n");

  // Error summary: focused on arrival; its links move focus to the field itself.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      const target = link && document.getElementById(link.hash.slice(1));
      if (!target) return;
      event.preventDefault();
      const fieldset = target.closest("fieldset");
      const label = document.querySelector(`label[for="${target.id}"]`);
      (label || fieldset || target).scrollIntoView();
      if (!target.matches("input, select, textarea, button")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus({ preventScroll: true });
    });
  }

  if (!form) return;

  // Character counts: the limit under each text box becomes "123 / 4 000 characters",
  // which the box's description (aria-describedby) reads on focus. Screen readers hear,
  // politely and only once typing pauses, how many are left when near the limit or how
  // many too many when over it.
  const status = document.getElementById("char-count-status");
  let announceTimer;
  let announced = "";
  form.querySelectorAll("p.char-count[data-limit]").forEach((counter) => {
    const box = document.getElementById(counter.id.replace(/_helptext$/, ""));
    if (!box) return;
    const limit = Number(counter.dataset.limit);
    // The server refuses an over-long text; without maxlength a pasted text is not cut
    // short unseen, and the count says how much to remove.
    box.removeAttribute("maxlength");
    const update = (announce) => {
      const length = normalise(box.value).length;
      const over = length > limit;
      const near = length >= limit * 0.9;
      counter.textContent = fill(strings.count, {
        count: numbers.format(length),
        limit: numbers.format(limit),
      });
      if (over) {
        counter.append(" – ", fill(strings.over, { count: numbers.format(length - limit) }));
      }
      counter.classList.toggle("char-count-over", over);
      if (!announce || !status) return;
      clearTimeout(announceTimer);
      announceTimer = setTimeout(() => {
        let message = "";
        if (over) message = fill(strings.over, { count: numbers.format(length - limit) });
        else if (near) message = fill(strings.remaining, { count: numbers.format(limit - length) });
        if (message !== announced) {
          status.textContent = message;
          announced = message;
        }
      }, 1000);
    };
    box.addEventListener("input", () => update(true));
    update(false);
  });

  // "Copy from the previous period": its level, status text and risks into the entry,
  // after asking if that would replace something already entered.
  form.querySelectorAll("button.copy-previous").forEach((button) => {
    const field = (name) => document.getElementById(`id_${button.dataset.entry}-${name}`);
    const level = field("level");
    const text = field("status_text");
    const risks = field("risks");
    if (!level || !text || !risks) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const copies = [
        [level, button.dataset.level],
        [text, button.dataset.text],
        [risks, button.dataset.risks],
      ];
      const replaces = copies.some(
        ([box, value]) => box.value.trim() !== "" && normalise(box.value) !== normalise(value),
      );
      if (replaces && !window.confirm(strings.replace)) return;
      copies.forEach(([box, value]) => {
        box.value = value;
        box.dispatchEvent(new Event("input", { bubbles: true }));
      });
      text.focus();
    });
  });

  // Unsaved changes: a field whose value differs from the one it was loaded with (each
  // field posts that beside it, as "initial-…"). Saving or submitting leaves quietly.
  const unsaved = () =>
    Array.from(form.elements).some((element) => {
      if (!element.name || element.type === "hidden") return false;
      const loaded = form.elements.namedItem(`initial-${element.name}`);
      return loaded !== null && normalise(element.value) !== normalise(loaded.value);
    });
  let submitting = false;
  form.addEventListener("submit", () => {
    submitting = true;
  });
  window.addEventListener("beforeunload", (event) => {
    if (submitting || !unsaved()) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();
