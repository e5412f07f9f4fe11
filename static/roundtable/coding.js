// The coding workspace: selection offsets, theme keys and shortcuts. Without this script the forms
// still work: "Code whole answer" and "Mark as quote" act on the whole answer.
(function () {
  "use strict";

  var workspace = document.querySelector("[data-coding-workspace]");
  var answer = workspace && workspace.querySelector("[data-answer-id]");
  if (!answer) { return; }

  var codingForm = document.getElementById("coding-form");
  var quoteForm = document.getElementById("quote-form");
  var selectionButton = codingForm.querySelector("[data-code-selection]");
  var wholeButton = codingForm.querySelector("[data-code-whole]");
  var preview = document.querySelector("[data-selection-preview]");
  var hint = document.querySelector("[data-selection-hint]");
  var help = document.getElementById("coding-help");
  var helpToggle = document.querySelector("[data-help-toggle]");
  var length = Number(answer.dataset.length);
  var selected = null;  // {start, end} in characters of the stored answer text

  // Python counts characters (code points); JavaScript strings count UTF-16 units.
  function characters(text) { return Array.from(text).length; }

  // The offset in the stored answer text of a DOM boundary point. Every piece of the answer
  // carries the offset where it starts (data-start), so only the text within one piece is counted.
  function offsetOf(node, offset) {
    var pieces = answer.querySelectorAll("[data-start]");
    for (var index = 0; index < pieces.length; index++) {
      var piece = pieces[index];
      var range = document.createRange();
      range.selectNodeContents(piece);
      var where = range.comparePoint(node, offset);
      if (where < 0) { return Number(piece.dataset.start); }
      if (where === 0) {
        range.setEnd(node, offset);
        return Number(piece.dataset.start) + characters(range.toString());
      }
    }
    return length;
  }

  function remember(span, text) {
    selected = span;
    document.querySelectorAll("[data-selection-start]").forEach(function (input) {
      input.value = span ? span.start : "";
    });
    document.querySelectorAll("[data-selection-end]").forEach(function (input) {
      input.value = span ? span.end : "";
    });
    selectionButton.disabled = !span;
    preview.hidden = !span;
    if (hint) { hint.hidden = !!span; }
    if (span) {
      preview.querySelector("[data-selection-text]").textContent =
        text.length > 160 ? text.slice(0, 157) + "…" : text;
    }
  }

  // Reads the page's selection: a selection within the answer is remembered, a click inside the
  // answer forgets it, and a selection elsewhere (a theme box, the memo) leaves it as it was.
  function capture() {
    var selection = document.getSelection();
    if (!selection || selection.rangeCount === 0) { return; }
    var range = selection.getRangeAt(0);
    if (!range.intersectsNode(answer)) { return; }
    if (range.collapsed) { remember(null); return; }
    var start = answer.contains(range.startContainer) ? offsetOf(range.startContainer, range.startOffset) : 0;
    var end = answer.contains(range.endContainer) ? offsetOf(range.endContainer, range.endOffset) : length;
    if (end <= start) { remember(null); return; }
    remember({ start: start, end: end }, selection.toString());
  }

  function forget() {
    remember(null);
    var selection = document.getSelection();
    if (selection && selection.rangeCount && selection.getRangeAt(0).intersectsNode(answer)) {
      selection.removeAllRanges();
    }
  }

  function toggleHelp(show) {
    if (!help) { return; }
    help.hidden = show === undefined ? !help.hidden : !show;
    if (helpToggle) { helpToggle.setAttribute("aria-expanded", String(!help.hidden)); }
  }

  function saveCoding() {
    capture();
    codingForm.requestSubmit(selected ? selectionButton : wholeButton);
  }

  function markQuote() {
    if (!quoteForm) {
      var refused = document.querySelector("[data-quote-refused]");
      if (refused) { refused.classList.add("text-danger"); }
      return;
    }
    capture();
    quoteForm.requestSubmit(quoteForm.querySelector("[data-mark-quote]"));
  }

  function follow(direction) {
    var link = document.querySelector('[data-nav="' + direction + '"]');
    if (link) { window.location.assign(link.href); }
  }

  // Keys typed into text fields are text, not shortcuts.
  function typing(target) {
    if (target.isContentEditable) { return true; }
    if (target.tagName === "TEXTAREA" || target.tagName === "SELECT") { return true; }
    if (target.tagName === "INPUT") {
      return ["checkbox", "radio", "button", "submit", "reset"].indexOf(target.type) === -1;
    }
    return false;
  }

  document.addEventListener("selectionchange", capture);

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.form === codingForm) {
      event.preventDefault();
      saveCoding();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || typing(target)) { return; }
    var key = event.key;
    if (/^[1-9]$/.test(key)) {
      var box = codingForm.querySelector('[data-theme-key="' + key + '"]');
      if (box) { event.preventDefault(); box.checked = !box.checked; }
    } else if (key === "Enter") {
      if (target.tagName === "BUTTON" || target.tagName === "A") { return; }  // their own action
      event.preventDefault();
      saveCoding();
    } else if (key === "j") {
      follow("next");
    } else if (key === "k") {
      follow("previous");
    } else if (key === "q") {
      event.preventDefault();
      markQuote();
    } else if (key === "?") {
      toggleHelp();
    } else if (key === "Escape") {
      forget();
      toggleHelp(false);
    }
  });

  // A suggested theme is only ticked in the form: the coder still saves (or unticks) it.
  codingForm.querySelectorAll("[data-suggest-theme]").forEach(function (button) {
    button.addEventListener("click", function () {
      var box = document.getElementById("theme-" + button.dataset.suggestTheme);
      if (box) { box.checked = true; }
    });
  });

  preview.querySelector("[data-selection-clear]").addEventListener("click", forget);
  if (helpToggle) { helpToggle.addEventListener("click", function () { toggleHelp(); }); }
})();
