"""One detector per clarity issue kind. Each reads a ``Parsed`` text and returns ``Issue``s.

Detectors that flag words mark them as taken, so a later, weaker kind never flags the same words
again ("please be advised" is legalese, not also passive voice). ``ClarityScorer`` runs them strongest
first: jargon, legalese, acronyms, refusals, double negatives, hidden verbs, hedges, passive voice,
noun strings, uncommon words; then the sentence-level kinds.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, count

from .._limits import TEXTS, WORDS
from ..report import Issue
from ._lexicon import Lexicon, PhraseIndex
from ._text import Sentence, Word, as_words, columns

__all__ = ["Parsed", "acronym_key", "expansions", "looks_like_acronym"]

# "ed" ending a word (a word ends before a character that is not a letter or digit).
_ENDS_IN_ED = re.compile(r"[eE][dD](?![^\W_])")
_ROMAN = re.compile(r"^(?=[MDCLXVI]{2,}$)M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
_PART_CUT = re.compile(r"[-&]")
_SKIP_IN_EXPANSION = frozenset({"of", "and", "the", "for", "to", "a", "an", "in", "on", "with", "by", "&", "at"})
_DIGITS = {"2": ("two", "double", "second"), "3": ("three", "triple", "third"), "4": ("four", "fourth")}
_NOUN_LIKE_LIGHT_VERBS = frozenset({"process", "issue", "place", "effect", "complete", "offer", "raise", "reach", "arrange", "do", "have"})
_CONNECTORS = frozenset(
    {"that's", "that", "is", "which", "means", "meaning", "stands", "for", "short", "it", "or", "i.e", "the", "aka", "also", "known", "as", "so"}
)


@dataclass(slots=True)
class Parsed:
    """A text cut into words and sentences, with what each word is (name, number, filler, allowed).

    Words are parallel lists (as written, folded, start and end offsets), not one object per word;
    ``present`` is the set of folded words, so a detector whose trigger words are all absent returns
    after one set test.
    """

    text: str
    texts: list[str]
    lows: list[str]
    starts: list[int]
    ends: list[int]
    present: set[str]
    sentences: list[Sentence]
    lex: Lexicon
    allowed: set[int] = field(default_factory=set)
    fillers: set[int] = field(default_factory=set)
    names: set[int] = field(default_factory=set)
    taken: set[int] = field(default_factory=set)
    shouting: bool = False
    lower: bool = False  # the text is lower case (``str.islower``)
    capitals: Sequence[int] = ()  # else the positions of the words that are not lower case

    @property
    def tokens(self) -> list[Word]:
        """The words as ``Word`` tuples, built on demand (the detectors read the parallel lists)."""
        return as_words(self.texts, self.lows, self.starts, self.ends)

    def span(self, first: int, last: int) -> tuple[int, int]:
        return self.starts[first], self.ends[last - 1]

    def quote(self, first: int, last: int) -> str:
        start, end = self.span(first, last)
        return self.text[start:end]

    def free(self, first: int, last: int) -> bool:
        span = range(first, last)
        return self.taken.isdisjoint(span) and self.allowed.isdisjoint(span)

    def issue(self, kind: str, first: int, last: int, message: str, suggestion: str | None = None) -> Issue:
        self.taken.update(range(first, last))
        start, end = self.span(first, last)
        return Issue(kind, start, end, message, suggestion)


# --- words -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=WORDS)
def looks_like_acronym(word: str) -> bool:
    """Two or more capitals, no lower-case letter but a plural "s" ("ATM", "ATMs", "2FA", "T&C", "U.S.")."""
    if word.islower():
        return False
    core = word[:-1] if word.endswith("s") and len(word) > 2 else word
    letters = [c for c in core if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and len(core.replace(".", "")) <= 8


def jargon(p: Parsed, company: PhraseIndex | None) -> list[Issue]:
    """Industry terms from the glossary, and the company's own terms (always flagged)."""
    out = []
    own_terms = company.find(p.lows) if company is not None and company.may_match(p.present) else ()
    terms = p.lex.jargon.find(p.lows) if p.lex.jargon.may_match(p.present) else ()
    for matches, own in ((own_terms, True), (terms, False)):
        for first, last, plain in matches:
            if not p.free(first, last):
                continue
            term = p.quote(first, last)
            if not own and term[0].isupper() and first not in _sentence_starts(p) and last - first > 1:
                continue  # a capitalised multi-word term mid-sentence is a name ("Back Office Ltd")
            message = f"Jargon: \u201c{term}\u201d may not mean much to the customer."
            out.append(p.issue("jargon", first, last, message, plain or None))
    return out


def acronyms(p: Parsed, known: frozenset[str], company: frozenset[str]) -> list[Issue]:
    """Acronyms the customer has not had explained (in this text or earlier in the call)."""
    if p.shouting:
        return []
    lex = p.lex
    explained: frozenset[str] | None = None
    lowercase = p.text.islower() or not any(c.isupper() for c in p.text)
    if lowercase:
        if lex.jargon_acronyms_lower.isdisjoint(p.present) and all(map(str.islower, p.texts)):
            return []
        candidates: Iterable[int] = [i for i, w in enumerate(p.texts) if not w.islower() or p.lows[i] in lex.jargon_acronyms_lower]
    else:
        candidates = p.capitals  # lower-case words are skipped
    out = []
    for i in candidates:
        text, low = p.texts[i], p.lows[i]
        if i in p.taken or i in p.allowed or i in p.fillers:
            continue
        if looks_like_acronym(text):
            key = acronym_key(text)
            if _ROMAN.match(key) or _caps_run(p, i):
                continue
        elif not lowercase:
            continue
        else:
            key = acronym_key(text)
            if not (key in lex.jargon_acronyms and lex.zipf(low) < 4.0):
                continue  # lower-case speech: only glossary acronyms that are not also common words
        if key in lex.acronym_allow or low in lex.chat or key in known or key in company:
            continue
        if explained is None:
            explained = expansions(p.text)
        if key in explained:
            continue
        plain = lex.jargon_acronyms.get(key)
        message = f"Acronym \u201c{text}\u201d is not explained."
        suggestion = f"{plain} ({text})" if plain else f"Spell it out the first time: \u201cwhat it stands for ({text})\u201d."
        out.append(p.issue("acronym", i, i + 1, message, suggestion))
    return out


def acronym_key(word: str) -> str:
    """The form acronyms are compared in: no dots, upper case, no plural "s" ("ATMs" → "ATM")."""
    core = word.replace(".", "")
    if len(core) > 2 and core.endswith("s") and core[:-1].isupper():
        core = core[:-1]
    return core.upper()


def uncommon_words(p: Parsed, threshold: float, common: set[str] | None = None) -> list[Issue]:
    """Words rarer than ``threshold`` on the Zipf scale (3 = once per million words).

    ``common`` collects the words of texts without one, so a caller can skip texts made of them.
    """
    lex = p.lex
    out = []
    values = lex.zipfs(p.lows)
    if not values or min(values) >= threshold:  # cheapest test first: most words are common
        if common is not None:
            if len(common) > WORDS:
                common.clear()
            common.update(p.present)
        return out
    skip = p.taken | p.allowed | p.fillers | p.names
    for i in compress(count(), map(threshold.__gt__, values)):
        low, text = p.lows[i], p.texts[i]
        if i in skip or not _is_wordlike(low):
            continue
        if low in lex.chat or low in lex.function_words or looks_like_acronym(text):
            continue
        message = f"Uncommon word: \u201c{text}\u201d (about {_per_million(values[i])} in a million words)."
        out.append(p.issue("uncommon_word", i, i + 1, message, None))
    return out


# --- phrases ---------------------------------------------------------------------------------


def legalese(p: Parsed) -> list[Issue]:
    """Legal, bureaucratic and corporate-filler phrases."""
    out = []
    if not p.lex.legalese.may_match(p.present):
        return out
    for first, last, plain in p.lex.legalese.find(p.lows):
        if p.free(first, last):
            phrase = p.quote(first, last)
            suggestion = plain if plain else "Leave it out."
            out.append(p.issue("legalese", first, last, f"Stiff wording: \u201c{phrase}\u201d.", suggestion))
    return out


def hedges(p: Parsed) -> list[Issue]:
    """Hedges and weasel words that make a commitment sound unsure."""
    out = []
    if not p.lex.hedges.may_match(p.present):
        return out
    for first, last, entry in p.lex.hedges.find(p.lows):
        if not p.free(first, last):
            continue
        before = p.lows[first - 1] if first else ""
        after = p.lows[last] if last < len(p.lows) else ""
        if before in entry.get("not_after", ()) or after in entry.get("not_before", ()):
            continue
        phrase = p.quote(first, last)
        plain = entry["plain"] or "Leave it out and say it plainly."
        out.append(p.issue("hedge", first, last, f"Hedge: \u201c{phrase}\u201d sounds unsure.", plain))
    return out


def hidden_verbs(p: Parsed) -> list[Issue]:
    """A light verb and an action noun ("make a payment") where the verb alone is plainer ("pay")."""
    lex = p.lex
    out = []
    lows = p.lows
    light_verbs = lex.light_verbs.find(lows) if not lex.hidden_nouns.isdisjoint(p.present) else ()  # else no noun to follow
    for first, last, lemma in light_verbs:
        nouns = lex.hidden_pairs.get(lemma)
        if not nouns:
            continue
        j = last
        while j < len(lows) and j - last < 2 and lows[j] in lex.hidden_between:
            j += 1
        if j == last and lemma in _NOUN_LIKE_LIGHT_VERBS:
            continue  # "process update" is a compound noun; "process a refund" is the hidden verb
        if j < len(lows) and lows[j] in nouns and p.free(first, j + 1):
            verb = lex.hidden_verbs[lows[j]]
            phrase = p.quote(first, j + 1)
            out.append(p.issue("hidden_verb", first, j + 1, f"Hidden verb: \u201c{phrase}\u201d.", verb))
    if "of" not in p.present or lex.of_pattern.isdisjoint(p.present):
        return out
    for j in compress(count(), map(lex.of_pattern.__contains__, lows)):
        i = j - 1  # "the" ‹noun› "of"
        if 0 <= i < len(lows) - 2 and lows[i] == "the" and lows[i + 2] == "of" and p.free(i, i + 3):
            verb = lex.hidden_verbs[lows[i + 1]]
            phrase = p.quote(i, i + 3)
            out.append(p.issue("hidden_verb", i, i + 3, f"Hidden verb: \u201c{phrase}\u201d.", f"{verb} \u2026"))
    return out


def passive_voice(p: Parsed) -> list[Issue]:
    """A form of "be"/"get", up to two adverbs, then a past participle ("it was sent")."""
    lex = p.lex
    lows = p.lows
    out: list[Issue] = []
    if lex.passive_aux.isdisjoint(p.present) or (lex.participles.isdisjoint(p.present) and not _ENDS_IN_ED.search(p.text)):
        return out  # no "be" or "get", or no participle (an irregular one, or a word ending in "ed")
    for i in compress(count(), map(lex.passive_aux.__contains__, lows)):
        j = i + 1
        while j < len(lows) and j - i <= 2 and lows[j] in lex.passive_adverbs:
            j += 1
        if j >= len(lows) or not _participle(lex, lows[j]) or not p.free(i, j + 1):
            continue
        if lows[j] in lex.adjectival and not (j + 1 < len(lows) and lows[j + 1] == "by"):
            continue
        phrase = p.quote(i, j + 1)
        out.append(
            p.issue("passive_voice", i, j + 1, f"Passive voice: \u201c{phrase}\u201d hides who does it.", "Say who does it: \u201cwe sent it\u201d, not \u201cit was sent\u201d.")
        )
    return out


def noun_strings(p: Parsed, threshold: int) -> list[Issue]:
    """``threshold`` or more nouns in a row ("account verification process update")."""
    lex = p.lex
    out: list[Issue] = []
    nounish = lex.nounish
    if threshold > 1:
        positions = list(compress(count(), map(nounish.__contains__, p.lows)))
        if len(positions) < threshold or not _has_run([i for i in positions if i not in p.names], threshold):
            return out  # no ``threshold`` nouns in a row even before punctuation and sentence ends cut runs
    run: list[int] = []

    def close() -> None:
        # A noun-or-verb word that opens the run after a subject or "to" is the verb ("we reset router ...").
        while run and p.lows[run[0]] in lex.noun_verbs and run[0] > 0 and p.lows[run[0] - 1] in lex.function_words:
            if p.lows[run[0] - 1] in {"the", "a", "an", "your", "our", "my", "this", "that", "their", "his", "her", "its", "of", "for", "on", "in", "with"}:
                break
            run.pop(0)
        if len(run) >= threshold and p.free(run[0], run[-1] + 1):
            phrase = p.quote(run[0], run[-1] + 1)
            message = f"Noun string: {len(run)} nouns in a row (\u201c{phrase}\u201d)."
            out.append(p.issue("noun_string", run[0], run[-1] + 1, message, "Unpack it with verbs and small words: \u201cthe process to check your account\u201d."))
        run.clear()

    ends = {s.last for s in p.sentences}
    for i, low in enumerate(p.lows):
        if run and i in ends:
            close()
        if low not in nounish or i in p.names:
            if run:
                close()
            continue
        if run and p.text[p.ends[run[-1]] : p.starts[i]].strip():
            close()  # punctuation between: "card, account" is a list, not a noun string
        run.append(i)
    if run:
        close()
    return out


def double_negatives(p: Parsed) -> list[Issue]:
    """Two negatives in one clause ("we don't have no record", "not impossible")."""
    lex = p.lex
    lows = p.lows
    out: list[Issue] = []
    if lex.negators.isdisjoint(p.present):
        return out
    for i in compress(count(), map(lex.negators.__contains__, lows)):
        word = lows[i]
        if i in p.taken:
            continue
        if word == "no" and (i == 0 or i in _sentence_starts(p) or lows[i - 1] in lex.fillers or lows[i - 1] == "no"):
            continue  # "no, I don't" / "no no" answer a question
        nxt = lows[i + 1] if i + 1 < len(lows) else ""
        if word == "not" and nxt and _negative_word(lex, nxt) and p.free(i, i + 2):
            phrase = p.quote(i, i + 2)
            out.append(p.issue("double_negative", i, i + 2, f"Double negative: \u201c{phrase}\u201d.", "Say it positively."))
            continue
        for j in range(i + 1, min(len(lows), i + 1 + lex.negation_window)):
            if lows[j] in lex.clause_breaks or _gap_has_punctuation(p, j - 1, j):
                break
            second = lows[j] in lex.second_negators and not (j + 1 < len(lows) and lows[j + 1] in lex.not_second)
            second = second or (word in {"without", "can't", "cannot"} and lows[j] in lex.after_not and j == i + 1)
            if second and p.free(i, j + 1):
                phrase = p.quote(i, j + 1)
                out.append(p.issue("double_negative", i, j + 1, f"Double negative: \u201c{phrase}\u201d.", "Say it positively."))
                break
    return out


def refusals(p: Parsed) -> list[Issue]:
    """A refusal ("we can't do that") with no alternative anywhere in the text."""
    lex = p.lex
    found = [(a, b) for a, b, _ in lex.refusals.find(p.lows)] if lex.refusals.may_match(p.present) else []
    if not found:
        return []
    for a, b, _ in lex.alternatives.find(p.lows):
        nxt = p.lows[b] if b < len(p.lows) else ""
        if nxt in lex.negators or any(a < y and x < b for x, y in found):
            continue
        return []
    out = []
    for first, last in found:
        if p.free(first, last):
            phrase = p.quote(first, last)
            message = f"Refusal without an alternative: \u201c{phrase}\u201d."
            out.append(p.issue("negative_refusal", first, last, message, "Say what you can do: \u201cWhat I can do is \u2026\u201d."))
    return out


# --- sentences -------------------------------------------------------------------------------


def long_sentences(p: Parsed, threshold: int) -> list[Issue]:
    out = []
    for s in p.sentences:
        size = sum(1 for i in range(s.first, s.last) if i not in p.fillers) if p.fillers else s.last - s.first
        if size > threshold:
            message = f"Long sentence: {size} words (aim for {threshold} or fewer)."
            out.append(Issue("long_sentence", s.start, s.end, message, "Split it into shorter sentences, one idea each."))
    return out


def wall_of_text(p: Parsed, threshold: int) -> list[Issue]:
    if len(p.sentences) <= threshold:
        return []
    message = f"Wall of text: {len(p.sentences)} sentences in one turn (aim for {threshold} or fewer)."
    suggestion = "Lead with the main point and send the rest as separate, short turns."
    return [Issue("wall_of_text", p.sentences[0].start, p.sentences[-1].end, message, suggestion)]


# --- acronym expansions ----------------------------------------------------------------------


@functools.lru_cache(maxsize=TEXTS)
def expansions(text: str) -> frozenset[str]:
    """Acronyms that ``text`` spells out, upper-cased.

    Three shapes are understood: "Multi-Factor Authentication (MFA)", "MFA (multi-factor
    authentication)", and "MFA, that's multi-factor authentication" (also "stands for", "which is",
    "or", "means"). The long form must give the acronym's letters as word initials.
    """
    texts, lows, starts, ends = columns(text)
    found: set[str] = set()
    # Only a word with a connector after it ("that's", "stands for" …) or a bracket within three
    # characters of it can be explained: the other words are never looked at.
    candidates = {i for i, w in enumerate(lows[1:]) if w in _CONNECTORS}
    at = text.find("(")
    while at >= 0:
        candidates.update(range(bisect_right(starts, at), bisect_right(starts, at + 3)))  # "(" just before
        candidates.update(range(bisect_left(ends, at - 2), bisect_right(ends, at)))  # "(" just after
        at = text.find("(", at + 1)
    for i in candidates:
        word, start, end = texts[i], starts[i], ends[i]
        before, after = text[max(0, start - 3) : start].rstrip(), text[end : end + 3].lstrip()
        bracketed = before.endswith("(") and after.startswith(")")
        explained = (i + 1 < len(texts) and lows[i + 1] in _CONNECTORS) or (after.startswith("(") and word.isupper())
        if not (bracketed or explained):
            continue
        letters = _letters(word)
        if not 2 <= len(letters) <= 8 or not (looks_like_acronym(word) or (word.islower() and len(word) <= 6)):
            continue
        if bracketed:
            # "long form (ACR)": the words just before the bracket.
            for first in range(i - 1, max(-1, i - len(letters) - 5), -1):
                if _spells(letters, _initial_parts(lows[first:i]), whole=True):
                    found.add(acronym_key(word))
                    break
            continue
        # "ACR (long form)", "ACR, that's long form", "ACR stands for long form".
        j = i + 1
        while j < len(texts) and j - i <= 4 and lows[j] in _CONNECTORS:
            j += 1
        if _spells(letters, _initial_parts(lows[j : j + len(letters) + 4]), whole=False):
            found.add(acronym_key(word))
    return frozenset(found)


def _initial_parts(lows: list[str]) -> list[str]:
    return [q for w in lows for q in _parts(w)]


def _letters(word: str) -> str:
    return "".join(c for c in acronym_key(word).lower() if c.isalnum())


def _parts(word: str) -> list[str]:
    if "-" not in word and "&" not in word:
        return [word] if word else []
    return [q for q in _PART_CUT.split(word) if q]


def _spells(letters: str, words: list[str], *, whole: bool) -> bool:
    """Whether ``words`` give ``letters`` as initials (skipping small words; a word may give several
    letters in order, as "PayPal" gives "pp"). With ``whole`` every word must be used."""

    def go(i: int, j: int) -> bool:
        if i == len(letters):
            return not whole or all(w in _SKIP_IN_EXPANSION for w in words[j:])
        if j == len(words):
            return False
        w = words[j]
        ch = letters[i]
        if ch.isdigit():
            if w in _DIGITS.get(ch, ()) or w == ch:
                return go(i + 1, j + 1)
        elif w[0] == ch:
            # This word gives the next k letters when they appear in it in order.
            k, pos = 1, 1
            while True:
                if go(i + k, j + 1):
                    return True
                if i + k >= len(letters):
                    break
                found = w.find(letters[i + k], pos)
                if found < 0:
                    break
                k, pos = k + 1, found + 1
        return w in _SKIP_IN_EXPANSION and go(i, j + 1)

    return go(0, 0)


# --- helpers ---------------------------------------------------------------------------------


def _sentence_starts(p: Parsed) -> set[int]:
    return {s.first for s in p.sentences}


def _has_run(positions: list[int], size: int) -> bool:
    """Whether the increasing ``positions`` hold ``size`` consecutive numbers."""
    return any(positions[k + size - 1] - positions[k] == size - 1 for k in range(len(positions) - size + 1))


def _caps_run(p: Parsed, i: int) -> bool:
    """Part of three or more capitalised words in a row: a heading or shouting, not acronyms."""
    def caps(k: int) -> bool:
        return 0 <= k < len(p.texts) and p.texts[k].isupper() and len(p.texts[k]) > 1

    return (caps(i - 1) and caps(i + 1)) or (caps(i - 1) and caps(i - 2)) or (caps(i + 1) and caps(i + 2))


def _gap_has_punctuation(p: Parsed, a: int, b: int) -> bool:
    gap = p.text[p.ends[a] : p.starts[b]]
    return any(c in ",;:.!?—–()" for c in gap)


def _participle(lex: Lexicon, word: str) -> bool:
    return word in lex.participles or (len(word) > 4 and word.endswith("ed") and word.isalpha())


def _negative_word(lex: Lexicon, word: str) -> bool:
    if word in lex.prefixed:
        return True
    if word.startswith("un") and len(word) > 5 and word not in lex.un_exceptions and not word.startswith(("under", "uni")):
        return lex.zipf(word[2:]) >= 3.5
    return False


def _is_wordlike(low: str) -> bool:
    return low.isalpha() or (("'" in low or "-" in low) and any(c.isalpha() for c in low) and not any(c.isdigit() for c in low))


def _per_million(zipf: float) -> str:
    per_million = 10 ** (zipf - 3)
    if per_million >= 1:
        return f"{per_million:.0f}"
    if per_million >= 0.1:
        return f"{per_million:.1f}"
    return "less than 0.1"
