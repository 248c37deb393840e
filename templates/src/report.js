/* Corrigenda: select words in the article, then press "Report an error" (or Ctrl+Enter). */
(function () {
  'use strict';
  var me = document.currentScript || document.querySelector('script[src*="/embed/report.js"][data-article]');
  var article = me && me.getAttribute('data-article');
  if (!article || !window.getSelection || !window.URL) return;
  var src = new URL(me.src, location.href);
  var base = src.origin + src.pathname.replace(/\/embed\/report\.js$/, '');
  var form = base + '/articles/' + encodeURIComponent(article) + '/report';
  var pick = me.getAttribute('data-container');
  var MAX = 2000;
  var link, note, quote = '', pressing = false;

  // The part of the page readers may quote from: data-container, else the article, else the page.
  function scope() {
    return (pick && document.querySelector(pick)) || document.querySelector('article') || document.body;
  }

  function selected() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    var range = sel.getRangeAt(0);
    if (!scope().contains(range.commonAncestorContainer)) return null;
    var text = Array.from(sel.toString().replace(/\s+/g, ' ').trim()).slice(0, MAX).join('');
    return text ? { text: text, range: range } : null;
  }

  // Styles are set through CSSOM, which a strict style-src allows; style attributes it would not.
  function make() {
    link = document.createElement('a');
    link.target = '_blank';
    link.rel = 'noopener';
    link.textContent = 'Report an error here';
    link.title = 'Report an error in the selected words (Ctrl+Enter)';
    link.setAttribute('aria-keyshortcuts', 'Control+Enter');
    link.className = 'corrigenda-report';
    var s = link.style;
    s.position = 'fixed';
    s.zIndex = '2147483647';
    s.display = 'none';
    s.font = '600 15px/1.2 system-ui, sans-serif';
    s.padding = '12px 14px';
    s.border = '2px solid #fff';
    s.borderRadius = '6px';
    s.background = '#1a1a1a';
    s.color = '#fff';
    s.textDecoration = 'none';
    s.boxShadow = '0 2px 6px rgba(0,0,0,.4)';
    // Pressing the button must not clear the selection before the click lands.
    link.addEventListener('mousedown', function (e) { e.preventDefault(); });
    link.addEventListener('pointerdown', function () { pressing = true; });
    link.addEventListener('click', function () { pressing = false; setTimeout(hide, 0); });
    note = document.createElement('span');
    note.setAttribute('role', 'status');
    s = note.style;
    s.position = 'absolute';
    s.width = s.height = '1px';
    s.overflow = 'hidden';
    s.clip = 'rect(0 0 0 0)';
    s.whiteSpace = 'nowrap';
    // Inside the article: in its landmark, and next in the tab order after the article's text.
    scope().appendChild(note);
    scope().appendChild(link);
  }

  function place(range) {
    var r = range.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    var s = link.style;
    s.display = 'block';
    var left = Math.min(Math.max(8, r.left), width - link.offsetWidth - 8);
    var h = link.offsetHeight, top = r.bottom + 8;
    if (top + h > window.innerHeight) top = r.top - h - 8;
    s.left = Math.max(8, left) + 'px';
    s.top = Math.max(8, Math.min(top, window.innerHeight - h - 8)) + 'px';
  }

  function hide() {
    if (link) link.style.display = 'none';
  }

  function update() {
    var found = selected();
    if (!found) {
      if (!pressing) hide();
      return;
    }
    if (!link) make();
    var shown = link.style.display !== 'none';
    quote = found.text;
    link.href = form + '?quote=' + encodeURIComponent(quote);
    place(found.range);
    if (!shown) note.textContent = 'Press Control+Enter to report an error in the selected words.';
  }

  document.addEventListener('selectionchange', update);
  window.addEventListener('scroll', function () { if (link && link.style.display !== 'none') update(); }, true);
  window.addEventListener('resize', update);
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') hide();
    if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
    // Ctrl+Enter in the page's own fields (say, sending a comment) is theirs.
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    update();
    if (!selected()) return;
    e.preventDefault();
    link.click();
  });
})();
