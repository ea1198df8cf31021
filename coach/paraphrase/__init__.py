"""Confirming paraphrases: what the agent can say back, and recognising when they did.

::

    from coach.paraphrase import paraphrase, Paraphraser
    paraphrase("Hi, um, I lost my debit card. Can you send me a new one?", n=1)
    # ["So you lost your debit card, and you'd like us to send you a new one — is that right?"]

    p = Paraphraser("en")
    p.suggest(text, n=3, variant=0)        # [Suggestion(text, score, core), ...]
    p.states_problem(text)                  # is this customer turn worth confirming?
    prepared = p.prepare(customer_text)     # cache per customer turn
    p.match(agent_text, [(4, prepared)])    # ConfirmMatch(turn, score, start, end, parroting, reason) | None
    shift_perspective("I lost my card")     # "You lost your card"

The language knowledge (pronoun map with verb agreement, fillers, greetings, frames, request patterns,
cue words, lemma table) is data in ``coach/lang/<lang>/paraphrase_*``.
"""

from ._match import ConfirmMatch, Prepared
from ._paraphraser import Paraphraser, Suggestion, paraphrase
from .perspective import shift_perspective

__all__ = ["ConfirmMatch", "Paraphraser", "Prepared", "Suggestion", "paraphrase", "shift_perspective"]
