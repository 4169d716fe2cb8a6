// Starts govuk-frontend's components once the page has loaded (no inline script).
import { initAll } from '/assets/govuk-frontend.min.js';
initAll();
