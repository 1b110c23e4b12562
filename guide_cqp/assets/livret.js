/* Guide tuteur CQP: the livret page keeps what the tutor types (guide_cqp/templates/livret.html.j2).
 *
 * - Every field of the livret is kept in this browser's localStorage, one record per CQP and version
 *   (key « guide-cqp:livret:<code>:<version> »), written on each change and put back when the page opens.
 *   Nothing is sent anywhere: no request, no cookie.
 * - « Enregistrer dans un fichier » downloads the same record as a JSON file; « Ouvrir un fichier » reads one
 *   back. A file of another CQP is refused; a file of another version of the same CQP is opened field by
 *   field, by name, with a warning naming both versions and the fields that no longer exist.
 * - When this version has no record yet but an older one of the same CQP has (a new version went online),
 *   the page offers to take it over.
 * - Printing shows the typed text whole: each filled text field gets a print-only copy that grows with its
 *   text (a textarea prints as a fixed box and would cut it off); see cqp.css, « .cqp-copie ».
 *
 * The file (and the stored record):
 *   {"format": "guide-cqp-livret", "version_format": 1, "cqp": "<code>", "intitule": "…", "version": "<numéro>",
 *    "enregistre_le": "<ISO 8601 date>", "champs": {"<field name>": "<text>" | true | false, …}}
 * Field names are those of the PDF (guide_cqp/pdf.py): a public interface.
 *
 * Loaded on every page of the site (guide_cqp/plugin.py, JS_URIS); does nothing where there is no livret. Material's
 * instant navigation is off in mkdocs.yml; if it is turned on, document$ announces each new page.
 */
(function () {
  "use strict";

  var FORMAT = "guide-cqp-livret";
  var FORMAT_VERSION = 1;
  var KEY_PREFIX = "guide-cqp:livret:";
  var MAX_FILE_BYTES = 5 * 1024 * 1024;
  var NBSP = "\u00a0";
  var NNBSP = "\u202f";

  var current = null; // the livret of the page shown

  /* --- French wording -------------------------------------------------------------------------------- */

  function quoted(text) {
    return "«" + NBSP + text + NBSP + "»";
  }

  function frenchDate(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) {
      return null;
    }
    var day = date.toLocaleDateString("fr-FR", { day: "numeric", month: "long", year: "numeric" });
    var time = date.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }).replace(":", NBSP + "h" + NBSP);
    return "le " + day.replace(/^1 /, "1er ") + " à " + time;
  }

  function zones(count) {
    return count === 1 ? "1 zone" : count + " zones";
  }

  /* --- the fields and their record ------------------------------------------------------------------- */

  function Livret(root) {
    this.root = root;
    this.code = root.getAttribute("data-cqp-code");
    this.version = root.getAttribute("data-cqp-version");
    this.intitule = root.getAttribute("data-cqp-intitule") || this.code;
    this.key = KEY_PREFIX + this.code + ":" + this.version;
    this.fields = Array.prototype.slice.call(
      root.querySelectorAll("input[name]:not([type=file]), textarea[name]")
    );
    this.storageWorks = true;
    this.unsaved = false; // typed while the browser could not keep it, and not written to a file since
  }

  Livret.prototype.part = function (name) {
    return this.root.querySelector("[data-cqp-" + name + "]");
  };

  Livret.prototype.isCheckbox = function (field) {
    return field.type === "checkbox";
  };

  Livret.prototype.values = function () {
    var values = {};
    var self = this;
    this.fields.forEach(function (field) {
      values[field.name] = self.isCheckbox(field) ? field.checked : field.value;
    });
    return values;
  };

  Livret.prototype.isEmpty = function () {
    return this.fields.every(function (field) {
      return field.type === "checkbox" ? !field.checked : field.value === "";
    });
  };

  Livret.prototype.record = function () {
    return {
      format: FORMAT,
      version_format: FORMAT_VERSION,
      cqp: this.code,
      intitule: this.intitule,
      version: this.version,
      enregistre_le: new Date().toISOString(),
      champs: this.values()
    };
  };

  /* Put values into the fields, by name; fields absent from values are emptied. Returns what was not used. */
  Livret.prototype.fill = function (values, options) {
    var self = this;
    var skipFocused = options && options.skipFocused;
    var known = {};
    var wrongType = 0;
    this.fields.forEach(function (field) {
      known[field.name] = true;
      if (skipFocused && field === document.activeElement) {
        return;
      }
      var value = Object.prototype.hasOwnProperty.call(values, field.name) ? values[field.name] : undefined;
      if (self.isCheckbox(field)) {
        if (value !== undefined && typeof value !== "boolean") {
          wrongType += 1;
        }
        field.checked = value === true;
      } else {
        if (value !== undefined && typeof value !== "string") {
          wrongType += 1;
        }
        field.value = typeof value === "string" ? value : "";
      }
      self.mirror(field);
    });
    var unknown = Object.keys(values).filter(function (name) {
      return !known[name];
    });
    return { unknown: unknown, wrongType: wrongType };
  };

  /* The print-only copy of a text field (cqp.css): same text, grows with it. */
  Livret.prototype.mirror = function (field) {
    if (this.isCheckbox(field)) {
      return;
    }
    var copy = field.nextElementSibling;
    if (!copy || !copy.classList.contains("cqp-copie")) {
      copy = document.createElement("div");
      copy.className = "cqp-copie";
      copy.setAttribute("aria-hidden", "true");
      field.insertAdjacentElement("afterend", copy);
    }
    copy.textContent = field.value;
    field.classList.toggle("cqp-rempli", field.value !== "");
  };

  /* --- this browser's storage ----------------------------------------------------------------------- */

  function storage() {
    try {
      return window.localStorage || null;
    } catch (error) {
      return null; // storage refused by the browser's settings
    }
  }

  function readRecord(key) {
    var store = storage();
    if (!store) {
      return null;
    }
    try {
      var record = JSON.parse(store.getItem(key));
      return record && typeof record === "object" && record.champs && typeof record.champs === "object"
        ? record
        : null;
    } catch (error) {
      return null;
    }
  }

  Livret.prototype.store = function () {
    var store = storage();
    try {
      if (!store) {
        throw new Error("no storage");
      }
      if (this.isEmpty()) {
        store.removeItem(this.key);
      } else {
        store.setItem(this.key, JSON.stringify(this.record()));
      }
      this.storageWorks = true;
      this.unsaved = false;
    } catch (error) {
      this.unsaved = true;
      if (this.storageWorks) {
        this.storageWorks = false;
        this.alert(
          "Ce navigateur ne garde pas ce que vous tapez (stockage désactivé ou plein)" + NBSP + ": avant de quitter " +
            "cette page, utilisez " + quoted("Enregistrer dans un fichier") + ", sinon vos saisies seront perdues."
        );
      }
    }
  };

  /* The most recent record of another version of the same CQP, if any. */
  Livret.prototype.otherVersionRecord = function () {
    var store = storage();
    if (!store) {
      return null;
    }
    var prefix = KEY_PREFIX + this.code + ":";
    var best = null;
    try {
      for (var i = 0; i < store.length; i += 1) {
        var key = store.key(i);
        if (key && key.indexOf(prefix) === 0 && key !== this.key) {
          var record = readRecord(key);
          if (record && (!best || String(record.enregistre_le) > String(best.enregistre_le))) {
            best = record;
          }
        }
      }
    } catch (error) {
      return null;
    }
    return best;
  };

  /* --- messages in the page (role=status and role=alert) ------------------------------------------------ */

  Livret.prototype.say = function (text) {
    this.part("alerte").textContent = "";
    this.part("statut").textContent = text;
  };

  Livret.prototype.alert = function (text) {
    this.part("statut").textContent = "";
    this.part("alerte").textContent = text;
  };

  /* --- the buttons ------------------------------------------------------------------------------------ */

  Livret.prototype.saveFile = function () {
    var record = this.record();
    var safe = function (text) {
      return String(text).replace(/[^A-Za-z0-9._-]+/g, "-");
    };
    var name = "livret-" + safe(this.code) + "-" + safe(this.version) + "-" + record.enregistre_le.slice(0, 10) + ".json";
    var url = URL.createObjectURL(new Blob([JSON.stringify(record, null, 2) + "\n"], { type: "application/json" }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 60000);
    this.unsaved = false;
    this.say(
      "Le fichier " + quoted(name) + " est créé" + NBSP + ": votre navigateur l'enregistre avec vos " +
        "téléchargements. Vous pouvez l'envoyer par courriel et le rouvrir ici avec " + quoted("Ouvrir un fichier") + "."
    );
  };

  Livret.prototype.clearAll = function () {
    if (this.isEmpty()) {
      this.say("Le livret est déjà vide.");
      return;
    }
    var ok = window.confirm(
      "Effacer tout ce qui est saisi dans ce livret, sur cet ordinateur" + NNBSP + "?\n\n" +
        "Si vous voulez le garder, annulez et utilisez d'abord " + quoted("Enregistrer dans un fichier") + "."
    );
    if (!ok) {
      this.say("Rien n'a été effacé.");
      return;
    }
    this.fill({});
    this.store();
    this.say("Le livret est effacé" + NBSP + ": toutes les zones sont vides.");
  };

  Livret.prototype.openFile = function (file) {
    var self = this;
    var refuse = function (why) {
      self.alert("Le fichier " + quoted(file.name) + " n'a pas été ouvert" + NBSP + ": " + why);
    };
    if (file.size > MAX_FILE_BYTES) {
      refuse("il est bien trop gros pour être un livret enregistré depuis cette page.");
      return;
    }
    file.text().then(
      function (text) {
        var record;
        try {
          record = JSON.parse(text);
        } catch (error) {
          record = null;
        }
        var why = self.problem(record);
        if (why) {
          refuse(why);
          return;
        }
        if (!self.isEmpty() && !window.confirm(
          "Remplacer ce qui est saisi dans ce livret par le contenu du fichier " + quoted(file.name) + NNBSP + "?"
        )) {
          self.say("Ouverture annulée" + NBSP + ": le livret n'a pas changé.");
          return;
        }
        self.load(record, "du fichier " + quoted(file.name));
      },
      function () {
        refuse("le navigateur n'a pas pu le lire.");
      }
    );
  };

  /* Why a parsed file cannot be opened here, or null. */
  Livret.prototype.problem = function (record) {
    var notLivret = "ce n'est pas un livret enregistré depuis la page du livret (fichier d'un autre type ou abîmé).";
    if (!record || typeof record !== "object" || Array.isArray(record) || record.format !== FORMAT) {
      return notLivret;
    }
    if (typeof record.cqp !== "string" || typeof record.champs !== "object" || record.champs === null ||
        Array.isArray(record.champs)) {
      return notLivret;
    }
    if (typeof record.version_format === "number" && record.version_format > FORMAT_VERSION) {
      return "il a été enregistré par une version plus récente du site" + NBSP + "; ouvrez-le depuis le site à jour.";
    }
    if (record.cqp !== this.code) {
      var other = typeof record.intitule === "string" && record.intitule ? quoted(record.intitule) + " " : "";
      return (
        "c'est le livret d'un autre CQP, " + other + "(code " + quoted(String(record.cqp)) + "). Cette page est le " +
        "livret du CQP " + quoted(this.intitule) + ". Ouvrez ce fichier depuis le livret de son CQP."
      );
    }
    return null;
  };

  /* Fill the page from a record of this CQP (this version or another) and keep it; say what happened. */
  Livret.prototype.load = function (record, origin) {
    var left = this.fill(record.champs);
    this.store();
    var when = frenchDate(record.enregistre_le);
    var done = "Le livret " + origin + (when ? ", enregistré " + when + "," : "") + " est ouvert.";
    var notes = [];
    var sameVersion = String(record.version) === this.version;
    if (!sameVersion) {
      notes.push(
        "Il vient de la version " + quoted(String(record.version)) + " du livret, et cette page est la version " +
          quoted(this.version) + NBSP + ": chaque zone a été reprise dans la zone du même nom, vérifiez-les."
      );
    }
    if (left.unknown.length) {
      notes.push(
        zones(left.unknown.length) + " du fichier " + (left.unknown.length === 1 ? "n'existe" : "n'existent") +
          " pas dans cette version" + NBSP + ": " + (left.unknown.length === 1 ? "son contenu n'a" : "leur contenu n'a") +
          " pas été repris, gardez le fichier."
      );
    }
    if (left.wrongType) {
      notes.push(zones(left.wrongType) + " du fichier " + (left.wrongType === 1 ? "était illisible et est restée vide." : "étaient illisibles et sont restées vides."));
    }
    if (notes.length) {
      this.alert(done + " " + notes.join(" "));
    } else {
      this.say(done);
    }
  };

  /* --- start ----------------------------------------------------------------------------------------- */

  Livret.prototype.start = function () {
    var self = this;
    this.fields.forEach(function (field) {
      self.mirror(field);
    });
    var saved = readRecord(this.key);
    if (saved) {
      this.fill(saved.champs);
      var when = frenchDate(saved.enregistre_le);
      this.say("Vos saisies dans ce navigateur sont reprises" + (when ? " (dernière modification " + when + ")" : "") + ".");
    } else {
      this.offerOtherVersion();
    }
    var onChange = function (event) {
      var field = event.target;
      if (self.fields.indexOf(field) >= 0) {
        self.mirror(field);
        self.store();
      }
    };
    this.root.addEventListener("input", onChange);
    this.root.addEventListener("change", onChange);
    this.root.addEventListener("click", function (event) {
      var button = event.target.closest("[data-cqp-action]");
      if (button && self.root.contains(button)) {
        self.act(button.getAttribute("data-cqp-action"));
      }
    });
    var fileInput = this.part("fichier");
    fileInput.addEventListener("change", function () {
      if (fileInput.files && fileInput.files.length) {
        self.openFile(fileInput.files[0]);
      }
      fileInput.value = ""; // the same file can be opened again
    });
    this.root.querySelectorAll("[data-cqp-action=imprimer], [data-cqp-saisies]").forEach(function (element) {
      element.hidden = false;
    });
  };

  Livret.prototype.act = function (action) {
    if (action === "imprimer") {
      window.print();
    } else if (action === "enregistrer") {
      this.saveFile();
    } else if (action === "ouvrir") {
      this.part("fichier").click();
    } else if (action === "effacer") {
      this.clearAll();
    } else if (action === "reprendre" && this.otherRecord) {
      if (!this.isEmpty() && !window.confirm(
        "Remplacer ce qui est saisi dans ce livret par les saisies de la version " +
          quoted(String(this.otherRecord.version)) + NNBSP + "?"
      )) {
        return;
      }
      this.part("reprise").hidden = true;
      this.load(this.otherRecord, "de la version " + quoted(String(this.otherRecord.version)));
      this.otherRecord = null;
    }
  };

  Livret.prototype.offerOtherVersion = function () {
    var record = this.otherVersionRecord();
    if (!record) {
      return;
    }
    this.otherRecord = record;
    var when = frenchDate(record.enregistre_le);
    this.part("reprise-texte").textContent =
      "Ce navigateur garde un livret de ce CQP rempli dans une autre version, " + quoted(String(record.version)) +
      (when ? ", modifié " + when : "") + ". Vous pouvez reprendre ces saisies dans cette version " +
      quoted(this.version) + ".";
    this.part("reprise").hidden = false;
  };

  /* Another tab changed the same livret: show its values (the field being typed in is left alone). */
  window.addEventListener("storage", function (event) {
    if (current && event.key === current.key) {
      var record = readRecord(current.key);
      current.fill(record ? record.champs : {}, { skipFocused: true });
    }
  });

  /* Typed while the browser could not keep it: the browser asks before the page is left. */
  window.addEventListener("beforeunload", function (event) {
    if (current && current.unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  function init() {
    var root = document.querySelector(".cqp-livret[data-cqp-code][data-cqp-version]");
    current = root ? new Livret(root) : null;
    if (current) {
      current.start();
    }
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); // Material: once per page, also with instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
