// Leadline's small script: search as you type, bulk selection, live import progress, and
// "unsaved changes" marking on record forms. Pages work without it.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// --- Search as you type (header box) --------------------------------------------------------
(function search() {
  const input = document.getElementById("global-search");
  const box = document.getElementById("search-results");
  if (!input || !box) return;
  let timer = 0, seq = 0, active = -1;
  const links = () => Array.from(box.querySelectorAll("a"));
  const close = () => { box.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; };
  const mark = (i) => {
    const l = links();
    l.forEach((a, j) => a.setAttribute("aria-selected", String(j === i)));
    active = i;
    if (l[i]) input.setAttribute("aria-activedescendant", l[i].id);
  };
  async function run() {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) { close(); return; }
    const res = await fetch("/search?format=json&q=" + encodeURIComponent(q), { headers: { accept: "application/json" } });
    if (!res.ok || mine !== seq) return;
    const groups = await res.json();
    box.replaceChildren();
    let n = 0;
    for (const g of groups) {
      if (!g.hits.length) continue;
      const h = document.createElement("h3");
      h.textContent = g.label;
      box.append(h);
      for (const hit of g.hits) {
        const a = document.createElement("a");
        a.href = hit.href;
        a.id = "search-hit-" + n++;
        a.setAttribute("role", "option");
        const t = document.createElement("bdi");
        t.textContent = hit.title;
        a.append(t);
        if (hit.detail) {
          const d = document.createElement("span");
          d.className = "muted";
          d.textContent = " · " + hit.detail;
          a.append(d);
        }
        box.append(a);
      }
    }
    if (!n) {
      const p = document.createElement("p");
      p.className = "none";
      p.textContent = box.dataset.none || "—";
      box.append(p);
    }
    box.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 120); });
  input.addEventListener("keydown", (e) => {
    const l = links();
    if (e.key === "ArrowDown" && l.length) { e.preventDefault(); mark(Math.min(active + 1, l.length - 1)); }
    else if (e.key === "ArrowUp" && l.length) { e.preventDefault(); mark(Math.max(active - 1, 0)); }
    else if (e.key === "Enter" && active >= 0 && l[active]) { e.preventDefault(); location.href = l[active].href; }
    else if (e.key === "Escape") { close(); }
  });
  document.addEventListener("click", (e) => { if (!box.contains(e.target) && e.target !== input) close(); });
})();

// --- Bulk selection on lists ----------------------------------------------------------------
(function bulk() {
  const all = document.querySelector("[data-select-all]");
  const rows = () => Array.from(document.querySelectorAll("input[data-row]"));
  const form = document.getElementById("bulk");
  if (!form) return;
  const allMatching = form.querySelector("[data-all-matching]");
  const count = form.querySelector("[data-selected-count]");
  const base = count ? count.textContent : "";
  const update = () => {
    const n = rows().filter((r) => r.checked).length;
    form.querySelectorAll("button").forEach((b) => { b.disabled = n === 0 && !allMatching?.checked; });
    if (count) count.textContent = n ? base + " (" + n + ")" : base;
  };
  all?.addEventListener("change", () => { rows().forEach((r) => { r.checked = all.checked; }); update(); });
  rows().forEach((r) => r.addEventListener("change", update));
  allMatching?.addEventListener("change", update);
  update();
})();

// --- Record forms: a changed field is saved at once (inline editing) ------------------------
// Without this script the Save button sends the form; with it, each change is sent the same way
// in the background and a refusal is shown next to its field, in the page's language.
document.querySelectorAll("form.inline-edit").forEach((form) => {
  const status = document.createElement("p");
  status.className = "muted";
  status.setAttribute("role", "status");
  form.append(status);
  const show = (field, message, link) => {
    const el = form.querySelector("#f-" + CSS.escape(field.split("[")[0]));
    if (!el) { status.textContent = message; return; }
    const p = document.createElement("p");
    p.className = "field-error";
    p.id = el.id + "-error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    if (link) {
      const a = document.createElement("a");
      a.href = link;
      a.textContent = form.dataset.openHolder;
      p.append(" ", a);
    }
    el.closest(".field")?.append(p);
    el.closest(".field")?.classList.add("invalid");
    el.setAttribute("aria-invalid", "true");
    el.setAttribute("aria-describedby", p.id);
  };
  // Only the changed field is sent (with the token and the backward-move confirmation): a
  // refusal elsewhere on the form does not hold it back, and nothing else is rewritten.
  const clearField = (name) => {
    const el = form.querySelector("#f-" + CSS.escape(name));
    el?.closest(".field")?.querySelectorAll(".field-error").forEach((p) => p.remove());
    el?.closest(".field")?.classList.remove("invalid");
    el?.removeAttribute("aria-invalid");
  };
  form.addEventListener("change", async (e) => {
    const name = e.target.name;
    if (!name || name === "allow_backward") return;
    status.textContent = "";
    const all = new FormData(form);
    const body = new URLSearchParams();
    for (const key of ["csrf", "allow_backward", name]) for (const v of all.getAll(key)) body.append(key, v);
    if (!all.has(name)) body.append(name, "");
    const res = await fetch(form.action, { method: "POST", headers: { accept: "application/json" }, body });
    const reply = await res.json().catch(() => ({ errors: [["form", res.statusText]] }));
    clearField(name);
    if (res.ok) status.textContent = form.dataset.saved + " (" + (e.target.labels?.[0]?.textContent?.trim() ?? name) + ")";
    else for (const [field, message] of reply.errors ?? []) show(field, message, reply.links?.[field]);
  });
});

// --- Import progress ------------------------------------------------------------------------
(function progress() {
  const card = document.querySelector("[data-job]");
  if (!card || card.dataset.running !== "true") return;
  const id = card.dataset.job;
  const field = (name) => card.querySelector('[data-field="' + name + '"]');
  const fmt = new Intl.NumberFormat(document.documentElement.lang || "en");
  async function poll() {
    const res = await fetch("/api/v1/imports/" + encodeURIComponent(id), { headers: { "x-csrf-token": csrf() } });
    if (!res.ok) return;
    const job = await res.json();
    const bar = field("progress");
    bar.max = Math.max(job.total, 1);
    bar.value = job.processed;
    field("processed").textContent = fmt.format(job.processed);
    field("total").textContent = fmt.format(job.total);
    for (const k of ["created", "updated", "merged", "rejected", "possible_duplicates", "warnings"]) field(k).textContent = fmt.format(job[k]);
    if (["queued", "running"].includes(job.status)) {
      setTimeout(poll, 500);
    } else {
      location.reload();
    }
  }
  setTimeout(poll, 300);
})();

// --- The user menu closes with Escape (focus back on its button) or a click elsewhere -------
document.addEventListener("keydown", (e) => {
  if (e.key !== "Escape") return;
  document.querySelectorAll("details.user-menu[open]").forEach((d) => {
    d.open = false;
    d.querySelector("summary")?.focus();
  });
});
document.addEventListener("click", (e) => {
  document.querySelectorAll("details.user-menu[open]").forEach((d) => {
    if (!d.contains(e.target)) d.open = false;
  });
});

// --- Conditions: a builder that writes the rule language, and a check as you type ------------
(function conditions() {
  // A value as the language writes it: numbers as they are, text quoted.
  const literal = (v) => (/^-?\d+(\.\d+)?$/.test(v) ? v : JSON.stringify(v));
  const append = (box, clause) => {
    const text = box.value.trim();
    box.value = text ? `${text} and ${clause}` : clause;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  };
  for (const fs of document.querySelectorAll("[data-builder]")) {
    const box = document.getElementById(fs.dataset.builder);
    if (!box) continue;
    fs.hidden = false;
    const part = (name) => fs.querySelector(`[data-part="${name}"]`);
    fs.querySelector('[data-add="field"]').addEventListener("click", () => {
      const field = part("field").value, op = part("op").value, value = part("value").value.trim();
      if (op.startsWith("is ")) append(box, `${field} ${op}`);
      else if (value) append(box, `${field} ${op} ${literal(value)}`);
      else part("value").focus();
    });
    fs.querySelector('[data-add="behaviour"]').addEventListener("click", () => {
      const times = Math.max(1, parseInt(part("times").value, 10) || 1);
      const days = Math.max(1, parseInt(part("days").value, 10) || 30);
      append(box, `count(${part("kind").value}, last ${days} days) >= ${times}`);
    });
  }
  // Each condition box with a place for its check is read by the server as it is typed.
  for (const out of document.querySelectorAll("[data-condition-check]")) {
    const box = document.getElementById(out.dataset.conditionCheck);
    if (!box) continue;
    let timer = 0, seq = 0;
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++seq;
        const condition = box.value.trim();
        if (!condition) { out.textContent = ""; return; }
        const res = await fetch("/api/v1/conditions/parse", {
          method: "POST",
          headers: { "content-type": "application/json", "x-csrf-token": csrf() },
          body: JSON.stringify({ condition }),
        });
        if (mine !== seq || !res.ok) return;
        const r = await res.json();
        out.classList.toggle("field-error", !r.valid);
        out.textContent = r.valid
          ? `${out.dataset.ok ?? "✓"} ${r.text}`
          : r.errors.map((e) => `${e.start}: ${e.message}`).join(" · ");
      }, 350);
    });
  }
})();

// --- The pipeline board: drag a card to a column, or from the keyboard ------------------------
// Each card carries a form with a stage select; dropping a card chooses the column's stage in
// it and sends it, so the move is the same request as without script.
(function board() {
  const root = document.querySelector("[data-board]");
  if (!root) return;
  const live = document.querySelector("[data-board-live]");
  const say = (text) => { if (live) live.textContent = text; };
  const columns = () => Array.from(root.querySelectorAll(".board-column[data-stage]")).filter((c) => c.dataset.stage);
  const move = (card, column) => {
    const form = card.querySelector("form[data-move]");
    const select = form?.querySelector("select[name=stage]");
    if (!form || !select || !column?.dataset.stage) return;
    if (card.closest(".board-column") === column) return;
    select.value = column.dataset.stage;
    form.requestSubmit();
  };
  const mark = (column) => {
    root.querySelectorAll(".drop-target").forEach((c) => c.classList.remove("drop-target"));
    if (column) column.classList.add("drop-target");
  };
  root.addEventListener("dragstart", (e) => {
    const card = e.target.closest?.(".deal-card");
    if (!card) return;
    e.dataTransfer.setData("text/plain", card.dataset.deal);
    e.dataTransfer.effectAllowed = "move";
  });
  root.addEventListener("dragover", (e) => {
    const column = e.target.closest?.(".board-column[data-stage]");
    if (!column || !column.dataset.stage) return;
    e.preventDefault();
    mark(column);
  });
  root.addEventListener("dragleave", (e) => { if (!root.contains(e.relatedTarget)) mark(null); });
  root.addEventListener("drop", (e) => {
    const column = e.target.closest?.(".board-column[data-stage]");
    const card = root.querySelector(`.deal-card[data-deal="${CSS.escape(e.dataTransfer.getData("text/plain"))}"]`);
    mark(null);
    if (!column || !card) return;
    e.preventDefault();
    move(card, column);
  });
  // Keyboard: Space or Enter on a card picks it up; the arrows (in reading direction) choose a
  // column; Space or Enter puts it down there; Escape cancels.
  let picked = null, target = -1;
  const rtl = document.documentElement.dir === "rtl";
  const label = (column) => column.querySelector("h2 bdi")?.textContent ?? column.dataset.stage;
  const drop = () => { if (picked) picked.classList.remove("picked"); picked = null; target = -1; mark(null); };
  root.addEventListener("keydown", (e) => {
    const card = e.target.closest?.(".deal-card");
    if (!card || e.target !== card) return;
    const cols = columns();
    if (!picked && (e.key === " " || e.key === "Enter")) {
      e.preventDefault();
      picked = card;
      card.classList.add("picked");
      target = cols.indexOf(card.closest(".board-column"));
      mark(cols[target]);
      say(root.dataset.picked.replace("%s", card.querySelector("a")?.textContent ?? ""));
    } else if (picked === card && (e.key === "ArrowRight" || e.key === "ArrowLeft")) {
      e.preventDefault();
      const step = (e.key === "ArrowRight") !== rtl ? 1 : -1;
      target = Math.max(0, Math.min(cols.length - 1, target + step));
      mark(cols[target]);
      say(root.dataset.over.replace("%s", label(cols[target])));
    } else if (picked === card && (e.key === " " || e.key === "Enter")) {
      e.preventDefault();
      const column = cols[target];
      drop();
      move(card, column);
    } else if (picked && e.key === "Escape") {
      e.preventDefault();
      drop();
      say("");
    }
  });
})();
