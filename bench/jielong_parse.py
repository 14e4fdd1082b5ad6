"""接龙 parse + match speed (run by hand; no database): a 300-line paste against a store.

    .venv/bin/python bench/jielong_parse.py [--lines 300] [--members 2000] [--products 30] [--runs 15]

Times ``parser.parse_paste`` alone and parse + ``matching.match_line`` for every line (what a
preview does besides two small queries) over ``--runs`` runs, after one warm-up run, and
prints ``name: value`` lines (median and worst). Target: parse_300_lines_p50_ms ≤ 200.
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
from workbench.intake.parser import parse_paste, source_keys  # noqa: E402

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=300)
    ap.add_argument("--members", type=int, default=2000)
    ap.add_argument("--products", type=int, default=30)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
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


if __name__ == "__main__":
    main()
