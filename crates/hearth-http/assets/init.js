// Starts govuk-frontend's components once the page has loaded (no inline script).
import { initAll } from '/assets/govuk-frontend.min.js';
initAll();

// A question revealed under a radio (the log-a-contact form's voicemail or
// appointment outcome) is hidden again when another option is chosen; its
// answer is then no longer the user's, so it is left out of what is sent.
// Without JavaScript every question is shown and sent as given, and the
// server refuses an answer that contradicts the choice.
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
