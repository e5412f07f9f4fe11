// Roundtable's page behaviour. No inline scripts: everything hooks in through data attributes.
(function () {
  "use strict";

  // Language selects submit their form on change.
  document.querySelectorAll("select.rt-autosubmit").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  var form = document.getElementById("section-form");
  if (!form) { return; }

  function answerOf(code) {
    var name = "q_" + code;
    var inputs = form.querySelectorAll('[name="' + name + '"], [name^="' + name + '__rank"]');
    var values = [];
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      if (input.value !== "") { values.push(input.value); }
    });
    var wrapper = form.querySelector('[data-question="' + code + '"]');
    if (wrapper && wrapper.classList.contains("d-none")) { return null; }
    var type = wrapper ? wrapper.dataset.type : "";
    if (type === "multiple_choice" || type === "ranking") { return values; }
    return values.length ? values[0] : null;
  }

  function equals(answer, expected) {
    if (Array.isArray(answer)) { return answer.indexOf(String(expected)) !== -1; }
    if (!isNaN(parseFloat(answer)) && !isNaN(parseFloat(expected))) { return parseFloat(answer) === parseFloat(expected); }
    return String(answer) === String(expected);
  }

  // Mirrors surveys/conditions.py: an unanswered or hidden target makes a condition false.
  function holds(condition, answer) {
    if (answer === null || answer === "" || (Array.isArray(answer) && answer.length === 0)) { return false; }
    var expected = condition.value;
    switch (condition.operator) {
      case "answered": return true;
      case "equals": return equals(answer, expected);
      case "not_equals": return !equals(answer, expected);
      case "any_of": return [].concat(expected).some(function (option) { return equals(answer, option); });
      case "at_least": return parseFloat(answer) >= parseFloat(expected);
      case "at_most": return parseFloat(answer) <= parseFloat(expected);
      default: return false;
    }
  }

  function refresh() {
    form.querySelectorAll("[data-show-if]").forEach(function (wrapper) {
      var condition = JSON.parse(wrapper.dataset.showIf);
      var target = form.querySelector('[data-question="' + condition.question + '"]');
      if (!target) { return; }  // Decided by the server: the target is on another page.
      wrapper.classList.toggle("d-none", !holds(condition, answerOf(condition.question)));
    });
  }

  // "None / don't know" and the other options exclude each other.
  form.querySelectorAll("[data-exclusive]").forEach(function (wrapper) {
    var exclusive = JSON.parse(wrapper.dataset.exclusive);
    wrapper.addEventListener("change", function (event) {
      var box = event.target;
      if (box.type !== "checkbox" || !box.checked) { return; }
      wrapper.querySelectorAll('input[type="checkbox"]').forEach(function (other) {
        if (other === box) { return; }
        var isExclusive = exclusive.indexOf(box.value) !== -1;
        if (isExclusive || exclusive.indexOf(other.value) !== -1) { other.checked = false; }
      });
    });
  });

  // "Please specify" shows while its "Other" choice is ticked (or already holds text).
  function refreshOther() {
    form.querySelectorAll("[data-other]").forEach(function (wrapper) {
      var input = wrapper.querySelector('[name$="__other"]');
      if (!input) { return; }
      var ticked = wrapper.querySelector('input[value="' + wrapper.dataset.other + '"]:checked');
      var box = input.closest(".mb-3") || input.parentElement;
      box.classList.toggle("d-none", !ticked && input.value === "");
    });
  }

  form.addEventListener("change", refreshOther);
  refreshOther();
  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);

  // One submit per page: a second click while the first is on its way does nothing.
  form.addEventListener("submit", function (event) {
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
  });
  window.addEventListener("pageshow", function () { form.dataset.submitting = ""; });
})();
