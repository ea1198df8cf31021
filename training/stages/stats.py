"""Check the labelled stage turns and print their counts as Markdown tables.

Usage (from the repository root)::

    python training/stages/stats.py                 # check, then print the tables
    python training/stages/stats.py --write-readme  # check, then refresh the table in README.md
    python training/stages/stats.py --check-readme  # check, and fail if README.md's table is stale

Checks: the schema of every row, labels in the allowed set, unique ids, no duplicate texts (after
lower-casing and dropping punctuation), and provenance: Harper Valley rows may only come from the five
calls reserved for training (never a `test` id, never one of the 40 development-set calls), MultiDoGO
rows only from `train` files or the DialogStudio examples, and nothing from ABCD. Exit status 1 when a
check fails, with one line per problem on stderr.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TURNS = HERE / "turns"
README = HERE / "README.md"
SHARED_DATA = HERE.parents[2] / "shared" / "data"

STAGES = ("reassure", "listen", "confirm", "fix", "follow_up")
DOMAINS = (
    "telecom", "banking", "travel", "retail", "utilities", "software",
    "insurance", "healthcare", "food_delivery", "public_services",
)
STYLES = ("chat", "voice")
REQUIRED = {"id", "text", "labels", "context", "position", "domain", "style", "source"}
OPTIONAL = {"context_source"}

# The last five Harper Valley train+dev ids (sorted). The first 40 belong to the development set,
# which another labeller builds; the `test` ids are evaluation-only.
HARPER_VALLEY_TRAINING_CALLS = frozenset({
    "0f87dc392db84250", "0f8c2e76e42f44ad", "4640c702d4b3414d", "b0d63ed287c04649", "ff0296d00e5e4184",
})
MULTIDOGO_FILES = re.compile(
    r"^(?:[a-z]+_train\.tsv\.gz|dialogstudio_multidogo_(?:converted|original)_examples\.json)$"
)
SOURCE = re.compile(
    r"^(?:written"
    r"|multidogo:(?P<md_file>[^:]+):(?P<md_conv>[^:]+):(?P<md_turn>\d+)"
    r"|harper_valley:(?P<hv_id>[0-9a-f]{16}):(?P<hv_seg>\d+(?:-\d+)?))$"
)
CONTEXT_SOURCE = re.compile(r"^multidogo:(?P<md_file>[^:]+):(?P<md_conv>[^:]+):(?P<md_turn>\d+)$")
README_BEGIN = "<!-- stats:begin -->"
README_END = "<!-- stats:end -->"


@dataclass(frozen=True)
class Turn:
    """One labelled agent turn as stored in a JSONL file (`where` = file:line)."""

    where: str
    row: dict


def normalise(text: str) -> str:
    """Lower-case, punctuation and emoji dropped, whitespace collapsed: the key for duplicate checks."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def source_kind(source: str) -> str:
    """`written`, `multidogo` or `harper_valley` (the part of `source` before the first colon)."""
    return source.split(":", 1)[0]


def load(turns_dir: Path = TURNS) -> list[Turn]:
    """Every row of every `*.jsonl` file under `turns_dir`, in file then line order."""
    out = []
    for path in sorted(turns_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if line.strip():
                    out.append(Turn(f"{path.name}:{number}", json.loads(line)))
    return out


def _row_problems(row: dict, file_name: str) -> list[str]:
    problems = []
    keys = set(row)
    if not keys >= REQUIRED or not keys <= REQUIRED | OPTIONAL:
        return [f"keys {sorted(keys)}: need {sorted(REQUIRED)} (+ optional {sorted(OPTIONAL)})"]
    if not isinstance(row["id"], str) or not row["id"]:
        problems.append("id must be a non-empty string")
    if not isinstance(row["text"], str) or not row["text"].strip():
        problems.append("text must be a non-empty string")
    if not isinstance(row["context"], str):
        problems.append("context must be a string")
    labels = row["labels"]
    if not isinstance(labels, list) or any(label not in STAGES for label in labels):
        problems.append(f"labels {labels!r} must be a list drawn from {STAGES}")
    elif labels != sorted(set(labels), key=STAGES.index):
        problems.append(f"labels {labels!r} must be unique and in stage order")
    position = row["position"]
    if isinstance(position, bool) or not isinstance(position, int | float) or not 0 <= position <= 1:
        problems.append(f"position {position!r} must be a number in [0, 1]")
    if row["domain"] not in DOMAINS:
        problems.append(f"domain {row['domain']!r} not in {DOMAINS}")
    if row["style"] not in STYLES:
        problems.append(f"style {row['style']!r} not in {STYLES}")
    problems += _source_problems(row, file_name)
    return problems


def _source_problems(row: dict, file_name: str) -> list[str]:
    source = row["source"]
    match = SOURCE.match(source) if isinstance(source, str) else None
    if match is None:
        return [f"source {source!r} is not written | multidogo:<file>:<conversation>:<turn> | "
                "harper_valley:<id>:<segment>"]
    problems = []
    if not file_name.startswith(source_kind(source) + "_"):
        problems.append(f"source {source!r} in {file_name}, which is not named <source>_<batch>.jsonl for it")
    if match["hv_id"] and match["hv_id"] not in HARPER_VALLEY_TRAINING_CALLS:
        problems.append(f"Harper Valley call {match['hv_id']} is not one of the five training calls")
    if match["md_file"] and not MULTIDOGO_FILES.match(match["md_file"]):
        problems.append(f"MultiDoGO file {match['md_file']!r} is not a train file or a DialogStudio example")
    if "context_source" in row:
        ctx = CONTEXT_SOURCE.match(str(row["context_source"]))
        if source != "written" or ctx is None or not MULTIDOGO_FILES.match(ctx["md_file"]):
            problems.append(f"context_source {row['context_source']!r} must name a MultiDoGO train turn "
                            "and only accompany written turns")
    if "abcd" in source.lower() or "abcd" in str(row.get("context_source", "")).lower():
        problems.append("ABCD is reserved for the development set")
    return problems


def split_problems(data_dir: Path = SHARED_DATA) -> list[str]:
    """Cross-check the five training calls against Harper Valley's split.json, when the data is present.

    They must be train/dev ids (never `test`) and exactly the last five of train+dev sorted (the
    development set takes the first forty).
    """
    split_path = data_dir / "harper_valley" / "split.json"
    if not split_path.is_file():
        return []
    split = json.loads(split_path.read_text(encoding="utf-8"))
    problems = []
    if HARPER_VALLEY_TRAINING_CALLS & set(split["test"]):
        problems.append("a Harper Valley training call is a test id")
    if set(sorted(split["train"] + split["dev"])[-5:]) != HARPER_VALLEY_TRAINING_CALLS:
        problems.append("the five training calls are not the last five sorted train+dev ids")
    return problems


def check(turns: list[Turn]) -> list[str]:
    """Every problem found in `turns` (empty when all is well), each prefixed by file:line."""
    problems = []
    ids: dict[str, str] = {}
    texts: dict[str, str] = {}
    for turn in turns:
        for problem in _row_problems(turn.row, turn.where.rsplit(":", 1)[0]):
            problems.append(f"{turn.where}: {problem}")
        row_id = turn.row.get("id")
        if row_id in ids:
            problems.append(f"{turn.where}: id {row_id!r} already used at {ids[row_id]}")
        ids.setdefault(row_id, turn.where)
        key = normalise(str(turn.row.get("text", "")))
        if key in texts:
            problems.append(f"{turn.where}: duplicate text of {texts[key]}: {turn.row.get('text')!r}")
        texts.setdefault(key, turn.where)
    return problems + split_problems()


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in
                                                                range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _counts(rows: list[dict]) -> list[object]:
    stage = collections.Counter(label for row in rows for label in row["labels"])
    none = sum(1 for row in rows if not row["labels"])
    multi = sum(1 for row in rows if len(row["labels"]) > 1)
    return [len(rows), *(stage[s] for s in STAGES), none, multi]


def tables(turns: list[Turn]) -> str:
    """The Markdown count tables (by source, domain, style and file) for `turns`."""
    rows = [turn.row for turn in turns]
    header = ["turns", *STAGES, "none", "multi-label"]

    def grouped(title: str, key, order=None) -> str:
        groups: dict[str, list[dict]] = collections.defaultdict(list)
        for row in rows:
            groups[key(row)].append(row)
        names = [name for name in (order or sorted(groups)) if name in groups]
        body = [[name, *_counts(groups[name])] for name in names] + [["**all**", *_counts(rows)]]
        return f"**By {title}**\n\n" + _table([title, *header], body)

    voice = sum(1 for row in rows if row["style"] == "voice")
    with_ctx = sum(1 for row in rows if row["context"].strip())
    words = sorted(len(row["text"].split()) for row in rows)
    summary = (f"{len(rows)} labelled agent turns; {voice} voice-style ({voice / len(rows):.0%}); "
               f"{with_ctx} with a non-empty customer context; text length {words[0]}–{words[-1]} words "
               f"(median {words[len(words) // 2]}).")
    files = collections.Counter(turn.where.rsplit(":", 1)[0] for turn in turns)
    mdctx = sum(1 for row in rows if "context_source" in row)
    return "\n\n".join([
        summary,
        grouped("source", lambda r: source_kind(r["source"]) + (" (MultiDoGO context)" if "context_source" in r else "")),
        grouped("domain", lambda r: r["domain"], DOMAINS),
        grouped("style", lambda r: r["style"], STYLES),
        "**By file**\n\n" + _table(["file", "turns"], [[name, n] for name, n in sorted(files.items())]),
        f"Written turns whose customer context is a real MultiDoGO customer turn: {mdctx}.",
    ])


def _readme_with(text: str, table: str) -> str:
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    return f"{head}{README_BEGIN}\n{table}\n{README_END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write-readme", action="store_true", help="refresh the table in README.md")
    mode.add_argument("--check-readme", action="store_true", help="fail if README.md's table is stale")
    args = parser.parse_args(argv)
    turns = load()
    problems = check(turns)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    table = tables(turns)
    if args.write_readme or args.check_readme:
        current = README.read_text(encoding="utf-8")
        wanted = _readme_with(current, table)
        if args.write_readme:
            README.write_text(wanted, encoding="utf-8")
        elif wanted != current:
            print("README.md's table is stale: run python training/stages/stats.py --write-readme",
                  file=sys.stderr)
            return 1
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
