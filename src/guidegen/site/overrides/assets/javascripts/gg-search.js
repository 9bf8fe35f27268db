/* guidegen: the site's search, Pagefind's UI in a dialog (partials/gg-search.html).
 *
 * The index (pagefind/, written after the build by guidegen.site.search) has one part
 * per language; pagefind.js picks the page's own (<html lang>), so Chinese pages search
 * Chinese pages and English pages English ones. Pagefind's UI and its index are loaded on
 * first use, from this site only. Results are pages, each with up to three sections
 * (a scene, a condition…) ranked here: sections holding more of the query's words first,
 * then more of them in the heading, then the heavier heading (the pages weight a scene's
 * heading most, a link's less, tables of cross-references least), then more matches,
 * so a query for a scene's subject lists the scene's own entry first. (Chinese words count
 * only whole: Pagefind matches prefixes, so 排 also finds 排放.)
 */
(function () {
  "use strict";
  var dialog = document.getElementById("gg-search");
  var openers = document.querySelectorAll("[data-gg-search-open]");
  if (!dialog || !openers.length) return;
  var bundle = new URL(dialog.getAttribute("data-bundle"), document.baseURI);
  // Pagefind stores URLs from the site's root ("/guides/x/"); the site may live in a folder.
  var siteRoot = new URL("../", bundle).pathname;
  var lang = (document.documentElement.lang || "zh").toLowerCase().split("-")[0];
  var words = [];   // the current query's words, as Pagefind splits them
  var started = null;

  function queryWords(term) {
    var text = String(term || "").toLowerCase();
    if (typeof Intl !== "undefined" && Intl.Segmenter) {
      var out = [];
      var segments = new Intl.Segmenter(lang, { granularity: "word" }).segment(text);
      for (var it = segments[Symbol.iterator](), s = it.next(); !s.done; s = it.next()) {
        if (s.value.isWordLike) out.push(s.value.segment);
      }
      return out;
    }
    return text.split(/\s+/).filter(Boolean);
  }

  // What a reader types is a question or a short form as often as a term of the documents.
  // Pagefind finds only pages holding every word of the query, so words that ask rather than
  // name (需要, 多少, 哪些; what, how, do) are left out, and a few short forms are written
  // as the documents write them (质检 is 质量检测, AI is 人工智能). The query keeps its
  // words when nothing else would be left. (Tuned on the queries of issue #27; the tests
  // also run queries written before the index was looked at.)
  var ASKING = {
    // Single characters only where they never stand for a word of the documents: the browser's
    // segmenter splits rarer compounds into characters (能耗 is 能 + 耗), so 能, 有, 应 stay.
    zh: ["需要", "要", "多少", "几", "几个", "哪些", "哪个", "什么", "怎么", "怎样", "如何", "是否", "有没有", "没有",
         "吗", "呢", "吧", "了", "的", "请问", "一下", "我们", "我的", "我们的", "可以", "能够", "交", "得到", "应该"],
    en: ["what", "which", "how", "many", "much", "do", "does", "did", "we", "i", "our", "my", "you", "your",
         "get", "gets", "need", "needed", "needs", "the", "a", "an", "of", "for", "to", "is", "are", "can",
         "should", "there", "any", "is", "be", "it", "us", "me", "in", "on", "with"],
  };
  var SHORT_FORMS = {
    zh: { "质检": "质量 检测", "ai": "人工 智能", "补贴": "补助", "奖补": "补助", "资助": "资金 支持",
          "mes": "制造 执行", "plm": "产品 全 生命 周期" },
    // a count is asked as "how many" and stated as a threshold ("at least 12 of the 39 scenes")
    en: { "how many": "least", "ai": "artificial intelligence", "subsidies": "subsidy", "grant": "funding", "grants": "funding",
          "paperwork": "documents" },
  };

  function searchTerm(term) {
    var text = " " + String(term || "").toLowerCase() + " ";
    var short = SHORT_FORMS[lang] || {};
    Object.keys(short).forEach(function (k) {
      // a Chinese short form wherever it stands; a Latin one as a whole word
      var pattern = HAN.test(k) ? k : "(^|[^a-z0-9])" + k + "(?=$|[^a-z0-9])";
      text = text.replace(new RegExp(pattern, "g"), function (m, before) {
        return (HAN.test(k) ? "" : before) + " " + short[k] + " ";
      });
    });
    var stop = ASKING[lang] || [];
    var kept = queryWords(text).filter(function (w) { return stop.indexOf(w) < 0; });
    return kept.length ? kept.join(" ") : String(term || "");
  }

  // A word of the page (as indexed) stands for a word of the query when one starts the
  // other (Pagefind matches prefixes) or, in English, they share a stem; a compound
  // ("digital-twin-based") stands for each of its parts, and quotes or a full stop around
  // a word do not count.
  function matches(indexed, asked, strict) {
    if (!indexed) return false;
    var parts = indexed.toLowerCase().split(/[-‐–—_/]+/);
    for (var i = 0; i < parts.length; i++) {
      var word = parts[i].replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
      if (!word) continue;
      // Chinese words are whole words on both sides (the same segmenter split them): 排 is
      // not 排放, though Pagefind, matching prefixes, found 排放 for it.
      if (HAN.test(asked)) {
        if (word === asked) return true;
        continue;
      }
      if (word.indexOf(asked) === 0 || asked.indexOf(word) === 0) return true;
      if (/^[a-z]{4,}$/.test(asked) && stem(word) === stem(asked)) return true;
      // loosely (counting the words a section holds), five letters in common will do:
      // "maintenance" and "maintain"
      if (!strict && /^[a-z]{5,}$/.test(asked) && word.slice(0, 5) === asked.slice(0, 5)) return true;
    }
    return false;
  }

  // A rough English stem: "scheduling" and "schedule", "subsidies" and "subsidy" meet;
  // "subsidiary" and "subsidy" do not.
  function stem(word) {
    return word.replace(/(ies|y)$/, "i").replace(/(ing|ed|es|e|s)$/, "");
  }

  // How many words of the query are among the given words of the page.
  function covered(pageWords, strict) {
    var n = 0;
    for (var i = 0; i < words.length; i++) {
      for (var j = 0; j < pageWords.length; j++) {
        if (matches(pageWords[j], words[i], strict)) { n++; break; }
      }
    }
    return n;
  }

  var HAN = /[\u3400-\u9fff\uf900-\ufaff]/;

  function titleWords(title) {
    var text = String(title || "").toLowerCase();
    // Chinese titles carry the index's word breaks (U+200B); English ones spaces.
    return text.split(/[\s\u200b]+/).filter(Boolean);
  }

  function weight(section) {
    var sum = 0;
    (section.weighted_locations || []).forEach(function (l) { sum += l.balanced_score; });
    return sum;
  }

  function clean(text) {
    return typeof text === "string" ? text.replace(/\u200b/g, "") : text;
  }

  function rank(result) {
    if (result.meta && result.meta.title) result.meta.title = clean(result.meta.title);
    result.excerpt = clean(result.excerpt);
    var subs = Array.isArray(result.sub_results) ? result.sub_results : [];
    var page = result.meta && result.meta.url || result.url;
    // The first section is the page's own top when it has no heading of its own: Pagefind's
    // UI shows it as the page itself; keep it first and rank the others.
    var head = subs.length && subs[0].url === page ? [subs[0]] : [];
    var pageWords = String(result.raw_content || "").split(/[\s\u200b]+/).filter(Boolean);
    var rest = subs.slice(head.length).map(function (s, i) {
      var found = (s.locations || []).map(function (l) { return pageWords[l]; });
      var ranked = {
        s: s, i: i,
        cover: covered(found),               // words of the query the section holds
        // … of them in its heading, and the heaviest place one was found (a scene's heading,
        // 10, over a link's, 3): counted strictly, so "subsidiary" in a heading does not
        // answer "subsidy"
        heading: covered(titleWords(s.title), true),
        top: Math.max.apply(null, (s.weighted_locations || []).filter(function (l) {
          return covered([pageWords[l.location]], true) > 0;
        }).map(function (l) { return l.weight; }).concat([0])),
        hits: found.length,
        weight: weight(s),
      };
      s.title = clean(s.title);
      s.excerpt = clean(s.excerpt);
      return ranked;
    });
    rest.sort(function (a, b) {
      return b.cover - a.cover || b.heading - a.heading || b.top - a.top || b.hits - a.hits
        || b.weight - a.weight || a.i - b.i;
    });
    // Sections that hold none of the query's words (only longer words starting like them)
    // are left out when others hold them all.
    if (rest.length && rest[0].cover === words.length && words.length) {
      rest = rest.filter(function (r) { return r.cover > 0; });
    }
    result.sub_results = head.concat(rest.slice(0, 3).map(function (r) { return r.s; }));
    return result;
  }

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
      el.onload = resolve;
      el.onerror = function () { reject(new Error("could not load " + (attrs.src || attrs.href))); };
      document.head.appendChild(el);
    });
  }

  function start() {
    if (!started) {
      started = Promise.all([
        load("link", { rel: "stylesheet", href: new URL("pagefind-ui.css", bundle).href }),
        load("script", { src: new URL("pagefind-ui.js", bundle).href }),
      ]).then(function () {
        /* global PagefindUI */
        new PagefindUI({
          element: "#gg-search-ui",
          bundlePath: bundle.pathname,
          baseUrl: siteRoot,
          showSubResults: true,
          showImages: false,
          resetStyles: false,
          excerptLength: 24,
          autofocus: true,
          processTerm: function (term) { var t = searchTerm(term); words = queryWords(t); return t; },
          processResult: rank,
        });
      });
      started.catch(function (err) {
        started = null;
        var box = document.getElementById("gg-search-ui");
        var p = document.createElement("p");
        p.className = "gg-search__error";
        p.setAttribute("role", "alert");
        p.textContent = dialog.getAttribute("data-error") || String(err);
        box.replaceChildren(p);
      });
    }
    return started;
  }

  function input() {
    return dialog.querySelector("input.pagefind-ui__search-input");
  }

  function open() {
    if (!dialog.open) dialog.showModal();
    start().then(function () {
      var field = input();
      // Named by the dialog's visible heading (Pagefind's field has a placeholder only).
      if (field) { field.setAttribute("aria-labelledby", "gg-search-title"); field.focus(); field.select(); }
    }, function () {});
  }

  openers.forEach(function (button) {
    button.addEventListener("click", open);
    // Fetch the UI while the pointer is on its way to the button.
    button.addEventListener("pointerenter", function () { start().catch(function () {}); }, { once: true });
  });
  dialog.querySelectorAll("[data-gg-search-close]").forEach(function (button) {
    button.addEventListener("click", function () { dialog.close(); });
  });
  // A click on the backdrop (outside the dialog's box) closes it.
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) dialog.close();
  });
  // Following a result to another place on the same page: close the dialog first.
  dialog.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (link && link.pathname === location.pathname) dialog.close();
  });
  // "/" opens the search from anywhere but a text field (as in Material).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || dialog.open) return;
    var t = event.target;
    if (t && (t.isContentEditable || /^(input|textarea|select)$/i.test(t.tagName))) return;
    event.preventDefault();
    open();
  });
})();
