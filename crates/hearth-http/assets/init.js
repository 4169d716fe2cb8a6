// Starts govuk-frontend's components once the page has loaded (no inline
// script), then Hearth's own: pickers that offer matches as you type.
import { initAll } from '/assets/govuk-frontend.min.js';
import { initPickers } from '/assets/picker.js';
initAll();
initPickers();
