"""The Apriori miner: a hand-computed example, exact agreement with mlxtend, thresholds, speed."""

from __future__ import annotations

import random
import time
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mlxtend.frequent_patterns import apriori, association_rules

from workbench.bundles import apriori as miner
from workbench.bundles.apriori import Itemset, Rule, min_count_for, mine

# The textbook supermarket example; every figure below was worked out by hand.
SHOP = [
    ["bread", "milk"],
    ["bread", "diaper", "beer", "eggs"],
    ["milk", "diaper", "beer", "cola"],
    ["bread", "milk", "diaper", "beer"],
    ["bread", "milk", "diaper", "cola"],
]


def _rule(antecedent, consequent, count, base, consequent_count, n=5):
    """The expected rule: figures as the standard computes them (ratios of supports),
    each checked against the exact fraction worked out by hand."""
    support = count / n
    confidence = (support * n) / ((base / n) * n)
    lift = confidence / (consequent_count / n)
    assert confidence == pytest.approx(float(Fraction(count, base)), rel=1e-15)
    assert lift == pytest.approx(float(Fraction(count * n, base * consequent_count)), rel=1e-15)
    return Rule(tuple(antecedent), consequent, support, confidence, lift, count)


def test_hand_example_itemsets():
    result = mine(SHOP, min_support=0.4, min_confidence=0.6)
    assert result.n_baskets == 5
    # Counts ≥ 2 of 5 baskets; eggs (1) is out, and so are bread+cola and beer+cola (1 each);
    # bread+milk+beer is a candidate with 1 basket; bread+milk+cola is pruned (bread+cola).
    expected = {
        ("beer",): 3, ("bread",): 4, ("cola",): 2, ("diaper",): 4, ("milk",): 4,
        ("beer", "bread"): 2, ("beer", "diaper"): 3, ("beer", "milk"): 2, ("bread", "diaper"): 3,
        ("bread", "milk"): 3, ("cola", "diaper"): 2, ("cola", "milk"): 2, ("diaper", "milk"): 3,
        ("beer", "bread", "diaper"): 2, ("beer", "diaper", "milk"): 2, ("bread", "diaper", "milk"): 2,
        ("cola", "diaper", "milk"): 2,
    }
    assert result.itemsets == [Itemset(items, count / 5, count) for items, count in expected.items()]


def test_hand_example_rules_in_order():
    result = mine(SHOP, min_support=0.4, min_confidence=0.6)
    c = {"beer": 3, "bread": 4, "cola": 2, "diaper": 4, "milk": 4}
    expected = [
        # lift 5/3: milk and diaper together → cola, 2 of 3 baskets, cola in 2 of 5
        _rule(["diaper", "milk"], "cola", 2, 3, c["cola"]),
        # lift 5/4, confidence 1, support 3/5 first, then support 2/5 by items
        _rule(["beer"], "diaper", 3, 3, c["diaper"]),
        _rule(["beer", "bread"], "diaper", 2, 2, c["diaper"]),
        _rule(["beer", "milk"], "diaper", 2, 2, c["diaper"]),
        _rule(["cola"], "diaper", 2, 2, c["diaper"]),
        _rule(["cola"], "milk", 2, 2, c["milk"]),
        _rule(["cola", "diaper"], "milk", 2, 2, c["milk"]),
        _rule(["cola", "milk"], "diaper", 2, 2, c["diaper"]),
        _rule(["diaper"], "beer", 3, 4, c["beer"]),  # lift 5/4 but confidence 3/4
        # lift 10/9
        _rule(["bread", "diaper"], "beer", 2, 3, c["beer"]),
        _rule(["diaper", "milk"], "beer", 2, 3, c["beer"]),
        # lift 15/16: the pairs among bread, milk and diaper (3 of 4)
        _rule(["bread"], "diaper", 3, 4, c["diaper"]),
        _rule(["bread"], "milk", 3, 4, c["milk"]),
        _rule(["diaper"], "bread", 3, 4, c["bread"]),
        _rule(["diaper"], "milk", 3, 4, c["milk"]),
        _rule(["milk"], "bread", 3, 4, c["bread"]),
        _rule(["milk"], "diaper", 3, 4, c["diaper"]),
        # lift 5/6
        _rule(["beer"], "bread", 2, 3, c["bread"]),
        _rule(["beer"], "milk", 2, 3, c["milk"]),
        _rule(["beer", "diaper"], "bread", 2, 3, c["bread"]),
        _rule(["beer", "diaper"], "milk", 2, 3, c["milk"]),
        _rule(["bread", "diaper"], "milk", 2, 3, c["milk"]),
        _rule(["bread", "milk"], "diaper", 2, 3, c["diaper"]),
        _rule(["diaper", "milk"], "bread", 2, 3, c["bread"]),
    ]
    assert result.rules == expected
    # bread → beer, milk → beer, milk → cola and diaper → cola have confidence 1/2 < 0.6.
    assert not any(r.antecedent == ("milk",) and r.consequent == "cola" for r in result.rules)


def test_max_len_and_duplicates_and_empty_input():
    assert [s.items for s in mine(SHOP, 0.4, 0.6, max_len=1).itemsets] == [
        ("beer",), ("bread",), ("cola",), ("diaper",), ("milk",)]
    assert mine(SHOP, 0.4, 0.6, max_len=1).rules == []
    assert max(len(s.items) for s in mine(SHOP, 0.2, 0.1, max_len=2).itemsets) == 2
    # An item twice in a basket counts once.
    doubled = mine([["a", "a", "b"], ["a"]], 0.5, 0.5)
    assert [(s.items, s.count) for s in doubled.itemsets] == [(("a",), 2), (("b",), 1), (("a", "b"), 1)]
    empty = mine([], 0.5, 0.5)
    assert (empty.rules, empty.itemsets, empty.n_baskets) == ([], [], 0)
    # Empty baskets still count in the denominator, as mlxtend's all-False rows do.
    assert mine([["a"], [], []], 0.3, 0.5).itemsets == [Itemset(("a",), 1 / 3, 1)]
    assert mine([["a"], [], [], []], 0.3, 0.5).itemsets == []


def test_items_of_mixed_types_and_generators():
    result = mine([[1, "1"], (x for x in (1, "1")), [2]], 0.5, 0.5)
    # 1 and "1" do not compare; they are ordered by type name, then repr.
    assert [s.items for s in result.itemsets] == [(1,), ("1",), (1, "1")]
    assert len(result.rules) == 2


def test_a_string_is_not_a_basket():
    with pytest.raises(TypeError, match="not a string"):
        mine(["abc", ["a"]], 0.5, 0.5)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"min_support": 0.0}, "min_support"),
    ({"min_support": 1.01}, "min_support"),
    ({"min_support": float("nan")}, "min_support"),
    ({"min_confidence": 0.0}, "min_confidence"),
    ({"min_confidence": 2.0}, "min_confidence"),
    ({"max_len": 0}, "max_len"),
    ({"max_len": 2.5}, "max_len"),
])
def test_bad_parameters(kwargs, message):
    args = {"min_support": 0.5, "min_confidence": 0.5, **kwargs}
    with pytest.raises(ValueError, match=message):
        mine(SHOP, **args)


# --------------------------------------------------------------------------- thresholds


def test_min_count_is_the_float_boundary():
    # 0.07 × 100 is 7.000000000000001 in floats, so a naive ceil says 8; but 7/100 == 0.07.
    assert 0.07 * 100 > 7 and 7 / 100 == 0.07
    assert min_count_for(0.07, 100) == 7
    # 0.1 + 0.2 is a hair above 0.3, and 3/10 is not ≥ it: mlxtend says the same.
    assert min_count_for(0.1 + 0.2, 10) == 4
    assert min_count_for(0.3, 10) == 3
    assert min_count_for(1.0, 7) == 7
    assert min_count_for(1e-12, 7) == 1
    for n in range(1, 120):
        for s in (0.01, 0.07, 0.1, 0.15, 0.2, 0.3, 1 / 3, 0.35, 0.6, 0.7, 0.9, 1.0):
            c = min_count_for(s, n)
            assert c / n >= s if c <= n else n / n < s
            assert c == 0 or (c - 1) / n < s


@pytest.mark.parametrize(("min_support", "kept"), [(0.07, True), (0.0700000000000001, False)])
def test_support_exactly_at_the_threshold(min_support, kept):
    baskets = [["a", "b"]] * 7 + [["c"]] * 93
    result = mine(baskets, min_support, 0.5)
    assert (("a", "b") in {s.items for s in result.itemsets}) is kept
    assert_agrees_with_mlxtend(baskets, min_support, 0.5, 3)


def test_confidence_on_the_threshold_follows_the_standard_arithmetic():
    # 15 of the 20 baskets with a hold b: confidence 3/4, which from supports,
    # (15/22·22)/(20/22·22), is 0.7499999999999999. mlxtend drops the rule at 0.75; so do we.
    baskets = [["a", "b"]] * 15 + [["a"]] * 5 + [["c"]] * 2
    assert (("a",), "b") not in {(r.antecedent, r.consequent) for r in mine(baskets, 0.05, 0.75).rules}
    assert (("a",), "b") not in _mlxtend(baskets, 0.05, 0.75, 3)[1]
    kept = {(r.antecedent, r.consequent): r for r in mine(baskets, 0.05, 0.7499999999999999).rules}
    assert kept[(("a",), "b")].confidence == (15 / 22 * 22) / (20 / 22 * 22) == 0.7499999999999999


# --------------------------------------------------------------------------- mlxtend


def _mlxtend(baskets, min_support, min_confidence, max_len):
    """mlxtend's frequent itemsets {sorted items: support} and single-consequent rules."""
    items = sorted({i for b in baskets for i in b})
    if not items:  # mlxtend cannot take a frame without columns
        return {}, {}
    frame = pd.DataFrame([[i in set(b) for i in items] for b in baskets], columns=items, dtype=bool)
    frequent = apriori(frame, min_support=min_support, use_colnames=True, max_len=max_len)
    itemsets = {tuple(sorted(s)): support for s, support in zip(frequent.itemsets, frequent.support,
                                                                  strict=True)}
    rules = {}
    if len(frequent):
        table = association_rules(frequent, num_itemsets=len(baskets), metric="confidence",
                                  min_threshold=min_confidence,
                                  return_metrics=["support", "confidence", "lift"])
        for a, c, support, confidence, lift in zip(table.antecedents, table.consequents, table.support,
                                                   table.confidence, table.lift, strict=True):
            if len(c) == 1:
                rules[(tuple(sorted(a)), next(iter(c)))] = (support, confidence, lift)
    return itemsets, rules


def assert_agrees_with_mlxtend(baskets, min_support, min_confidence, max_len) -> None:
    """Same itemsets, rules and figures as mlxtend, float for float, thresholds included."""
    result = mine(baskets, min_support, min_confidence, max_len)
    ref_itemsets, ref_rules = _mlxtend(baskets, min_support, min_confidence, max_len)
    assert {s.items: s.support for s in result.itemsets} == ref_itemsets
    got = {(r.antecedent, r.consequent): (r.support, r.confidence, r.lift) for r in result.rules}
    assert got == ref_rules
    n = len(baskets)
    assert all(r.count == round(r.support * n) for r in result.rules)
    # Best lift first, then confidence, support, items.
    order = [(-r.lift, -r.confidence, -r.support, r.antecedent, r.consequent) for r in result.rules]
    assert order == sorted(order)


def _random_baskets(rng: random.Random, n: int, n_items: int, longest: int) -> list[list[int]]:
    weights = [1 / (i + 1) for i in range(n_items)]  # a few popular items, a long tail
    return [rng.choices(range(n_items), weights, k=rng.randint(0, longest)) for _ in range(n)]


@pytest.fixture(params=["auto", "horizontal", "vertical"])
def counting(request, monkeypatch):
    """Run a test with the cost model's choice, and with each counting path forced."""
    if request.param != "auto":
        forced = request.param == "horizontal"
        monkeypatch.setattr(miner, "_horizontal_cheaper", lambda *args: forced)
    return request.param


def test_agrees_with_mlxtend_on_seeded_random_baskets(counting):
    rng = random.Random(20260523)
    for _ in range(40):
        baskets = _random_baskets(rng, rng.randint(1, 120), rng.randint(1, 15), rng.choice([2, 4, 8]))
        n = len(baskets)
        # Thresholds that are exact count ratios hit the ≥ boundaries on purpose.
        min_support = rng.choice([rng.randint(1, n) / n, rng.uniform(0.01, 0.5), 0.05, 0.1, 1.0])
        min_confidence = rng.choice([rng.randint(1, 4) / rng.randint(4, 8), rng.uniform(0.05, 1), 0.5, 1.0])
        assert_agrees_with_mlxtend(baskets, min_support, min(min_confidence, 1.0), rng.randint(1, 5))


@settings(max_examples=80, deadline=None)
@given(baskets=st.lists(st.lists(st.sampled_from("abcdefg"), max_size=6), min_size=1, max_size=40),
       min_support=st.one_of(st.sampled_from([0.05, 0.1, 0.25, 0.5, 1.0]), st.floats(0.01, 1.0)),
       min_confidence=st.one_of(st.sampled_from([0.5, 2 / 3, 0.75, 1.0]), st.floats(0.01, 1.0)),
       max_len=st.integers(1, 4))
def test_agrees_with_mlxtend_property(baskets, min_support, min_confidence, max_len):
    assert_agrees_with_mlxtend(baskets, min_support, min_confidence, max_len)


def test_agrees_with_mlxtend_on_a_larger_store(counting):
    rng = random.Random(7)
    baskets = _random_baskets(rng, 3000, 60, 7)
    for b in baskets[::9]:
        b += [3, 17, 42]  # a planted bundle
    for min_support, min_confidence in [(0.002, 0.1), (0.01, 0.3), (0.05, 0.5)]:
        assert_agrees_with_mlxtend(baskets, min_support, min_confidence, 3)


# --------------------------------------------------------------------------- speed


def test_100k_baskets_of_300_items_in_seconds():
    rng = random.Random(11)
    weights = [1 / (i + 1) ** 0.8 for i in range(300)]
    baskets = [rng.choices(range(300), weights, k=rng.randint(1, 5)) for _ in range(100_000)]
    for b in baskets[::25]:
        b += [5, 50, 150]
    started = time.perf_counter()
    result = mine(baskets, 0.001, 0.1)
    seconds = time.perf_counter() - started
    print(f"100k baskets: {len(result.itemsets)} itemsets, {len(result.rules)} rules, {seconds:.2f}s")
    assert seconds < 10
    assert result.rules[0].count >= 4000  # the planted triple leads
    assert set(result.rules[0].antecedent) | {result.rules[0].consequent} <= {5, 50, 150}


def test_many_frequent_pairs_stay_fast():
    # Uniform baskets of 10: every one of the 44,850 pairs is frequent, so Apriori has
    # 4.5 million triple candidates; counting the baskets' own triples avoids them.
    rng = random.Random(3)
    baskets = [rng.sample(range(300), 10) for _ in range(20_000)]
    started = time.perf_counter()
    result = mine(baskets, 0.0005, 0.5)
    assert time.perf_counter() - started < 10
    assert sum(len(s.items) == 2 for s in result.itemsets) > 44_000  # of 44,850 pairs
