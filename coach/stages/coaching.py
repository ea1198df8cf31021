"""Call-level coaching from stage findings: order findings and hints for missing stages.

Order, as the framework wants it: reassure early but after the customer has stated the problem;
confirm before fix; follow-up after fix. Each finding names the turns involved.

A hint for a missing stage says where in this call it was due and gives an example fitted to the
call: the customer's problem said back in the agent's words (``coach.paraphrase``), or for a missing
follow-up, what the fix should achieve ("to make sure your replacement card arrived"). The wording
is data: ``coach/lang/<lang>/stages_hints.json``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import lang as _lang
from ..report import Hint, OrderFinding
from ._text import normalizer

__all__ = ["CallFacts", "hints", "order"]


@dataclass(frozen=True, slots=True)
class CallFacts:
    """What coaching needs to know about a call.

    ``first`` maps each present stage to its first turn; ``problem`` is the customer turn that first
    states the problem (``None`` before there is one) and ``problem_text`` its text; ``due`` the first
    agent turn after it; ``fix``/``fix_text`` the last fix turn and its text; ``last_agent`` the last
    agent turn.
    """

    first: Mapping[str, int]
    problem: int | None = None
    problem_text: str = ""
    due: int | None = None
    fix: int | None = None
    fix_text: str = ""
    last_agent: int | None = None


@functools.cache
def _data(lang: str) -> dict[str, Any]:
    return _lang.data(lang, "stages_hints")


def order(facts: CallFacts, lang: str) -> tuple[OrderFinding, ...]:
    """Stages done out of the framework's order, each with the turns involved (in turn order)."""
    text = _data(lang)["order"]
    first = facts.first
    out: list[OrderFinding] = []

    def add(kind: str, **turns: int) -> None:
        out.append(OrderFinding(kind, text[kind].format(**turns), tuple(sorted(set(turns.values())))))

    if "reassure" in first and facts.problem is not None and first["reassure"] < facts.problem:
        add("reassure_before_problem", reassure=first["reassure"], problem=facts.problem)
    if "reassure" in first and "fix" in first and first["reassure"] > first["fix"]:
        add("reassure_late", reassure=first["reassure"], fix=first["fix"])
    if "confirm" in first and "fix" in first and first["fix"] < first["confirm"]:
        add("fix_before_confirm", fix=first["fix"], confirm=first["confirm"])
    if "follow_up" in first and "fix" in first and first["follow_up"] < first["fix"]:
        add("follow_up_before_fix", follow_up=first["follow_up"], fix=first["fix"])
    return tuple(out)


def hints(missing: Sequence[str], facts: CallFacts, lang: str) -> tuple[Hint, ...]:
    """One hint per missing stage (framework order): where it was due in this call and what to say."""
    data = _data(lang)["missing"]
    core, paraphrase = _said_back(facts.problem_text, lang) if facts.problem is not None else (None, None)
    out = []
    for stage in missing:
        entry = data[stage]
        if stage == "follow_up":
            turn = facts.fix if facts.fix is not None else facts.last_agent
            if facts.fix is not None:
                when, outcome = _follow_up(facts.fix_text, lang)
                example = entry["example"].format(when=when, outcome=outcome)
            else:
                example = entry["generic"]
            message = entry["message"].format(fix=facts.fix) if facts.fix is not None else entry["message_no_turn"]
        else:
            turn = facts.due if facts.due is not None else facts.last_agent
            message = (
                entry["message"].format(problem=facts.problem) if facts.problem is not None else entry["message_no_turn"]
            )
            if stage == "confirm" and paraphrase:
                example = entry["example"].format(paraphrase=paraphrase)
            elif stage != "confirm" and core and "{core}" in entry["example"]:
                example = entry["example"].format(core=core)
            else:
                example = entry["generic"]
        out.append(Hint(f"missing_{stage}", message, example, turn, stage))
    return tuple(out)


def _said_back(text: str, lang: str) -> tuple[str | None, str | None]:
    """The customer's problem in the agent's words (``core``) and a full confirming paraphrase."""
    from ..paraphrase import Paraphraser

    suggestions = Paraphraser(lang).suggest(text, n=1)
    if not suggestions:
        return None, None
    return suggestions[0].core, suggestions[0].text


def _follow_up(fix_text: str, lang: str) -> tuple[str, str]:
    """When to call back and what to check, read from the fix turn ("your replacement card arrived")."""
    data = _data(lang)["follow_up"]
    words = normalizer(lang)(fix_text).words
    when = data["when_days"] if any(w in data["days_words"] for w in words) else data["when"]
    stop, skip = set(data["stop"]), set(data["skip"])
    for i, word in enumerate(words):
        for group in data["outcomes"]:
            if word not in group["verbs"]:
                continue
            if i >= 2 and words[i - 1] == "been":
                # Passive ("a new checkbook has been sent"): the object is the subject before the auxiliary.
                j = i - 2
                if words[j] in ("has", "have", "had", "was", "were", "is", "are"):
                    j -= 1
                before: list[str] = []
                while j >= 0 and words[j] not in stop and words[j] not in skip and len(before) < 5:
                    before.insert(0, words[j])
                    j -= 1
                obj = before
            else:
                k = i + 1
                while k < len(words) and words[k] in skip:
                    k += 1
                obj = []
                while k < len(words) and words[k] not in stop and len(obj) < 5:
                    obj.append(words[k])
                    k += 1
            if obj and obj[0] in ("a", "an"):
                obj[0] = "the"
            phrase = " ".join(obj)
            return when, group["outcome"].format(object=phrase) if phrase else group["default"]
    return when, data["default"]
