// Pickers offer matches as you type. Without this script a picker is a search
// box and a "Find" button that posts the form back; with it, the box becomes
// an ARIA combobox over the same gate-decided search (/pick/{kind}?q=).
// Choosing a match puts its number in a hidden field named like the picker,
// exactly as the server-rendered radios would.

const DELAY_MS = 200;

function enhance(box) {
  const input = box.querySelector('input[type="search"]');
  if (!input) return;
  const field = box.dataset.field;
  const kind = box.dataset.pick;
  const form = input.form;
  const list = document.createElement('ul');
  list.id = `${field}-listbox`;
  list.className = 'hearth-picker__list';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Matches');
  list.hidden = true;
  const status = document.createElement('div');
  status.className = 'govuk-visually-hidden';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  box.after(list, status);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);

  let timer;
  let active = -1;
  let options = [];
  let asked = 0;

  const hidden = () => box.querySelector(`input[type="hidden"][name="${field}"]`);
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const highlight = (i) => {
    options.forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    active = i;
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', options[i].id);
      options[i].scrollIntoView({ block: 'nearest' });
    }
  };
  const choose = (match) => {
    let h = hidden();
    if (!h) {
      h = document.createElement('input');
      h.type = 'hidden';
      h.name = field;
      box.append(h);
    }
    h.value = String(match.id);
    input.value = match.label;
    // Server-rendered match radios for this picker would send a second value.
    form?.querySelectorAll(`input[type="radio"][name="${field}"]`).forEach((r) => { r.checked = false; r.disabled = true; });
    close();
    status.textContent = `Chosen: ${match.label}`;
  };
  const show = (matches) => {
    list.replaceChildren();
    options = matches.map((m, i) => {
      const li = document.createElement('li');
      li.id = `${field}-option-${i}`;
      li.className = 'hearth-picker__option';
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.id = String(m.id);
      const name = document.createElement('span');
      name.className = 'hearth-picker__label';
      name.textContent = m.label;
      const detail = document.createElement('span');
      detail.className = 'hearth-picker__detail';
      detail.textContent = m.detail;
      li.append(name, detail);
      li.addEventListener('mousedown', (e) => { e.preventDefault(); choose(m); });
      li.match = m;
      list.append(li);
      return li;
    });
    list.hidden = options.length === 0;
    input.setAttribute('aria-expanded', String(options.length > 0));
    active = -1;
    status.textContent = options.length === 0 ? 'No matches' : `${options.length} ${options.length === 1 ? 'match' : 'matches'}; use the arrow keys to choose`;
  };
  const search = async () => {
    const q = input.value.trim();
    if (q.length < 2) { show([]); status.textContent = ''; return; }
    const mine = ++asked;
    try {
      const r = await fetch(`/pick/${kind}?q=${encodeURIComponent(q)}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!r.ok || mine !== asked) return;
      show(await r.json());
    } catch {
      // The Find button still works.
    }
  };

  input.addEventListener('input', () => {
    hidden()?.remove();
    form?.querySelectorAll(`input[type="radio"][name="${field}"]`).forEach((r) => { r.disabled = false; });
    clearTimeout(timer);
    timer = setTimeout(search, DELAY_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && options.length) {
      e.preventDefault();
      if (list.hidden) { list.hidden = false; input.setAttribute('aria-expanded', 'true'); }
      highlight(Math.min(active + 1, options.length - 1));
    } else if (e.key === 'ArrowUp' && options.length) {
      e.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (e.key === 'Enter' && !list.hidden && active >= 0) {
      e.preventDefault();
      choose(options[active].match);
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
}

export function initPickers(root = document) {
  root.querySelectorAll('.hearth-picker[data-pick]').forEach(enhance);
}
