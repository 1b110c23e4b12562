/* Guide tuteur CQP: the text filter of the catalogue of CQPs (macro catalogue(), home page of a site of
 * several CQPs). Plain script, no library, nothing asked of a server.
 *
 * Without JavaScript the filter stays hidden and every CQP shows. Here the filter is shown; each card whose
 * text (intitulé, code, version, certification, level, branch: its data-cqp-filtre attribute) holds every
 * word typed, or a part of it (« 12345 » finds « RNCP12345 »), stays, accents and case aside; the others are
 * hidden. The count (« 3 CQP sur 20 ») is a role="status" element: screen readers announce it as it changes.
 * Escape empties the field.
 */
(function () {
  "use strict";

  var MARKS = /[\u0300-\u036f]/g;
  var LIGATURES = { "\u0153": "oe", "\u00e6": "ae", "\u00df": "ss" };
  var NBSP = "\u00a0";

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(MARKS, "").replace(/[\u0153\u00e6\u00df]/g, function (c) {
      return LIGATURES[c];
    });
  }

  function words(text) {
    return fold(text).split(/[\s'’,;:.!?«»"()\/]+/).filter(Boolean);
  }

  function countLabel(shown, total, query) {
    if (shown === 0) {
      return "Aucun CQP sur " + total + " ne correspond à «" + NBSP + query.trim() + NBSP + "»";
    }
    return shown + NBSP + "CQP sur " + total;
  }

  function setUp(catalogue) {
    var box = catalogue.querySelector(".cqp-catalogue-filtre");
    var input = catalogue.querySelector(".cqp-catalogue-saisie");
    var count = catalogue.querySelector(".cqp-catalogue-compte");
    if (!box || !input || !count || catalogue.hasAttribute("data-cqp-filtre-pret")) {
      return;
    }
    catalogue.setAttribute("data-cqp-filtre-pret", "");
    var cards = Array.prototype.slice.call(catalogue.querySelectorAll(".cqp-catalogue-cqp"));
    var texts = cards.map(function (card) {
      return words(card.getAttribute("data-cqp-filtre") || card.textContent).join(" ");
    });
    var last = null;

    function update() {
      var wanted = words(input.value);
      var key = wanted.join(" ");
      if (key === last) {
        return; // same words (a space added): nothing to announce again
      }
      last = key;
      var shown = 0;
      cards.forEach(function (card, i) {
        var match = wanted.every(function (word) {
          return texts[i].indexOf(word) !== -1;
        });
        card.hidden = !match;
        shown += match ? 1 : 0;
      });
      count.textContent = countLabel(shown, cards.length, input.value);
    }

    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && input.value) {
        event.preventDefault();
        event.stopPropagation();
        input.value = "";
        update();
      }
    });
    box.hidden = false;
    update(); // a value the browser kept when coming back to the page
  }

  function setUpAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".cqp-catalogue"), setUp);
  }

  // Material's instant navigation replaces the page without loading it: its document$ tells each new page.
  if (typeof window.document$ !== "undefined" && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setUpAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
