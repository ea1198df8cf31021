"""The conversation model every reader produces: ``Role``, ``Turn`` and ``Transcript``.

All three are frozen; ``to_dict``/``from_dict`` round-trip exactly. Turn indices used anywhere in
coach (evidence, stage turns, paraphrase sources) are indices into ``Transcript.turns``.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from ._frozen import picklable
from .errors import TranscriptError

__all__ = ["ROLE_ALIASES", "Role", "Transcript", "Turn", "resolve_role", "role_override"]


class Role(enum.StrEnum):
    """Who speaks a turn. Only ``AGENT`` turns are coached; ``BOT`` and ``SYSTEM`` never count as the agent."""

    AGENT = "agent"
    CUSTOMER = "customer"
    BOT = "bot"
    SYSTEM = "system"


#: Speaker labels (lower-cased, punctuation folded to spaces) that map to a role.
ROLE_ALIASES: Mapping[str, Role] = MappingProxyType(
    {
        **dict.fromkeys(
            [
                "agent", "rep", "representative", "advisor", "adviser", "operator", "associate",
                "specialist", "support", "support agent", "customer service", "customer support",
                "csr", "staff", "employee", "consultant", "human agent", "live agent", "internal",
                "admin", "teammate", "expert", "technician", "tech", "host", "service agent",
                "call taker", "helpdesk", "help desk", "attendant", "clerk",
            ],
            Role.AGENT,
        ),
        **dict.fromkeys(
            [
                "customer", "caller", "client", "user", "visitor", "end user", "enduser",
                "external", "guest", "member", "patient", "consumer", "contact", "requester",
                "end-user", "cust", "buyer", "passenger", "policyholder", "subscriber",
                "lead", "shopper", "account holder",
            ],
            Role.CUSTOMER,
        ),
        **dict.fromkeys(
            [
                "bot", "ivr", "virtual agent", "virtual assistant", "assistant", "chatbot",
                "automated", "automation", "va", "acd", "workflow", "fin", "answer bot",
                "system bot", "auto attendant",
            ],
            Role.BOT,
        ),
        **dict.fromkeys(
            ["system", "action", "event", "note", "internal note", "sys", "notification"],
            Role.SYSTEM,
        ),
    }
)

_FOLD = re.compile(r"[\s_\-.:]+")


def _fold(label: str) -> str:
    return _FOLD.sub(" ", label.strip().lower()).strip()


def resolve_role(label: str, roles: Mapping[str, str | Role] | None = None) -> Role | None:
    """The role of a speaker label, or ``None`` when it is not known.

    ``roles`` (user overrides, e.g. ``{"Jane Smith": "agent"}``) wins over the built-in aliases;
    labels are compared case- and punctuation-insensitively. "Agent 2", "Customer (Bob)" resolve
    by their first word when the whole label is not an alias.
    """
    override = role_override(label, roles)
    if override is not None:
        return override
    folded = _fold(label)
    if folded in ROLE_ALIASES:
        return ROLE_ALIASES[folded]
    head = re.split(r"[\s(#\d]", folded, maxsplit=1)[0]
    return ROLE_ALIASES.get(head)


def role_override(label: str, roles: Mapping[str, str | Role] | None) -> Role | None:
    """The role the user's ``roles`` mapping gives this label, if it names it."""
    if roles:
        folded = _fold(label)
        for name, role in roles.items():
            if _fold(name) == folded:
                try:
                    return Role(role)
                except ValueError:
                    raise TranscriptError(
                        f"roles[{name!r}] = {role!r} is not a role",
                        hint="use one of: " + ", ".join(r.value for r in Role),
                    ) from None
    return None


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance: who said it (``role``, and the source's ``speaker`` name), what, and when.

    ``start``/``end`` are seconds from the start of the call and may be ``None``.
    """

    role: Role
    text: str
    speaker: str | None = None
    start: float | None = None
    end: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.role, Role):
            object.__setattr__(self, "role", Role(self.role))

    @property
    def is_agent(self) -> bool:
        return self.role is Role.AGENT

    @property
    def is_customer(self) -> bool:
        return self.role is Role.CUSTOMER

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role.value, "text": self.text}
        if self.speaker is not None:
            out["speaker"] = self.speaker
        if self.start is not None:
            out["start"] = self.start
        if self.end is not None:
            out["end"] = self.end
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Turn:
        return cls(
            role=Role(data["role"]),
            text=data["text"],
            speaker=data.get("speaker"),
            start=data.get("start"),
            end=data.get("end"),
        )


@picklable
@dataclass(frozen=True, slots=True)
class Transcript:
    """A conversation: an ``id``, its ``turns`` in order, free-form ``metadata`` and a ``language``."""

    id: str
    turns: tuple[Turn, ...]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    language: str = "en"

    def __post_init__(self) -> None:
        if not isinstance(self.turns, tuple):
            object.__setattr__(self, "turns", tuple(self.turns))
        if not isinstance(self.metadata, MappingProxyType):
            object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    def __len__(self) -> int:
        return len(self.turns)

    def __hash__(self) -> int:
        return hash((self.id, self.turns, self.language))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Transcript):
            return NotImplemented
        return (self.id, self.turns, dict(self.metadata), self.language) == (
            other.id,
            other.turns,
            dict(other.metadata),
            other.language,
        )

    @property
    def agent_name(self) -> str | None:
        """The human agent's name when the source names one (metadata ``agent`` or a speaker name)."""
        name = self.metadata.get("agent")
        if isinstance(name, str) and name:
            return name
        for turn in self.turns:
            if turn.is_agent and turn.speaker and resolve_role(turn.speaker) is None:
                return turn.speaker
        return None

    def merge_consecutive(self) -> Transcript:
        """A copy where consecutive turns by the same role and speaker are joined into one."""
        merged: list[Turn] = []
        for turn in self.turns:
            prev = merged[-1] if merged else None
            if prev is not None and prev.role is turn.role and prev.speaker == turn.speaker:
                end = turn.end if turn.end is not None else prev.end
                start = prev.start if prev.start is not None else turn.start
                text = f"{prev.text} {turn.text}".strip()
                merged[-1] = replace(prev, text=text, start=start, end=end)
            else:
                merged.append(turn)
        return replace(self, turns=tuple(merged))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "language": self.language,
            "metadata": _plain(self.metadata),
            "turns": [t.to_dict() for t in self.turns],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Transcript:
        """Inverse of ``to_dict``. For the looser native file format use ``coach.load``."""
        try:
            return cls(
                id=str(data["id"]),
                turns=tuple(Turn.from_dict(t) for t in data["turns"]),
                metadata=dict(data.get("metadata", {})),
                language=data.get("language", "en"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TranscriptError(
                f"not a Transcript dict ({exc!r})",
                source="<dict>",
                hint="use Transcript.to_dict() output, or coach.load() for files in the native format",
            ) from exc

    @classmethod
    def from_pairs(
        cls,
        pairs: Iterable[tuple[str, str]],
        *,
        id: str = "conversation",
        roles: Mapping[str, str | Role] | None = None,
        language: str = "en",
    ) -> Transcript:
        """Build from ``(speaker, text)`` pairs; speakers are resolved as in ``resolve_role``."""
        turns = []
        unknown: dict[str, list[str]] = {}
        for i, pair in enumerate(pairs):
            try:
                speaker, text = pair
            except (TypeError, ValueError):
                raise TranscriptError(
                    f"expected a (speaker, text) pair, got {pair!r}", source="<pairs>", turn=i
                ) from None
            if not isinstance(speaker, str) or not isinstance(text, str):
                raise TranscriptError(
                    "speaker and text must be strings", source="<pairs>", turn=i
                )
            role = resolve_role(speaker, roles)
            if role is None:
                unknown.setdefault(speaker, []).append(text)
                continue
            turns.append(Turn(role, text, speaker=speaker))
        if unknown:
            raise unresolved_roles(unknown, "<pairs>", unknown)
        return cls(id=id, turns=tuple(turns), language=language)


def unresolved_roles(labels: Iterable[str], source: str, said: Mapping[str, list[str]] | None = None) -> TranscriptError:
    """The error for speaker labels no alias or override maps to a role. ``said`` (each unknown
    label's turns) lets the hint suggest which speaker is the agent, for the user to check."""
    found = list(dict.fromkeys(labels))
    agent = likely_agent(said) if said and len(said) > 1 else None
    if agent is not None:
        shown = [agent, *(x for x in found if x != agent)][:3]
        mapping = {x: "agent" if x == agent else "customer" for x in shown}
        why = f" ({agent} talks like the agent; check it)"
    else:
        mapping = {x: "agent" if i == 0 else "customer" for i, x in enumerate(found[:2])} if len(found) > 1 else {found[0]: "agent"}
        why = " (or the other way round)" if len(found) > 1 else ""
    example = ", ".join(f'"{k}": "{v}"' for k, v in mapping.items())
    flags = " ".join(f"--role {_shell(f'{k}={v}')}" for k, v in mapping.items())
    return TranscriptError(
        f"cannot tell who is the agent and who is the customer: unknown speaker(s) {sorted(found)}",
        source=source,
        hint=f"map them with roles={{{example}}}{why}; on the CLI: {flags}",
    )


def likely_agent(said: Mapping[str, list[str]], lang: str = "en") -> str | None:
    """The one speaker who says most of what only agents say ("thanks for calling", "how can I help",
    "let me check"; ``coach/lang/<lang>/roles.json``); None when nobody does or two tie."""
    markers = _agent_markers(lang)
    counts = {label: sum(len(markers.findall(t.lower())) for t in texts[:_SAID]) for label, texts in said.items()}
    ranked = sorted(counts.values(), reverse=True)
    if not ranked or ranked[0] == 0 or (len(ranked) > 1 and ranked[1] == ranked[0]):
        return None
    return max(counts, key=lambda label: counts[label])


#: Turns per unknown speaker kept for ``likely_agent``.
_SAID = 20


@functools.cache
def _agent_markers(lang: str) -> re.Pattern[str]:
    from . import lang as _lang

    phrases = sorted(_lang.data(lang, "roles")["agent_markers"], key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p).replace("'", "['’]") for p in phrases) + r")\b")


def _shell(word: str) -> str:
    """``word`` as one shell argument (quoted as the README writes ``--role "Jane Smith=agent"``)."""
    return word if re.fullmatch(r"[\w.@=-]+", word) else '"' + re.sub(r'(["$`\\])', r"\\\1", word) + '"'



def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
