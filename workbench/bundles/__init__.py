"""Bundles (组合): items bought together, mined from baskets as association rules.

``apriori`` and the CSV reader in ``baskets`` are pure; ``baskets.store_baskets`` reads a
store's orders; ``cli`` is ``flask bundles mine``.
"""

from workbench.bundles.apriori import Itemset, MiningResult, Rule, mine

__all__ = ["Itemset", "MiningResult", "Rule", "mine"]
