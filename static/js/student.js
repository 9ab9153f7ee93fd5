// Progressive enhancement for the student's pages: every page works without this script.
// - a « Copier le lien » button beside the private link, where the clipboard is available;
// - « Écouter » buttons that read a statement and its answers aloud with the browser's speech
//   synthesis, only where the browser has a voice (nothing is added otherwise).
(function () {
  "use strict";

  function ready(run) {
    if (document.readyState !== "loading") run();
    else document.addEventListener("DOMContentLoaded", run);
  }

  function addCopyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) return;
    document.querySelectorAll("[data-copy]").forEach(function (holder) {
      var link = holder.querySelector("a");
      if (!link) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-dark btn-sm copy-link";
      button.textContent = holder.dataset.copy;
      var status = document.createElement("span");
      status.className = "small copy-status";
      status.setAttribute("role", "status");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(link.href).then(function () {
          status.textContent = holder.dataset.copied;
        });
      });
      holder.append(" ", button, " ", status);
    });
  }

  function languageOf(element) {
    var marked = element.closest("[lang]") || element.querySelector("[lang]");
    return (marked || document.documentElement).getAttribute("lang");
  }

  function voiceFor(voices, lang) {
    var prefix = (lang || "").slice(0, 2);
    return voices.find(function (voice) { return voice.lang.slice(0, 2) === prefix; }) || null;
  }

  function addListenButtons(synth, voices) {
    var form = document.querySelector("form[data-listen]");
    if (!form || form.querySelector(".listen")) return;
    var current = null;
    form.querySelectorAll("fieldset.likert").forEach(function (fieldset) {
      var statement = fieldset.querySelector("legend .statement");
      var options = fieldset.querySelector(".likert-options");
      if (!statement || !options) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-dark btn-sm listen";
      button.textContent = form.dataset.listen;
      button.setAttribute("aria-pressed", "false");
      function reset() {
        button.textContent = form.dataset.listen;
        button.setAttribute("aria-pressed", "false");
        if (current === button) current = null;
      }
      button.addEventListener("click", function () {
        var wasMe = current === button;
        synth.cancel();
        if (current) current.dispatchEvent(new Event("listen-reset"));
        if (wasMe) return;
        var lang = languageOf(statement);
        var parts = [statement.textContent.trim()];
        options.querySelectorAll("label span").forEach(function (label) {
          parts.push(label.textContent.trim());
        });
        var utterance = new SpeechSynthesisUtterance(parts.join(". "));
        utterance.lang = lang;
        var voice = voiceFor(voices, lang);
        if (voice) utterance.voice = voice;
        utterance.onend = reset;
        utterance.onerror = reset;
        current = button;
        button.textContent = form.dataset.listenStop;
        button.setAttribute("aria-pressed", "true");
        synth.speak(utterance);
      });
      button.addEventListener("listen-reset", reset);
      fieldset.insertBefore(button, options);
    });
  }

  function offerListening() {
    var synth = window.speechSynthesis;
    if (!synth || !window.SpeechSynthesisUtterance) return;
    function tryVoices() {
      var voices = synth.getVoices();
      if (voices.length) addListenButtons(synth, voices);
      return voices.length > 0;
    }
    if (!tryVoices() && synth.addEventListener) {
      synth.addEventListener("voiceschanged", tryVoices);
    }
  }

  ready(function () {
    addCopyButtons();
    offerListening();
  });
})();
