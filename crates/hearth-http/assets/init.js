// Starts govuk-frontend's components once the page has loaded (no inline
// script), then Hearth's own: pickers that offer matches as you type, and
// radios that reveal their own questions.
import { initAll } from '/assets/govuk-frontend.min.js';
import { initPickers } from '/assets/picker.js';
initAll();
initPickers();

// Radios whose options reveal their own questions (`data-hearth-reveal`,
// GOV.UK's conditional-reveal markup): only the chosen option's panel is
// shown. Not GOV.UK Frontend's radios script, which sets `aria-expanded` on
// the radios (not allowed there by ARIA; axe refuses it). Without
// JavaScript every panel shows.
function syncReveals(group) {
  for (const input of group.querySelectorAll('input[type="radio"][aria-controls]')) {
    document.getElementById(input.getAttribute('aria-controls'))
      ?.classList.toggle('govuk-radios__conditional--hidden', !input.checked);
  }
}
for (const group of document.querySelectorAll('[data-hearth-reveal]')) {
  group.addEventListener('change', () => syncReveals(group));
  syncReveals(group);
}
// A page restored from the back-forward cache keeps its inputs' state.
window.addEventListener('pageshow', () => document.querySelectorAll('[data-hearth-reveal]').forEach(syncReveals));

// A question hidden again when another option is chosen is no longer the
// user's answer, so it is left out of what is sent. Without JavaScript
// every question is shown and sent as given, and the server refuses an
// answer that contradicts the choice.
document.addEventListener('formdata', (event) => {
  const hidden = event.target.querySelectorAll('.govuk-radios__conditional--hidden [name]');
  for (const name of new Set(Array.from(hidden, (input) => input.name))) {
    // Only names wholly inside hidden panels: a visible field of the same name still counts.
    const all = event.target.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    if (Array.from(all).every((input) => input.closest('.govuk-radios__conditional--hidden'))) {
      event.formData.delete(name);
    }
  }
});
