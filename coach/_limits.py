"""Bounds of the per-process caches: a batch worker or a server lives for millions of turns, and
order numbers, names and typos make the stream of distinct words endless. Each cache forgets
everything when full (cheap, and safe when threads share it); these sizes keep a worker's memory
flat under 500 MB while the common words and scripted lines stay cached."""

#: distinct words each per-word cache keeps (frequency lookups, word features, normal forms …)
WORDS = 1 << 14
#: distinct turn texts each per-text cache keeps (analyses, scores, paraphrases …)
TEXTS = 2048
