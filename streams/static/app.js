// The live page: polls the worker's read-only API and redraws. No build step, no dependencies.
"use strict";

const POLL_MS = 2000;
let trendingWindow = "1h";

async function getJSON(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

// Elements are built with textContent: quotes are untrusted text from articles.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name === "style") node.style.cssText = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function fill(listId, emptyId, items) {
  document.getElementById(listId).replaceChildren(...items);
  document.getElementById(emptyId).hidden = items.length > 0;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
// Direct quotes keep their own quotation marks; only the others get ours.
// A quote's text is its fragments joined with " … " (the reporting clause left out): each fragment
// keeps its own quotation marks, or gets curly ones.
const quoted = (text) => text.split(" … ").map((f) => (/^["“'‘]/.test(f) ? f : `“${f}”`)).join(" … ");

function renderTrending(data) {
  const max = Math.max(1, ...data.entities.map((e) => e.mentions));
  fill("trending", "trending-empty", data.entities.map((entity) =>
    el("li", { "data-entity-id": entity.entity_id },
      el("div", { class: "fill", style: `width: ${(100 * entity.mentions) / max}%` }),
      el("span", {}, entity.name, el("span", { class: "label" }, entity.label || "")),
      el("span", { class: "mentions" }, `${plural(entity.mentions, "mention")} · ${plural(entity.articles, "article")}`))));
}

function renderSpeakers(data) {
  fill("speakers", "speakers-empty", data.speakers.map((speaker) =>
    el("li", { "data-entity-id": speaker.entity_id },
      el("span", { class: "count" }, plural(speaker.quote_count, "quote")),
      el("strong", {}, speaker.name),
      speaker.title ? el("span", { class: "label" }, speaker.title) : "",
      el("div", { class: "about" }, speaker.about.length ? `talks about ${speaker.about.map((a) => a.name).join(", ")}` : ""))));
}

function renderQuotes(speakerQuotes) {
  const quotes = speakerQuotes.flatMap((s) => s.quotes.map((q) => ({ ...q, speaker: s.name })));
  quotes.sort((a, b) => (b.seen_at || "").localeCompare(a.seen_at || ""));
  fill("quotes", "quotes-empty", quotes.slice(0, 12).map((quote) =>
    el("li", { "data-quote-id": quote.quote_id },
      el("blockquote", {}, quoted(quote.text)),
      el("div", { class: "meta" }, el("span", { class: "who" }, quote.speaker), ` · ${quote.kind}`,
        quote.article_title ? ` · ${quote.article_title}` : ` · ${quote.article_id}`))));
}

async function refresh() {
  const status = document.getElementById("status");
  try {
    const [trending, speakers] = await Promise.all([
      getJSON(`/entities/trending?window=${trendingWindow}&top=10`),
      getJSON("/speakers?top=6"),
    ]);
    renderTrending(trending);
    renderSpeakers(speakers);
    const details = await Promise.all(speakers.speakers.map((s) =>
      getJSON(`/speakers/${encodeURIComponent(s.entity_id)}/quotes?limit=5`).catch(() => ({ name: s.name, quotes: [] }))));
    renderQuotes(details);
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
    status.className = "status ok";
  } catch (error) {
    status.textContent = `cannot reach the worker: ${error.message}`;
    status.className = "status error";
  }
}

for (const button of document.querySelectorAll(".tabs button")) {
  button.addEventListener("click", () => {
    trendingWindow = button.dataset.window;
    for (const other of document.querySelectorAll(".tabs button")) other.setAttribute("aria-selected", String(other === button));
    refresh();
  });
}

refresh();
setInterval(refresh, POLL_MS);
