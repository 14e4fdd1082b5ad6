"""The parser and matching on 200+ lines as members write them in WeChat groups.

Every line of jielong_corpus.json has its expected reading. Targets (issue 15): at least
97 % of order lines read exactly right, and **no** line read wrongly but marked ready:
a line the parser is not sure of must be flagged, never guessed.
"""

from __future__ import annotations

import pytest

from tests.intake.corpus import evaluate, load, read, right, wrong_but_ready

CORPUS = load()


def test_the_corpus_is_big_and_varied():
    assert len(CORPUS.lines) >= 200
    kinds = {row["expect"] for row in CORPUS.lines}
    assert kinds == {"ready", "flag", "ignored"}


@pytest.mark.parametrize("row", CORPUS.lines, ids=[row["line"][:24] for row in CORPUS.lines])
def test_never_wrong_but_ready(row):
    got = read(CORPUS, row["line"])
    assert not wrong_but_ready(row, got), f"{row['line']}: read as {got}"


def test_accuracy_on_order_lines():
    report = evaluate(CORPUS)
    assert report.wrong_ready == 0
    assert report.right / report.order_lines >= 0.97, "\n".join(report.misses)


@pytest.mark.parametrize("row", [r for r in CORPUS.lines if r["expect"] == "flag"][:12],
                         ids=lambda r: r["line"][:24])
def test_flagged_lines_say_why(row):
    got = read(CORPUS, row["line"])
    assert right(row, got) and got.problems
