"""接龙 parse + match speed, adversarial pastes, and reading accuracy (run by hand; no database).

    .venv/bin/python bench/jielong_parse.py [--lines 300] [--members 2000] [--products 30] [--runs 15]
                                            [--skip speed,attack,corpus]

speed: times ``parser.parse_paste`` alone and parse + ``matching.match_line`` for every line
(what a preview does besides two small queries) over ``--runs`` runs, after one warm-up run
(median and worst). Target: parse_300_lines_p50_ms ≤ 200.

attack: 1 MB of adversarial text in several shapes (one long line, many long lines, nested
brackets, repeated separators, digit runs, 1 MB of ordinary lines) through ``parse_paste``,
which refuses it before reading (``PasteTooLarge``, a 400 on every paste endpoint): median of
5 per shape. Target < 200 ms each. Then the same shapes cut to the largest paste allowed
(100,000 characters) and read line by line with the limits bypassed, at half and full size:
the parser alone must stay linear (ratio ≈ 2, never ≈ 4).

corpus: the test corpus (tests/intake/jielong_corpus.json, realistic group-chat lines with
their expected reading) read against its store: share of order lines read exactly right,
and lines read wrongly but marked ready. Targets ≥ 97 % and 0.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.intake.matching import MemberIndex, MemberRef, ProductIndex, ProductRef, match_line  # noqa: E402
from workbench.intake.parser import (  # noqa: E402
    MAX_PASTE_CHARS,
    PasteTooLarge,
    parse_line,
    parse_paste,
    source_keys,
)

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
SUFFIXES = ["姐", "阿姨", "哥", "叔", "先生", "女士", "老师", "妈妈", ""]
FRUIT = ["蓝莓", "草莓", "车厘子", "阳光玫瑰葡萄", "砂糖橘", "丑橘", "猕猴桃", "火龙果", "芒果", "榴莲",
         "低糖酸奶", "原味酸奶", "鲜牛奶", "散养土鸡蛋", "五常大米", "土猪肉", "鸡腿", "虾仁", "带鱼", "豆腐",
         "青菜", "西红柿", "黄瓜", "土豆", "玉米", "红薯", "山药", "苹果", "香梨", "柚子"]
SIGNS = ["×", "x", "*", "X", "", " "]
UNITS = ["", "份", "盒", "斤", "个", "袋"]


def world(members: int, products: int, rng: random.Random):
    people = []
    for i in range(members):
        name = rng.choice(SURNAMES) + rng.choice(SUFFIXES)
        people.append(MemberRef(i + 1, name, f"13{rng.randrange(10 ** 9):09d}", f"{rng.randint(1, 20)}栋",
                                f"{rng.randint(1, 4)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}"))
    goods = [ProductRef(100 + i, 1000 + i, name, (name[-2:],) if len(name) > 2 else (), "500g/份", "份",
                        1990, 2490, f"SKU{i:05d}") for i, name in enumerate(FRUIT[:products])]
    return people, goods


def paste(lines: int, people: list[MemberRef], goods: list[ProductRef], rng: random.Random) -> str:
    out = ["#接龙", "周末水果团 周六下午提货", "例：1. 张三 3栋502 蓝莓×2", ""]
    for n in range(1, lines + 1):
        m = rng.choice(people)
        who = rng.choice([
            f"{m.name} {m.building}{m.room}",
            f"{m.name}{m.phone[-4:]}",
            f"{m.phone[:3]}****{m.phone[-4:]}",
            f"{m.name} 尾号{m.phone[-4:]}",
            f"{m.name} {m.building[:-1]}-{m.room.replace('单元', '-')}",
        ])
        items = " ".join(f"{rng.choice(goods).name}{rng.choice(SIGNS)}{rng.randint(1, 5)}{rng.choice(UNITS)}"
                         for _ in range(rng.randint(1, 3)))
        sep = rng.choice([". ", "、", "．", " "])
        out.append(f"{n}{sep}{who} {items}{rng.choice(['', ' 🍓', ' ✅'])}")
    return "\n".join(out)


MB = 1_000_000


def attack_shapes() -> dict[str, str]:
    """About 1 MB of text per shape, each aimed at a way a pattern can backtrack."""
    def fill(unit: str, head: str = "1. 张三 ") -> str:
        return head + unit * ((MB - len(head)) // len(unit))

    many = "".join(f"{n}. 张三 " + "宝宝小馒头婴儿洗衣液" * 200 + "\n" for n in range(1, 600))
    ordinary = "".join(f"{n}. 张姐 3栋1单元502 蓝莓×2 酸奶1\n" for n in range(1, 40000))
    # The worst a paste can be and still be read: every line just under the line limit.
    worst = ["宝宝小馒头婴儿洗衣液", "1234567890", "（【(《蓝莓2", "、；,+/|", "一二三两", "138****", "蓝莓 2 盒 "]
    allowed = "".join(f"{n}. 张三 " + (worst[n % len(worst)] * 60)[:480] + "\n" for n in range(1, 5000))
    return {
        "lines_at_the_limit": allowed[:MB],
        "one_long_line": fill("宝宝小馒头婴儿洗衣液"),
        "many_long_lines": many[:MB],
        "nested_brackets": fill("（【(《")[: MB // 2] + fill("》)】）", "")[: MB // 2],
        "repeated_separators": fill("、、；;,,++//||"),
        "digit_runs": fill("1234567890"),
        "spaces_and_signs": fill(" " * 50 + "×"),
        "ordinary_lines": ordinary[:MB],
    }


def _median_ms(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def attack(runs: int = 5) -> None:
    def refuse(text: str):
        try:
            return f"parsed {sum(1 for ln in parse_paste(text) if ln.is_order)} lines"
        except PasteTooLarge as exc:
            return f"refused ({exc.kind})"

    def unlimited(text: str) -> int:
        return sum(1 for raw in text.splitlines() if raw.strip() and parse_line(raw))

    for name, text in attack_shapes().items():
        for size, cut in (("1mb", text), ("100k", text[:MAX_PASTE_CHARS])):
            ms, outcome = _median_ms(lambda cut=cut: refuse(cut), runs)
            print(f"attack_{name}_{size}_ms: {ms:.1f} ({outcome})")
    # The whole preview's work on the worst paste that is read: parse and match every line
    # against a store of 2,000 members and 30 products.
    people, goods = world(2000, 30, random.Random(20261123))
    members, products = MemberIndex(people), ProductIndex(goods)
    worst = attack_shapes()["lines_at_the_limit"][:MAX_PASTE_CHARS]
    ms, n = _median_ms(lambda: len([match_line(ln, members, products) for ln in parse_paste(worst) if ln.is_order]),
                       runs)
    print(f"attack_lines_at_the_limit_100k_parse_and_match_ms: {ms:.1f} ({n} lines)")
    for name, text in attack_shapes().items():
        full = text[:MAX_PASTE_CHARS]
        half_ms, _ = _median_ms(lambda full=full: unlimited(full[: len(full) // 2]), runs)
        full_ms, _ = _median_ms(lambda full=full: unlimited(full), runs)
        print(f"parser_unlimited_{name}_100k_chars_ms: {full_ms:.1f} (50k: {half_ms:.1f}, "
              f"ratio {full_ms / max(half_ms, 0.01):.2f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=300)
    ap.add_argument("--members", type=int, default=2000)
    ap.add_argument("--products", type=int, default=30)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--skip", default="", help="comma-separated: speed, attack, corpus")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    if "speed" not in skip:
        speed(args)
    if "attack" not in skip:
        attack()
    if "corpus" not in skip:
        corpus()


def speed(args) -> None:
    rng = random.Random(20261123)
    people, goods = world(args.members, min(args.products, len(FRUIT)), rng)
    text = paste(args.lines, people, goods, rng)

    def parse_only() -> None:
        source_keys(1, parse_paste(text))

    def parse_and_match() -> tuple[int, int]:
        members, products = MemberIndex(people), ProductIndex(goods)
        lines = [ln for ln in parse_paste(text) if ln.is_order]
        source_keys(1, lines)
        matches = [match_line(ln, members, products) for ln in lines]
        return len(matches), sum(1 for m in matches if not m.problems)

    label = f"parse_{args.lines}_lines"
    for name, fn in ((label, parse_only), (f"{label}_and_match_{args.members}_members", parse_and_match)):
        fn()  # warm-up: regex compilation, imports
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - start) * 1000)
        print(f"{name}_p50_ms: {statistics.median(times):.1f}")
        print(f"{name}_max_ms: {max(times):.1f}")
    total, clean = result
    print(f"lines_matched_without_fixes: {clean}/{total}")


def corpus() -> None:
    from tests.intake.corpus import evaluate, load

    report = evaluate(load())
    print(f"corpus_lines: {report.lines} ({report.order_lines} order lines)")
    print(f"corpus_order_lines_read_right_pct: {100 * report.right / max(report.order_lines, 1):.1f} "
          f"({report.right}/{report.order_lines})")
    print(f"corpus_lines_flagged: {report.flagged}")
    print(f"corpus_wrong_but_ready: {report.wrong_ready}")
    for miss in report.misses:
        print(f"  miss: {miss}")


if __name__ == "__main__":
    main()
