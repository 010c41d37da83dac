"""Korean for Sphinx's search index: words are split on Hangul/Latin runs and common particles are stripped.

Sphinx has no Korean search language and falls back to English, which keeps particles glued to the noun
(``컨테이너를``), so a search for ``컨테이너`` misses most of the text. This registers ``ko``: the same
particle stripping runs in Python (index) and in JavaScript (query), as Sphinx requires.
"""

from __future__ import annotations

import re

from sphinx.search import SearchLanguage, languages

#: Particles and endings stripped from the end of a word (longest first); the stem keeps at least 2 letters.
PARTICLES = sorted("""으로부터 에서부터 이라는 이라고 에게서 으로써 으로서 에서는 에서도 에서의 으로는 으로도
    입니다 합니다 됩니다 에서 에게 한테 까지 부터 처럼 보다 으로 이나 이란 이며 이고 라는 라고 하는 하고 하면 해서
    에는 에도 와 과 은 는 이 가 을 를 에 의 로 도 만 나 란 며""".split(), key=len, reverse=True)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def stem(word: str) -> str:
    """Strip one trailing particle from a Hangul word when at least two letters remain."""
    word = word.lower()
    if not HANGUL.search(word[-1:]):
        return word
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word


class SearchKorean(SearchLanguage):
    lang = "ko"
    language_name = "Korean"
    _word_re = re.compile(r"[\uac00-\ud7a3]+|\w+")
    js_stemmer_code = """
var Stemmer = function() {
  var particles = %s;
  this.stemWord = function(w) {
    w = w.toLowerCase();
    if (!/[\\uac00-\\ud7a3]$/.test(w)) return w;
    for (var i = 0; i < particles.length; i++) {
      var p = particles[i];
      if (w.length - p.length >= 2 && w.slice(-p.length) === p) return w.slice(0, -p.length);
    }
    return w;
  };
};
""" % ("[" + ",".join(f'"{p}"' for p in PARTICLES) + "]")

    def stem(self, word: str) -> str:
        return stem(word)

    def word_filter(self, word: str) -> bool:
        return len(word) > 1 or bool(HANGUL.search(word))


def setup(app):
    languages["ko"] = SearchKorean
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
