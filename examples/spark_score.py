"""Score calls on Spark with coach, for data-lake users: JSONL in, one row per call out (Parquet).

    spark-submit examples/spark_score.py 's3a://lake/calls/2024-03-*.jsonl' s3a://lake/coach/scores.parquet
    python examples/spark_score.py calls.jsonl scores.parquet --master 'local[2]'

Each line is one call in coach's native format. Spark splits the files over its executors and
``mapInPandas`` hands each Python worker batches of lines; coach scores them in that worker
(``coach.batch.score_lines``, the same code as ``coach score``), building its analyser once per
worker. The rows have the columns of ``coach score`` (``coach.outputs.COLUMNS``); a bad line is an
error row, never a failed job. ``index`` counts lines within a batch, not within the file: identify
calls by ``id`` (and ``source``, the file they came from).

Needs pyspark, pandas and pyarrow on the driver, and coach-cx on every executor.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from coach.outputs import COLUMNS, flat_row

COLUMN_NAMES = [c.name for c in COLUMNS]

_SPARK_TYPES = {
    "str": "string",
    "int": "bigint",
    "float": "double",
    "bool": "boolean",
    "ints": "array<bigint>",
    "strs": "array<string>",
    "json": "string",  # JSON text, as in Parquet output
}

#: The output schema as a Spark DDL string.
SCHEMA = ", ".join(f"`{c.name}` {_SPARK_TYPES[c.kind]}" for c in COLUMNS)


def score_partition(batches: Iterator[Any]) -> Iterator[Any]:
    """For ``mapInPandas``: pandas batches with a ``value`` column (one JSONL line each) and,
    optionally, a ``source`` column, to batches of coach rows."""
    import pandas as pd

    from coach.batch import score_lines

    for batch in batches:
        sources = batch["source"] if "source" in batch else ["<spark>"] * len(batch)
        rows = []
        for source, group in groupby(zip(sources, batch["value"], strict=True), key=itemgetter(0)):
            rows += [flat_row(row) for row in score_lines((line for _, line in group), source=source)]
        yield pd.DataFrame(rows, columns=COLUMN_NAMES)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Score JSONL calls with coach on Spark.")
    parser.add_argument("input", help="JSONL files (a path, folder or glob Spark can read)")
    parser.add_argument("output", help="Parquet folder to write")
    parser.add_argument("--master", help="Spark master, e.g. local[2] (default: from spark-submit)")
    args = parser.parse_args(argv)

    from pyspark.sql import SparkSession
    from pyspark.sql.functions import input_file_name

    builder = SparkSession.builder.appName("coach-score")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        lines = spark.read.text(args.input).withColumn("source", input_file_name())
        scores = lines.mapInPandas(score_partition, schema=SCHEMA)
        scores.write.mode("overwrite").parquet(args.output)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
