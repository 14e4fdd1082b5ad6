"""Which member and which campaign product a parsed line means. Pure: plain lists in, plain results out.

Members are matched on everything the line says at once — phone tail, name, building and
room — so "张姐 3栋502" picks the 张姐 of building 3 when the store has two. Products go
exact name → alias → containment → fuzzy (rapidfuzz), and two products scoring close is
reported as ambiguous rather than guessed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from workbench.intake.parser import Address, ItemText, ParsedLine

#: Items read on one line at most (a line asking for more is flagged).
MAX_ITEMS = 20
#: Below this fuzzy score a product is not suggested at all.
FUZZY_THRESHOLD = 60
#: Two fuzzy candidates closer than this are ambiguous.
FUZZY_MARGIN = 8
#: Between this and the threshold a product is offered as a guess but never chosen: a
#: one-character typo in a two-character name ("兰莓" for "蓝莓") scores 50.
GUESS_FLOOR = 45


@dataclass(frozen=True)
class MemberRef:
    id: int
    name: str
    phone: str
    building: str = ""  # the building's name, e.g. "3栋"
    room: str = ""  # e.g. "1单元502"


@dataclass(frozen=True)
class ProductRef:
    id: int  # campaign_product id
    product_id: int
    name: str
    aliases: tuple[str, ...] = ()
    spec: str = ""
    unit: str = ""
    group_price_fen: int = 0
    list_price_fen: int = 0
    sku: str = ""


@dataclass
class MemberMatch:
    member: MemberRef | None = None
    candidates: list[MemberRef] = field(default_factory=list)  # when ambiguous
    #: "matched", "ambiguous", "new" (a full phone nobody has), "needs_phone" (name +
    #: address but no phone: a new member needs one), "conflict" (the address or tail
    #: points at a member whose name is not the one written), "none" (nothing to go on)
    status: str = "none"
    written_name: str = ""  # the name on the line, for the conflict message
    how: str = ""  # what matched: "phone", "tail+name", …

    @property
    def ok(self) -> bool:
        return self.status in ("matched", "new")


@dataclass
class ItemMatch:
    written: ItemText
    product: ProductRef | None = None
    quantity: int = 1
    how: str = ""  # "name", "alias", "contains", "corrected" (a one-character slip), "fuzzy", "sku", "note"
    score: float = 0.0
    candidates: list[ProductRef] = field(default_factory=list)  # when ambiguous / best guesses
    spec_note: str = ""  # "30枚" read as one 30枚/盒 box

    @property
    def status(self) -> str:
        if self.product is not None:
            return "matched"
        return "ambiguous" if len(self.candidates) > 1 else "none"


def _digits(text: str) -> str:
    return "".join(re.findall(r"\d+", text))


def _room_parts(room: str) -> tuple[str, str]:
    """"1单元502" → ("1", "502"); "502" → ("", "502")."""
    m = re.match(r"\s*(?:(\d+)\s*单元)?\s*-?\s*(\d+)", room or "")
    return (m.group(1) or "", m.group(2)) if m else ("", "")


def _norm_name(name: str) -> str:
    return "".join((name or "").split()).lower()


#: How people are called in a group chat: a surname and one of these ("张姐", "王阿姨", "李老师").
HONORIFICS = ("阿姨", "叔叔", "先生", "女士", "小姐", "老师", "妈妈", "宝妈", "奶奶", "爷爷", "大姐", "大哥", "阿婆",
              "阿公", "姐", "哥", "姨", "叔", "婶", "伯", "妹", "弟", "嫂", "总", "工", "师傅", "太太", "爸")


def name_agreement(written: str, member: str) -> str:
    """How the name on a line fits a member's name: "exact", "partial", "surname" or "" (it does not).

    "张姐" fits 张秀英 by surname, "秀英" fits her partially; "张姐" does not fit 徐福生, and
    a line naming one person must never be given to another on its address alone.
    """
    w, m = _norm_name(written), _norm_name(member)
    if not w or not m:
        return ""
    if w == m:
        return "exact"
    if len(w) >= 2 and len(m) >= 2 and (w in m or m in w):
        return "partial"
    stem = w[1:] if len(w) >= 2 and w[0] in "小老阿" else w  # 小王, 老李, 阿珍
    for honorific in HONORIFICS:
        if stem.endswith(honorific) and len(stem) > len(honorific):
            stem = stem[: -len(honorific)]
            break
    if stem and (m.startswith(stem) or (len(stem) == 1 and stem in m)):
        return "surname"
    return ""


class MemberIndex:
    """The store's members, indexed once per paste so 300 lines do not scan them 300 times."""

    def __init__(self, members: list[MemberRef]) -> None:
        self.members = members
        self.by_phone: dict[str, MemberRef] = {}
        self.by_tail: dict[str, list[MemberRef]] = defaultdict(list)
        self.by_name: dict[str, list[MemberRef]] = defaultdict(list)
        self.by_address: dict[tuple[str, str], list[MemberRef]] = defaultdict(list)
        self.by_room: dict[str, list[MemberRef]] = defaultdict(list)  # a room written without its building
        #: Normalised once: a line naming nobody is compared with every member's name.
        self.norm_names = [(_norm_name(m.name), m) for m in members]
        for m in members:
            self.by_phone[m.phone] = m
            self.by_tail[m.phone[-4:]].append(m)
            self.by_name[_norm_name(m.name)].append(m)
            _unit, room = _room_parts(m.room)
            self.by_address[(_digits(m.building), room)].append(m)
            if room:
                self.by_room[room].append(m)

    def match(self, name: str, phone: str, tail: str, address: Address | None) -> MemberMatch:
        if phone:
            if phone in self.by_phone:
                return MemberMatch(self.by_phone[phone], status="matched", how="phone")
            return MemberMatch(status="new", how="phone")
        name_key = _norm_name(name)
        candidates: dict[int, MemberRef] = {}
        for m in self.by_tail.get(tail, []) if tail else []:
            candidates[m.id] = m
        for m in self.by_name.get(name_key, []) if name_key else []:
            candidates[m.id] = m
        if address and address.room:
            found = (self.by_address.get((address.building, address.room), []) if address.building
                     else self.by_room.get(address.room, []))
            for m in found:
                candidates[m.id] = m
        if not candidates and name_key and len(name_key) >= 2:
            # "张姐" for "张姐(3栋)", "王阿姨" for "王阿姨": containment either way.
            for other, m in self.norm_names:
                if other and (name_key in other or other in name_key):
                    candidates[m.id] = m
        scored = sorted(((self._score(m, name_key, tail, address), m) for m in candidates.values()),
                        key=lambda pair: -pair[0][0])
        scored = [(s, m) for s, m in scored if s[0] > 0]
        if not scored:
            if name_key and address and address.room:
                return MemberMatch(status="needs_phone")
            return MemberMatch(status="none")
        best_score, best = scored[0]
        ties = [m for s, m in scored if s[0] >= best_score[0] - 0.5]
        if len(ties) > 1:
            return MemberMatch(candidates=ties[:6], status="ambiguous", written_name=name)
        if name_key and not name_agreement(name_key, best.name):
            # The address or the tail points at someone the line does not name: flag, never guess.
            # Offer who the address points at, and anyone of the written name (at another address).
            offered = {m.id: m for _s, m in scored} | {m.id: m for m in self.by_name.get(name_key, [])}
            return MemberMatch(candidates=list(offered.values())[:6], status="conflict", how=best_score[1],
                               written_name=name)
        return MemberMatch(best, status="matched", how=best_score[1])

    @staticmethod
    def _score(m: MemberRef, name_key: str, tail: str, address: Address | None) -> tuple[float, str]:
        """Agreement minus contradiction; a written tail that differs rules the member out."""
        score, how = 0.0, []
        if tail:
            if m.phone.endswith(tail):
                score += 3
                how.append("tail")
            else:
                return (0.0, "")
        if name_key:
            agreement = name_agreement(name_key, m.name)
            if agreement == "exact":
                score += 2
                how.append("name")
            elif agreement == "partial":
                score += 1
                how.append("name~")
            elif agreement == "surname":
                score += 0.25
            else:
                score -= 1  # named as someone else: never preferred over a member the name fits
        if address is not None:
            building_ok = (_digits(m.building) == address.building if m.building and address.building else None)
            unit, room = _room_parts(m.room)
            if building_ok is False:
                score -= 2
            elif address.room and room:
                if room == address.room and (not address.unit or not unit or unit == address.unit):
                    score += 2
                    how.append("room")
                else:
                    score -= 2
            elif building_ok:
                score += 0.5
        return (score, "+".join(how))


class ProductIndex:
    """The campaign's products with their names and aliases normalised once."""

    def __init__(self, products: list[ProductRef]) -> None:
        self.products = products
        self.exact: dict[str, list[tuple[ProductRef, str]]] = defaultdict(list)
        self.names: list[tuple[str, ProductRef, str]] = []  # (normalised word, product, "name"/"alias")
        for p in products:
            self._add(p.name, p, "name")
            for alias in p.aliases:
                self._add(alias, p, "alias")
            if p.sku:
                self.exact[p.sku.lower()].append((p, "sku"))

    def _add(self, word: str, p: ProductRef, how: str) -> None:
        key = _norm_name(word)
        if key:
            self.exact[key].append((p, how))
            self.names.append((key, p, how))

    def find(self, text: str) -> tuple[ProductRef | None, str, float, list[ProductRef]]:
        """(product, how, score, candidates): one product, or None with the candidates to pick from."""
        key = _norm_name(text)
        if not key:
            return None, "", 0.0, []
        if hits := _unique(self.exact.get(key, [])):
            if len(hits) == 1:
                return hits[0][0], hits[0][1], 100.0, []
            return None, "", 100.0, [p for p, _ in hits]
        # A product word inside what was written ("新鲜蓝莓") or what was written inside a
        # product's name ("酸奶" in "低糖酸奶"): the longest such word wins, ties are ambiguous.
        contained = [(len(word), p) for word, p, _ in self.names
                     if len(key) >= 2 and (word in key or key in word)]
        if contained:
            best_len = max(n for n, _ in contained)
            best = _unique_products([p for n, p in contained if n == best_len])
            if len(best) == 1:
                return best[0], "contains", 90.0, []
            return None, "", 90.0, best
        slipped = _unique_products([p for word, p, _ in self.names if one_slip(key, word)])
        if len(slipped) == 1:
            return slipped[0], "corrected", 95.0, []
        if slipped:
            return None, "", 95.0, slipped[:4]
        scores: dict[int, tuple[float, ProductRef]] = {}
        for word, p, _ in self.names:
            s = max(fuzz.ratio(key, word), fuzz.token_set_ratio(key, word))
            if s > scores.get(p.id, (0.0, p))[0]:
                scores[p.id] = (s, p)
        ranked = sorted(scores.values(), key=lambda sp: -sp[0])
        if not ranked or ranked[0][0] < GUESS_FLOOR:
            return None, "", 0.0, []
        top = ranked[0][0]
        close = [p for s, p in ranked if s >= top - FUZZY_MARGIN]
        if top >= FUZZY_THRESHOLD and len(close) == 1:
            return ranked[0][1], "fuzzy", top, []
        # Not sure enough: offer the best guesses, most likely first.
        return None, "", top, close[:4] if len(close) > 1 else [ranked[0][1]]

    def suffix_split(self, text: str) -> tuple[str, ProductRef, str] | None:
        """"张姐蓝莓" → ("张姐", 蓝莓): a name written flush against a product word."""
        key = _norm_name(text)
        for word, p, how in sorted(self.names, key=lambda t: -len(t[0])):
            if len(key) > len(word) and key.endswith(word):
                return text[: len(text) - len(word)], p, how
        return None


def _sounds(ch: str) -> str:
    return lazy_pinyin(ch)[0]


def one_slip(written: str, word: str) -> bool:
    """Whether ``written`` is ``word`` with one character mistyped, dropped or doubled.

    A wrong character counts only when it sounds the same (兰莓 for 蓝莓: the phone keyboard
    offered the wrong one) or the word is long enough that three characters still agree
    (阳光玫瑰葡菊); a dropped or extra character needs two characters left that agree.
    Otherwise 酸奶 would become 酸枣.
    """
    if len(written) < 2 or abs(len(written) - len(word)) > 1 or written == word:
        return False
    if Levenshtein.distance(written, word, score_cutoff=1) > 1:
        return False
    if len(written) != len(word):
        return min(len(written), len(word)) >= 2
    if len(word) >= 4:
        return True
    (a, b), = [(x, y) for x, y in zip(written, word, strict=True) if x != y]
    return _sounds(a) == _sounds(b) and not a.isascii()


def _unique(hits: list[tuple[ProductRef, str]]) -> list[tuple[ProductRef, str]]:
    seen, out = set(), []
    for p, how in hits:
        if p.id not in seen:
            seen.add(p.id)
            out.append((p, how))
    return out


def _unique_products(products: list[ProductRef]) -> list[ProductRef]:
    seen, out = set(), []
    for p in products:
        if p.id not in seen:
            seen.add(p.id)
            out.append(p)
    return out


_SPEC_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([^\d\s/×*]+)")


#: Grams in one of each weight unit members write or a spec uses.
GRAMS = {"g": 1, "克": 1, "kg": 1000, "公斤": 1000, "千克": 1000, "斤": 500, "两": 50}


def spec_quantity(item: ItemText, product: ProductRef) -> tuple[int, str]:
    """How many of the product "30枚" or "1斤" means, with the note saying how it was read.

    "30枚" is one box when the spec is "30枚/盒"; a weight is converted with the spec's weight
    ("肉馅1斤" of 500g portions is 2). A weight that is no whole number of the product
    comes back as quantity 0: the owner types the quantity (a guess would be a wrong order).
    """
    if not item.unit or not item.quantity_given:
        return item.quantity, ""
    parts = _SPEC_PART.findall(product.spec or "")
    for number, unit in parts:
        if unit.startswith(item.unit) and item.unit != (product.unit or ""):
            # "30枚" of a 30枚/盒 product is one box, "60枚" two; "45枚" is no whole box.
            boxes = item.quantity / float(number)
            if boxes == int(boxes) and boxes >= 1:
                return int(boxes), f"{item.quantity}{item.unit} = {int(boxes)}{product.unit or ''}"
            return 0, f"{item.quantity}{item.unit} ≠ {number}{unit}×n"
    written = GRAMS.get(item.unit.lower())
    if written is None or item.unit == (product.unit or ""):
        return item.quantity, ""
    for number, unit in parts:
        per = GRAMS.get(unit.lower())
        if per:
            portions = item.quantity * written / (float(number) * per)
            if portions == int(portions) and portions >= 1:
                return int(portions), f"{item.quantity}{item.unit} = {int(portions)}{product.unit or ''}"
            return 0, f"{item.quantity}{item.unit} ≠ {number}{unit}×n"
    return item.quantity, ""


@dataclass
class LineMatch:
    line: ParsedLine
    member: MemberMatch
    items: list[ItemMatch]
    name: str  # the name after a flush-written product was split off
    notes: list[str] = field(default_factory=list)  # bracketed words naming no product: shown, not ordered

    @property
    def problems(self) -> list[str]:
        """Codes of what stops the line from being imported, in the order to fix them."""
        out = []
        if not self.member.ok:
            out.append(f"member_{self.member.status}")
        if not self.items:
            out.append("no_items")
        if len(self.line.items) > MAX_ITEMS:
            out.append("too_many_items")
        for item in self.items:
            if item.product is None:
                out.append("product_ambiguous" if item.status == "ambiguous" else "product_none")
            elif item.quantity < 1:
                out.append("quantity_unclear")
        return out


def match_line(line: ParsedLine, members: MemberIndex, products: ProductIndex) -> LineMatch:
    """Member and products for one parsed order line."""
    name = line.name
    # No chain line asks for dozens of things; past the cap the line is flagged, and the
    # matching work per line stays bounded whatever was pasted.
    written = list(line.items[:MAX_ITEMS])
    item_matches: list[ItemMatch] = []
    notes: list[str] = []
    for i, item in enumerate(written):
        product, how, score, candidates = products.find(item.text)
        if i == 0 and not name and (product is None or how == "contains"):
            split = products.suffix_split(item.text)  # "王阿姨蓝莓2": a name, then the product
            if split:
                name, product, how = split[0], split[1], split[2]
                item = ItemText(product.name, item.quantity, item.unit, item.quantity_given)
                score, candidates = 100.0, []
        if (product is None and not candidates and i == 0 and not name and len(written) > 1
                and not item.quantity_given):
            name = item.text  # "张姐" written where an item was expected, with items after it
            continue
        if (product is None and not candidates and i > 0 and not name and not item.quantity_given
                and _norm_name(item.text) in members.by_name):
            name = item.text  # "蓝莓2 张秀英 3栋…": the name written after the items
            continue
        if product is None and item.note:
            # "酸奶2（原味）": the bracketed note names the variant when the words alone do not.
            for variant in (item.note + item.text, item.text + item.note):
                found, found_how, _score, _c = products.find(variant)
                if found is not None and found_how in ("name", "alias", "contains"):
                    product, how, score, candidates = found, "note", 100.0, []
                    break
        if (product is not None and how == "contains" and item.note and _norm_name(item.note) not in
                _norm_name(product.name) and len(_norm_name(product.name)) > len(_norm_name(item.text))):
            # "酸奶2（原味）" when the campaign sells only 低糖酸奶: the words fit part of its name,
            # the note names another kind. Offer it, never choose it.
            product, candidates = None, [product]
        if product is None and not candidates and item.bracketed and item_matches:
            # "肉馅2份（一份肥一份瘦）": inside brackets, after an item, naming no product: a note.
            notes.append(f"{item.text}{item.quantity if item.quantity_given else ''}{item.unit}")
            continue
        quantity, note = spec_quantity(item, product) if product else (item.quantity, "")
        item_matches.append(ItemMatch(item, product, quantity, how, score, candidates, note))
    # A lone "name" that is really a product ("土鸡蛋" after a phone, nothing else).
    if not item_matches and name:
        product, how, score, candidates = products.find(name)
        if product is not None and how in ("name", "alias"):
            item_matches.append(ItemMatch(ItemText(name, 1, quantity_given=False), product, 1, how, score))
            name = ""
    member = members.match(name, line.phone, line.phone_tail, line.address)
    return LineMatch(line, member, item_matches, name, notes)
