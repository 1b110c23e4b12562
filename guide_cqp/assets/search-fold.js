/* Guide tuteur CQP: accent-insensitive search for Material for MkDocs (guide_cqp/search.py appends this file
 * to Material's lunr.stemmer.support.min.js, which the search worker loads before any non-English language).
 *
 * A tutor typing « reclamation » on a phone must find « réclamation ». Every indexed word that has accents or
 * ligatures is indexed a second time without them, at the same position in the text. So:
 * - a query without accents finds the accented words, and the result's snippet highlights them, accents shown;
 * - queries are left as typed: an accented query matches the accented words as before, and the terms Material
 *   puts in the page's ?h= highlight stay the ones found;
 * - with no extra JSON: the index file stays as Material writes it.
 */
(function (lunr) {
  "use strict";
  if (!lunr || lunr.cqpAccentFolding) {
    return;
  }

  var MARKS = /[\u0300-\u036f]/g;
  var LIGATURES = /[\u0153\u00e6\u00df]/g; // œ æ ß (tokens are already lower case)
  var SPELLED = { "\u0153": "oe", "\u00e6": "ae", "\u00df": "ss" };

  function fold(text) {
    return text.normalize("NFD").replace(MARKS, "").replace(LIGATURES, function (c) { return SPELLED[c]; });
  }

  /* Pipeline step: the token itself, plus its folded twin when it differs (same metadata, same position). */
  function accentFolding(token) {
    var folded = fold(token.toString());
    if (folded === token.toString()) {
      return token;
    }
    return [token, token.clone(function () { return folded; })];
  }
  lunr.Pipeline.registerFunction(accentFolding, "cqpAccentFolding");

  /* After the stop-word filter (it knows « été », « à »…), before any stemmer; once per index. */
  function install(pipeline) {
    var labels = pipeline.toJSON();
    if (labels.indexOf("cqpAccentFolding") !== -1) {
      return;
    }
    for (var i = 0; i < labels.length; i++) {
      if (/^stemmer/.test(labels[i] || "")) {
        pipeline.before(lunr.Pipeline.registeredFunctions[labels[i]], accentFolding);
        return;
      }
    }
    pipeline.add(accentFolding);
  }

  var add = lunr.Builder.prototype.add;
  lunr.Builder.prototype.add = function (doc, attributes) {
    install(this.pipeline);
    return add.call(this, doc, attributes);
  };

  /* French elision: the separator cuts « l'entreprise » into « l » and « entreprise », and Material queries each
   * piece as a prefix. « l » is a stop word, never indexed, yet « l* » matches every word starting with l and buries
   * the pages about « entreprise ». So, in a query of several words, a lone elided letter (c d j l m n s t qu) is
   * dropped once lunr has parsed it, for the search and for Material's analysis of the terms found alike. A
   * query made of such letters only is left as typed. */
  var ELIDED = /^(?:[cdjlmnst]|qu)\*?$/;
  var parse = lunr.QueryParser.prototype.parse;
  lunr.QueryParser.prototype.parse = function () {
    var query = parse.apply(this, arguments);
    if (lunr.fr && query && Array.isArray(query.clauses)) {
      var kept = query.clauses.filter(function (c) { return !ELIDED.test(String(c.term)); });
      if (kept.length > 0 && kept.length < query.clauses.length) {
        query.clauses = kept;
      }
    }
    return query;
  };

  lunr.cqpAccentFolding = fold;
})(typeof self !== "undefined" ? self.lunr : undefined);
