/* The self-checks of a page (_ext/selfcheck.py): a question answered in the page, no kernel, no
   network. A form's data attributes hold the answer and the verdicts' texts in the page's
   language; this script holds no text. Enter in the number field or the Check button submits. */
(function () {
  "use strict";
  // a number as a reader types it: full-width digits, a decimal comma, a minus sign, a fraction
  function parse(text) {
    const plain = text.normalize("NFKC").trim().replace(/\u2212/g, "-").replace(/\s+/g, "");
    const decimal = plain.includes(".") ? plain : plain.replace(",", ".");
    const fraction = decimal.match(/^([-+]?[\d.]+(?:e[-+]?\d+)?)\/([-+]?[\d.]+(?:e[-+]?\d+)?)$/i);
    const value = fraction ? Number(fraction[1]) / Number(fraction[2]) :
      (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(decimal) ? Number(decimal) : NaN);
    return Number.isFinite(value) ? value : null;
  }
  function verdict(form) {
    const data = form.dataset;
    const answer = Number(data.answer);
    if (data.kind === "choice") {
      const chosen = form.querySelector('input[type="radio"]:checked');
      return chosen ? Number(chosen.value) === answer : null;
    }
    const value = parse(form.querySelector("input").value);
    if (value === null) { return null; }
    const slack = Number(data.tolerance) + 1e-9 * Math.max(1, Math.abs(answer));
    return Math.abs(value - answer) <= slack;
  }
  function check(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const right = verdict(form);
    const result = form.querySelector(".selfcheck-result");
    const explanation = form.querySelector(".selfcheck-explanation");
    form.classList.remove("selfcheck-right", "selfcheck-wrong");
    if (right === null) {
      result.textContent = form.dataset.kind === "choice" ? form.dataset.msgChoose :
        form.dataset.msgNumber;
      explanation.hidden = true;
      return;
    }
    form.classList.add(right ? "selfcheck-right" : "selfcheck-wrong");
    result.textContent = right ? form.dataset.msgRight : form.dataset.msgWrong;
    explanation.hidden = false;
  }
  function start() {
    document.querySelectorAll("form.selfcheck").forEach(function (form) {
      form.addEventListener("submit", check);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
