"""接龙 text → lines: who wrote each line and what they asked for. Pure: no database, no Flask.

A WeChat chain order (接龙) is a title, maybe an example line, then numbered lines that
members append, each in their own style::

    #接龙
    周末水果团 周六提货
    例：1. 张三 3栋502 蓝莓×2
    12. 张姐 3栋1单元502 蓝莓×2 酸奶1
    13. 138****5678 土鸡蛋 30枚

``parse_paste`` keeps the sequence number, splits the "who" part (name, phone or its
tail, building and room) from the items (product text, quantity, unit), and marks headers
and examples as ignored. Deciding *which* member and product a line means is
``matching``'s job: the parser knows no names.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

#: Units members write after a quantity. Order matters for the regex: longer first.
UNITS = ("公斤", "千克", "份", "个", "盒", "斤", "袋", "枚", "瓶", "箱", "只", "包", "件", "串", "提",
         "罐", "杯", "块", "条", "把", "根", "颗", "桶", "板", "盘", "kg", "g", "克")
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_NUM = "[零〇一二两俩三四五六七八九十百]+"
#: Chinese numerals are only numbers where a quantity or an address is expected: before a
#: unit or 栋/单元…, or after a multiplication sign. "三姐" stays a name.
_CN_BEFORE = re.compile(rf"({_CN_NUM})(?=\s*(?:{_UNIT_RE}|栋|幢|号楼|单元|楼))")
_CN_AFTER = re.compile(rf"(?<=×)\s*({_CN_NUM})")

_MASKED_PHONE = re.compile(r"(?<!\d)(1\d{2})\s*[*xX×]{3,4}\s*(\d{4})(?!\d)")
_FULL_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_TAIL_WORD = re.compile(r"(?:手机)?尾号\s*[:：]?\s*(\d{4})(?!\d)")
#: A multiplication sign before a number, but not the last mask of a phone ("138****5678").
_MULTIPLY = re.compile(r"(?<![*xX×])\s*[×xX*✕✖╳乘]\s*(?=\d)")

#: Addresses, most specific first: 3栋1单元502, 3-1-502, 3#502, 3幢502, 3号楼502, 3栋.
_ADDRESS_PATTERNS = [
    re.compile(r"(?<!\d)(\d{1,3})\s*(?:栋|幢|号楼|#|号|座)\s*(\d{1,2})\s*单元\s*(\d{3,4})\s*(?:室|号)?"),
    re.compile(r"(?<![\d-])(\d{1,3})-(\d{1,2})-(\d{3,4})(?![\d-])"),
    re.compile(r"(?<!\d)(\d{1,3})\s*(?:栋|幢|号楼|#|座|号)\s*-?\s*()(\d{3,4})\s*(?:室|号)?(?!\d)"),
    re.compile(r"(?<![\d-])(\d{1,3})-()(\d{3,4})(?![\d-])"),
    re.compile(r"(?<!\d)(\d{1,3})\s*(?:栋|幢|号楼|座)()()"),
]

#: Prices members copy along ("¥25.9", "51.8元") say nothing about the quantity.
_PRICE = re.compile(r"(?:共计?|合计|总计|一共|总共)?\s*(?:¥\s*\d+(?:\.\d+)?\s*元?|\d+(?:\.\d+)?\s*(?:元|块钱))")
#: A note after the order ("备注：要大的") is for the owner to read, not to count.
_NOTE = re.compile(r"(?:备注|留言|PS|ps)\s*[:：].*$")
#: Members cancel by editing their line; such a line must not become an order unseen.
_CANCEL = re.compile(r"取消|不要了|撤单|退出接龙")
_SEQ = re.compile(r"^\s*(\d{1,4})\s*(?:[.、:)\]]|\s+(?=\D))\s*")
_RAW_SEQ = re.compile(r"^\s*[0-9０-９]{1,4}\s*(?:[.、:)\]．：）]|\s+)\s*")
_HEADER = re.compile(r"^\s*(?:#\s*)?(?:接龙|例|示例|格式|举例|注|备注)\s*[:：#]?|^\s*#")
#: Anything that separates one item from another or from the name.
_SEPARATORS = re.compile(r"[\s,，、;；+/|()\[\]{}【】（）《》<>\"'“”‘’~～!！?？。=]+")
_ITEM = re.compile(rf"(?P<text>[^\d×]*?)\s*(?:×\s*)?(?P<qty>\d+)\s*(?P<unit>{_UNIT_RE})?")
_LEADING_QTY = re.compile(rf"^×?(?P<qty>\d{{1,3}})(?P<unit>{_UNIT_RE})(?P<text>\D+)$")


@dataclass(frozen=True)
class Address:
    building: str  # digits only: "3" for 3栋 / 3幢 / 3号楼 / 3#
    unit: str = ""  # 单元 digits, "" when not written
    room: str = ""  # "502", "" when not written

    def label(self) -> str:
        parts = [f"{self.building}栋"]
        if self.unit:
            parts.append(f"{self.unit}单元")
        if self.room:
            parts.append(self.room)
        return "".join(parts)


@dataclass(frozen=True)
class ItemText:
    """One thing a line asks for, as written: product words, quantity and unit."""

    text: str
    quantity: int
    unit: str = ""
    quantity_given: bool = True  # False: nothing written, 1 assumed


@dataclass
class ParsedLine:
    """One non-blank line of a paste."""

    line_no: int  # 1-based position in the pasted text
    raw: str  # the line as pasted (trimmed)
    seq: int | None = None  # the 接龙 number, when written
    content: str = ""  # normalised text without the number: what the source key hashes
    ignored: str = ""  # why the line is not an order ("header", "example", "title", "empty")
    name: str = ""
    phone: str = ""  # a full 11-digit phone
    phone_tail: str = ""  # last four digits (from 尾号, a masked phone or a full one)
    address: Address | None = None
    items: list[ItemText] = field(default_factory=list)

    @property
    def is_order(self) -> bool:
        return not self.ignored

    @property
    def body(self) -> str:
        """The line as pasted without its 接龙 number (shown next to it in the preview)."""
        if self.seq is None:
            return self.raw
        return _RAW_SEQ.sub("", self.raw, count=1) or self.raw


# --------------------------------------------------------------------------- normalising


def cn_number(word: str) -> int | None:
    """一 → 1, 两 → 2, 十 → 10, 十二 → 12, 二十五 → 25, 一百 → 100; None if not a number."""
    if not word:
        return None
    if "百" in word:
        head, _, rest = word.partition("百")
        hundreds = cn_number(head) if head else 1
        tail = cn_number(rest.lstrip("零〇")) if rest else 0
        return None if hundreds is None or tail is None else hundreds * 100 + tail
    if "十" in word:
        head, _, rest = word.partition("十")
        tens = _CN_DIGITS.get(head) if head else 1
        ones = _CN_DIGITS.get(rest) if rest else 0
        return None if tens is None or ones is None else tens * 10 + ones
    if len(word) == 1:
        return _CN_DIGITS.get(word)
    digits = [_CN_DIGITS.get(ch) for ch in word]
    return None if None in digits else int("".join(str(d) for d in digits))


def _strip_symbols(text: str) -> str:
    """Emoji and decorations (🍓 ✅ ★ ❤️) become spaces; letters, digits and × stay."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "×*#-¥" or not (cat.startswith("S") or cat in ("Cs", "Co", "Cf", "Mn", "Me")):
            out.append(ch)
        else:
            out.append(" ")
    return "".join(out)


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), emoji out, Chinese numerals and × signs made uniform."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u3000", " ").replace("＃", "#")
    text = _strip_symbols(text)
    # "139 1234 5678" / "139-1234-5678": one phone number, not three quantities.
    text = re.sub(r"(?<!\d)(1\d{2})[\s-](\d{4})[\s-](\d{4})(?!\d)", r"\1\2\3", text)
    text = _MULTIPLY.sub("×", text)
    text = re.sub(r"(?<=\S)\s*乘\s*(?=[零〇一二两俩三四五六七八九十])", "×", text)
    text = _CN_AFTER.sub(lambda m: str(cn_number(m.group(1)) or m.group(1)), text)
    text = _CN_BEFORE.sub(lambda m: str(cn_number(m.group(1)) or m.group(1)), text)
    return re.sub(r"\s+", " ", text).strip()


def collapse(text: str) -> str:
    """The form two lines are compared in: normalised, no spaces, lower case."""
    return re.sub(r"\s+", "", normalise(text)).lower()


# --------------------------------------------------------------------------- one line


def parse_line(raw: str, line_no: int = 1) -> ParsedLine:
    """Parse one order line (the caller decides whether it is a header)."""
    text = normalise(raw)
    line = ParsedLine(line_no=line_no, raw=raw.strip())
    m = _SEQ.match(text)
    if m:
        line.seq = int(m.group(1))
        text = text[m.end():]
    line.content = re.sub(r"\s+", "", text).lower()
    if _CANCEL.search(text):
        line.ignored = "cancelled"
        return line
    text = _NOTE.sub(" ", _PRICE.sub(" ", text))

    # Phones before × signs: "138****5678" must not read as 138 × 5678.
    if m := _MASKED_PHONE.search(text):
        line.phone_tail = m.group(2)
        text = text[:m.start()] + " " + text[m.end():]
    elif m := _FULL_PHONE.search(text):
        line.phone, line.phone_tail = m.group(1), m.group(1)[-4:]
        text = text[:m.start()] + " " + text[m.end():]
    if m := _TAIL_WORD.search(text):
        line.phone_tail = line.phone_tail or m.group(1)
        text = text[:m.start()] + " " + text[m.end():]
    for pattern in _ADDRESS_PATTERNS:
        if m := pattern.search(text):
            line.address = Address(str(int(m.group(1))), m.group(2) or "", m.group(3) or "")
            text = text[:m.start()] + " " + text[m.end():]
            break
    _split_name_and_items(line, text)
    if not line.items and not line.name and not line.phone_tail and line.address is None:
        line.ignored = "empty"
    return line


def _segments(text: str) -> list[tuple[str, int | None, str]]:
    """(text, quantity or None, unit) pieces of the items part, in the order written."""
    out: list[tuple[str, int | None, str]] = []
    for token in _SEPARATORS.split(text):
        token = token.strip("-×:.*#")
        if not token:
            continue
        if m := _LEADING_QTY.match(token):  # "2份蓝莓"
            out.append((m.group("text"), int(m.group("qty")), m.group("unit")))
            continue
        pos = 0
        for m in _ITEM.finditer(token):
            qty = int(m.group("qty"))
            # Four or more digits are never a quantity: "王阿姨5678" is a name and a phone tail.
            out.append((m.group("text").strip("-×:."), -qty if len(m.group("qty")) >= 4 else qty,
                        m.group("unit") or ""))
            pos = m.end()
        rest = token[pos:].strip("-×:.")
        if rest:
            out.append((rest, None, ""))
    return out


def _split_name_and_items(line: ParsedLine, text: str) -> None:
    pieces: list[list] = []
    for words, qty, unit in _segments(text):
        if qty is not None and qty < 0:  # "王阿姨5678": a name with a phone tail
            number = str(-qty)
            if len(number) == 4 and not unit and not line.phone_tail:
                line.phone_tail = number
            if words:
                pieces.append([words, None, ""])
            continue
        if not words and qty is not None and pieces and pieces[-1][1] is None:
            pieces[-1][1], pieces[-1][2] = qty, unit  # "土鸡蛋 30枚": the number belongs to the words
            continue
        if words in UNITS and qty is None and pieces and pieces[-1][1] is not None and not pieces[-1][2]:
            pieces[-1][2] = words  # "蓝莓 2 盒": the unit written apart
            continue
        if not words:
            continue  # a stray number with nothing to count
        pieces.append([words, qty, unit])
    # The name is the first bare words with something after them ("张姐 蓝莓2").
    if pieces and pieces[0][1] is None and len(pieces) > 1:
        line.name = pieces.pop(0)[0]
    elif len(pieces) == 1 and pieces[0][1] is None:
        # Only bare words: a name ("奚 3-1-502") or a product ("138****5678 土鸡蛋"); matching
        # knows the products and moves it to the items when it names one.
        line.name = pieces.pop(0)[0]
    for words, qty, unit in pieces:
        line.items.append(ItemText(words, qty if qty is not None else 1, unit, quantity_given=qty is not None))


# --------------------------------------------------------------------------- a paste

_EXAMPLE = re.compile(r"^\s*(?:#\s*)?(?:例|示例|举例|格式)")


def parse_paste(text: str) -> list[ParsedLine]:
    """Every non-blank line, numbered from 1; headers, title and examples marked ignored.

    With numbered lines in the paste, unnumbered lines before the first number are the
    title and notes; without any number, every line that is not a header is an order.
    """
    raw_lines = [(i, raw) for i, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    numbered = any(_SEQ.match(normalise(raw)) and not _EXAMPLE.match(normalise(raw)) for _, raw in raw_lines)
    seen_number = False
    out: list[ParsedLine] = []
    for line_no, raw in raw_lines:
        norm = normalise(raw)
        if _EXAMPLE.match(norm):
            out.append(ParsedLine(line_no=line_no, raw=raw.strip(), ignored="example"))
            continue
        if _HEADER.match(norm):
            out.append(ParsedLine(line_no=line_no, raw=raw.strip(), ignored="header"))
            continue
        has_number = bool(_SEQ.match(norm))
        if numbered and not has_number and not seen_number:
            out.append(ParsedLine(line_no=line_no, raw=raw.strip(), ignored="title"))
            continue
        seen_number = seen_number or has_number
        out.append(parse_line(raw, line_no))
    return out


def source_keys(campaign_id: int, lines: list[ParsedLine], prefix: str = "jielong") -> dict[int, str]:
    """line_no → a stable key: sha256(campaign, content without the number, occurrence).

    Without the number, a chain re-pasted after it grew keeps its old lines' keys; with
    the occurrence, two members writing the same thing are still two orders.
    """
    seen: Counter[str] = Counter()
    keys: dict[int, str] = {}
    for line in lines:
        if not line.is_order:
            continue
        occurrence = seen[line.content]
        seen[line.content] += 1
        keys[line.line_no] = hashlib.sha256(
            f"{prefix}|{campaign_id}|{line.content}|{occurrence}".encode()).hexdigest()
    return keys
