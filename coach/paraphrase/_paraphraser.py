"""``Paraphraser``: confirming paraphrases of customer turns, and recognising the agent's own."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._limits import TEXTS
from ..report import Paraphrase
from ._core import Analysis, agent_tokens, analyse, core_text, select, states_problem
from ._lexicon import Lexicon, lexicon
from ._match import ConfirmMatch, Prepared, match, prepare
from ._text import Tok

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["Paraphraser", "Suggestion", "paraphrase"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A confirming sentence the agent could say. ``score`` (0–1, higher is better) is how clearly the
    customer's words state a problem or request, lowered for the alternatives after the first;
    ``core`` is the perspective-shifted content without the confirming frame."""

    text: str
    score: float
    core: str


class Paraphraser:
    """Suggests confirming paraphrases and recognises confirmations, for one language.

    The constructor only stores the language; its data loads on first use and is cached per process.
    """

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang

    @property
    def _lex(self) -> Lexicon:
        return lexicon(self.lang)

    def analyse(self, text: str, *, doc: Doc | None = None) -> Analysis:
        """The clauses of a customer turn, cleaned and scored (cached by text when no ``doc`` is given:
        suggesting, checking and preparing one turn share one analysis)."""
        return _analysis(text, self.lang) if doc is None else analyse(text, self._lex, doc)

    def suggest(self, text: str, n: int = 3, *, variant: int = 0, doc: Doc | None = None) -> list[Suggestion]:
        """Up to ``n`` confirming paraphrases of a customer turn, best first; empty when the turn states
        no problem or request and has no venting to acknowledge (``"hi"``, ``"thank you"``).

        ``variant`` rotates the confirming frames, so successive suggestions in one call vary (pass the
        number of suggestions already made in the call). ``doc`` is an optional spaCy Doc of ``text``.
        """
        if n <= 0:
            return []
        cores = _cores(text, self.lang) if doc is None else _find_cores(self.analyse(text, doc=doc), self._lex)
        if not cores:
            return []
        out: list[Suggestion] = []
        frames = self._lex.frames
        k = 0
        while len(out) < n and k < len(frames):
            core, score = cores[min(k, len(cores) - 1)] if k < len(cores) else cores[0]
            frame = frames[(variant + k) % len(frames)]
            out.append(Suggestion(_fill(frame, core), round(score * (0.9**k), 4), core))
            k += 1
        return out

    def states_problem(self, text: str, *, doc: Doc | None = None) -> bool:
        """Whether a customer turn states a problem or a request worth confirming (not a greeting, a
        yes/no, thanks, a name, or a detail such as an account number given alone)."""
        return states_problem(self.analyse(text, doc=doc))

    def prepare(self, text: str, *, doc: Doc | None = None) -> Prepared:
        """What ``match`` needs from a customer turn (cached by text when no ``doc`` is given)."""
        return _prepared(text, self.lang) if doc is None else prepare(text, analyse(text, self._lex, doc), self._lex)

    def match(
        self,
        agent_text: str,
        customer_turns: Sequence[tuple[int, str | Prepared]],
        *,
        doc: Doc | None = None,
    ) -> ConfirmMatch | None:
        """Whether this agent turn restates earlier customer content; None when it restates nothing.

        ``customer_turns`` are ``(turn_index, text_or_prepared)`` pairs, most recent last (the customer
        turns since the start of the call). Pass ``Prepared`` items from ``prepare`` to avoid
        re-analysing a customer turn on every agent turn. ``doc`` is an optional spaCy Doc of
        ``agent_text``. A match with ``parroting=True`` repeats the customer's words with their
        "I/my" left in: report it as parroting, not as a confirmation.
        """
        lex = self._lex
        prepared = [(i, p if isinstance(p, Prepared) else self.prepare(p)) for i, p in customer_turns]
        return match(agent_text, prepared, lex, doc)

    def for_call(self, turns: Sequence[tuple[int, str, str]], *, n: int = 3) -> tuple[Paraphrase, ...]:
        """The Report's paraphrases for a call: one per customer turn that states a problem or request,
        with the agent turn that later confirmed it (``confirmed_by``, None for a missed moment).

        ``turns`` are ``(turn_index, role, text)`` in call order, role ``"customer"`` or ``"agent"``
        (other roles are skipped). Frames vary across the call.
        """
        customers: list[tuple[int, Prepared]] = []
        found: dict[int, tuple[list[Suggestion], int | None]] = {}
        made = 0
        for index, role, text in turns:
            if role == "customer":
                prepared = self.prepare(text)
                customers.append((index, prepared))
                if prepared.states_problem:
                    suggestions = self.suggest(text, n, variant=made)
                    if suggestions:
                        found[index] = (suggestions, None)
                        made += 1
            elif role == "agent" and customers:
                m = match(text, customers, self._lex, None)
                if m is not None and not m.parroting and m.turn in found and found[m.turn][1] is None:
                    found[m.turn] = (found[m.turn][0], index)
        return tuple(
            Paraphrase(s[0].text, index, s[0].score, confirmed_by, tuple(x.text for x in s[1:]))
            for index, (s, confirmed_by) in sorted(found.items())
        )


# Process-wide, bounded: a customer turn is analysed once however many callers (live sessions, the
# confirm detector, the report's paraphrases) look at it; results are immutable.
@functools.lru_cache(maxsize=TEXTS)
def _analysis(text: str, lang: str) -> Analysis:
    return analyse(text, lexicon(lang))


def _find_cores(analysis: Analysis, lex: Lexicon) -> tuple[tuple[str, float], ...]:
    """The perspective-shifted cores (two clauses, then the best one) with their strength 0–1."""
    cores: list[tuple[str, float]] = []
    said: dict[int, list[Tok]] = {}
    for most in (2, 1):
        chosen = select(analysis, most)
        if not chosen:
            break
        core = core_text(agent_tokens(chosen, lex, said))
        strength = sum(c.score for c in chosen) / len(chosen)
        if core and all(core != c for c, _ in cores):
            cores.append((core, strength / (strength + 4.0)))
    return tuple(cores)


@functools.lru_cache(maxsize=TEXTS)
def _cores(text: str, lang: str) -> tuple[tuple[str, float], ...]:
    return _find_cores(_analysis(text, lang), lexicon(lang))


@functools.lru_cache(maxsize=TEXTS)
def _prepared(text: str, lang: str) -> Prepared:
    return prepare(text, _analysis(text, lang), lexicon(lang))


def _fill(frame: str, core: str) -> str:
    if core.endswith("."):  # "... at 10 a.m." ends the sentence itself
        frame = frame.replace("{core}.", "{core}")
    text = frame.replace("{core}", core)
    return text[:1].upper() + text[1:]


def paraphrase(text: str, lang: str = "en", n: int = 3) -> list[str]:
    """Up to ``n`` confirming paraphrases of a customer's words, best first (possibly empty).

    >>> paraphrase("Hi, um, I lost my debit card. Can you send me a new one?", n=1)
    ["So you lost your debit card, and you'd like us to send you a new one — is that right?"]
    """
    return [s.text for s in _cached(lang).suggest(text, n)]


_PARAPHRASERS: dict[str, Paraphraser] = {}


def _cached(lang: str) -> Paraphraser:
    if lang not in _PARAPHRASERS:
        _PARAPHRASERS[lang] = Paraphraser(lang)
    return _PARAPHRASERS[lang]
