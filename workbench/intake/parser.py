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

#: Units members write after a quantity. Longest first: a unit is read as the longest that fits.
#: "两" is a unit after a number ("5两") and the numeral 2 before one ("两盒").
UNITS = tuple(sorted((
    "公斤", "千克", "毫升", "份", "个", "盒", "斤", "袋", "枚", "瓶", "箱", "只", "包", "件", "串", "提",
    "罐", "杯", "块", "条", "把", "根", "颗", "桶", "板", "盘", "片", "两", "支", "对", "双", "听", "组",
    "套", "兜", "捆", "扎", "碗", "粒", "棵", "筐", "升", "kg", "g", "ml", "l", "克"), key=lambda u: -len(u)))
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)

#: Hard limits, checked before any parsing: no 接龙 line is longer than a few dozen
#: characters, and a pasted chain of 1,000 lines is ~40,000. Beyond them the text is not
#: a chain, and refusing it keeps a web worker's time bounded whatever is posted.
MAX_LINE_CHARS = 500
MAX_PASTE_CHARS = 100_000
MAX_ORDER_LINES = 1000


class PasteTooLarge(ValueError):
    """The paste breaks a size limit; ``line_no`` names the long line (0: the whole paste)."""

    def __init__(self, kind: str, line_no: int = 0, limit: int = 0) -> None:
        super().__init__(f"{kind} (line {line_no}, limit {limit})")
        self.kind, self.line_no, self.limit = kind, line_no, limit


def check_size(text: str) -> None:
    """Raise ``PasteTooLarge`` for a paste or a line over its limit. Linear, no regex."""
    if len(text) > MAX_PASTE_CHARS:
        raise PasteTooLarge("paste", 0, MAX_PASTE_CHARS)
    filled = 0
    for line_no, raw in enumerate(text.splitlines(), start=1):
        if len(raw) > MAX_LINE_CHARS:
            raise PasteTooLarge("line", line_no, MAX_LINE_CHARS)
        filled += not raw.isspace() and raw != ""
    # Titles and notes are not orders, so allow some lines beyond the orders' limit here;
    # the exact count of order lines is checked once they are read.
    if filled > MAX_ORDER_LINES + 200:
        raise PasteTooLarge("lines", 0, MAX_ORDER_LINES)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_NUM = "[零〇一二两俩三四五六七八九十百]+"
#: Chinese numerals are only numbers where a quantity or an address is expected: before a
#: unit or 栋/单元…, or after a multiplication sign. "三姐" stays a name.
_CN_BEFORE = re.compile(rf"(?<![零〇一二两俩三四五六七八九十百])({_CN_NUM})(?=\s?(?:{_UNIT_RE}|栋|幢|号楼|单元|楼))")
_CN_AFTER = re.compile(rf"(?<=×)\s?({_CN_NUM})")

_MASKED_PHONE = re.compile(r"(?<!\d)(1\d{2})\s*[*xX×]{3,4}\s*(\d{4})(?!\d)")
_FULL_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_TAIL_WORD = re.compile(r"(?:手机)?尾号\s*[:：]?\s*(\d{4})(?!\d)")
#: A multiplication sign before a number, but not the last mask of a phone ("138****5678").
_MULTIPLY = re.compile(r"(?<![*xX×])(\s?)[×xX*✕✖╳乘]\s?(?=\d)")

#: Addresses, most specific first: 3栋1单元502, 3-1-502, 3#502, 3幢502, 3号楼502, 3栋, 502室.
#: Every digit run is anchored on its left ((?<!\d)), so no pattern re-scans a long run of
#: digits from each of its positions: matching stays linear in the line's length.
_ADDRESS_PATTERNS = [
    re.compile(r"(?<!\d)(\d{1,3}) ?(?:栋|幢|号楼|#|号|座) ?(\d{1,2}) ?单元 ?(\d{3,4}) ?(?:室|号)?"),
    re.compile(r"(?<![\d-])(\d{1,3})-(\d{1,2})-(\d{3,4})(?![\d-])"),
    re.compile(r"(?<!\d)(\d{1,3}) ?(?:栋|幢|号楼|#|座|号) ?-? ?()(\d{3,4}) ?(?:室|号)?(?!\d)"),
    re.compile(r"(?<![\d-])(\d{1,3})-()(\d{3,4})(?![\d-])"),
    re.compile(r"(?<!\d)(\d{1,3}) ?(?:栋|幢|号楼|座)()()"),
    re.compile(r"(?<![\d-])()()(\d{3,4}) ?(?:室|房间|房)"),  # a room without its building
]

#: Prices members copy along ("¥25.9", "51.8元") say nothing about the quantity.
_PRICE = re.compile(r"(?:(?:共计?|合计|总计|一共|总共) ?)?(?:¥ ?\d+(?:\.\d+)?元?|(?<![\d.])\d+(?:\.\d+)? ?(?:元|块钱))")
#: A note after the order ("备注：要大的", "备注 放门口") is for the owner to read, not to count.
_NOTE = re.compile(r"(?:备注|留言|PS|ps|Ps) ?[:：]?.*$")
#: Payment and status words members add after their items ("已付", "已转", "微信已付"): not products.
_STATUS = re.compile(
    r"(?:微信|支付宝|红包)?(?:已经?|没|未|待|现|面|到)(?:付款?|支付|转账?|转|收款?|发红包|付清|结清|交钱|接龙|下单|拍)了?"
    r"|(?:付|转|支付)(?:了|过了)|货到付款|到店付款?|自提付款?|红包已发|已发红包"
    # Pickup and courtesy words: for the owner to read, never a product.
    r"|(?:放|送)(?:门口|门卫|到家|上门)"
    r"|(?:今天|明天|后天|周[一二三四五六日末天]|星期[一二三四五六日天])(?:上午|中午|下午|晚上|晚点)?来?(?:拿|取|自提)(?!铁)"
    r"|(?:上午|中午|下午|晚上|晚点)来?(?:拿|取|自提)(?!铁)"
    r"|谢谢团长|谢谢|感谢|辛苦了?|麻烦了?")
#: Members cancel by editing their line; such a line must not become an order unseen.
_CANCEL = re.compile(r"取消|不要了|撤单|退出接龙")
_SEQ = re.compile(r"^ ?(\d{1,4}) ?(?:[.、:)\]]|\s(?=\D)) ?")
_RAW_SEQ = re.compile(r"^\s*[0-9０-９]{1,4}(?:\s*[.、:)\]．：）]|\s)\s*")
_HEADER = re.compile(r"^ ?(?:# ?)?(?:接龙|例|示例|格式|举例|注|备注) ?[:：#]?|^ ?#")
#: A reply or a mention in the group without a number ("@张姐 收到"): never an order.
_REPLY = re.compile(r"^ ?@\D*$")
_MENTION = re.compile(r"@[^\s@]{1,20}")
#: Anything that separates one item from another or from the name.
_SEPARATORS = re.compile(r"[\s,，、;；+/|()\[\]{}【】（）《》<>\"'“”‘’~～!！?？。=]+")
#: A bracketed note without digits ("（原味）", "(大份)", "【自提】"): bracket characters are
#: excluded from the inside, so an unclosed or nested bracket never makes it scan far.
_BRACKET = re.compile(r"[(\[{【（《<]([^()\[\]{}【】（）《》<>]*)[)\]}】）》>]")
_NOTE_MARK = "\ue000"  # private use: normalise() removes any from the input
_OPEN, _CLOSE = "\ue001", "\ue002"  # around bracketed words that have a number in them
_DIGIT_RUN = re.compile(r"(\d+)")
_LEADING_QTY = re.compile(rf"^×?(?P<qty>\d{{1,3}})(?P<unit>{_UNIT_RE})(?P<text>\D+)$")
_TIMES_FIRST = re.compile(r"^(?P<qty>\d{1,3})(?P<text>\D+)$")
#: "蓝莓2改3", "蓝莓2 改成 3": the member edited their line, the last number stands.
_EDIT_WORDS = ("改成", "改为", "换成", "改")


@dataclass(frozen=True)
class Address:
    building: str  # digits only: "3" for 3栋 / 3幢 / 3号楼 / 3#; "" for a bare room ("502室")
    unit: str = ""  # 单元 digits, "" when not written
    room: str = ""  # "502", "" when not written

    def label(self) -> str:
        if not self.building:
            return f"{self.room}室"
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
    note: str = ""  # a bracketed note after it ("原味", "大份"): shown, and used to choose a variant
    bracketed: bool = False  # written inside brackets with a number ("（一份肥一份瘦）"): maybe a note


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
    note: str = ""  # what the member added for the owner: "备注 …", "【自提】", "已付"

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


class _SymbolTable(dict):
    """``str.translate`` table: a symbol's code point → " ", filled as characters are met.

    Only the first few thousand distinct characters are remembered, so a paste of rare
    characters cannot grow it without bound.
    """

    def __missing__(self, code: int):
        ch = chr(code)
        cat = unicodedata.category(ch)
        keep = ch in "×*#-¥" or not (cat.startswith("S") or cat in ("Cs", "Co", "Cf", "Mn", "Me"))
        value = None if keep else " "
        if keep:
            value = code
        if len(self) < 20_000:
            self[code] = value
        return value


_SYMBOLS = _SymbolTable()


def _strip_symbols(text: str) -> str:
    """Emoji and decorations (🍓 ✅ ★ ❤️) become spaces; letters, digits and × stay."""
    return text.translate(_SYMBOLS)


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), emoji out, Chinese numerals and × signs made uniform.

    Whitespace runs become one space first, so no pattern below meets a long run of spaces.
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u3000", " ").replace("＃", "#")
    # An edit written with an arrow ("蓝莓2→3") keeps its meaning once symbols are gone.
    text = text.replace("->", "改").replace("→", "改").replace("=>", "改")
    text = _strip_symbols(text)
    text = " ".join(text.split())
    # "139 1234 5678" / "139-1234-5678": one phone number, not three quantities.
    text = re.sub(r"(?<!\d)(1\d{2})[ -](\d{4})[ -](\d{4})(?!\d)", r"\1\2\3", text)
    text = _MULTIPLY.sub(r"\1×", text)  # a space before the sign stays: "张姐 x2蓝莓" is a name, then ×2
    text = re.sub(r"(?<=\S) ?乘 ?(?=[零〇一二两俩三四五六七八九十])", "×", text)
    text = _CN_AFTER.sub(lambda m: str(cn_number(m.group(1)) or m.group(1)), text)
    text = _CN_BEFORE.sub(lambda m: str(cn_number(m.group(1)) or m.group(1)), text)
    # "+86 136…" (the + is gone with the symbols): the phone without its country code.
    text = re.sub(r"(?<!\d)86 ?(1[3-9]\d{9})(?!\d)", r"\1", text)
    # Halves: "半斤" is 250 g and "1斤半" 750 g (the spec may make that whole portions); any
    # other half ("半个", "半份") is no whole quantity: 0, which matching flags.
    text = re.sub(r"(?<!\d)(\d{1,3})斤半", lambda m: f"{int(m.group(1)) * 500 + 250}g", text)
    text = text.replace("半斤", "250g").replace("半公斤", "500g")
    text = re.sub(rf"半(?={_UNIT_RE})", "0", text)
    return " ".join(text.split())


def collapse(text: str) -> str:
    """The form two lines are compared in: normalised, no spaces, lower case."""
    return re.sub(r"\s+", "", normalise(text)).lower()


# --------------------------------------------------------------------------- one line


def parse_line(raw: str, line_no: int = 1, normalised: str | None = None) -> ParsedLine:
    """Parse one order line (the caller decides whether it is a header).

    Linear in the line's length: every pattern is anchored or bounded, and items are cut
    at digit runs by ``re.split`` rather than by a pattern that could backtrack.
    """
    text = normalise(raw) if normalised is None else normalised
    line = ParsedLine(line_no=line_no, raw=raw.strip())
    m = _SEQ.match(text)
    if m:
        line.seq = int(m.group(1))
        text = text[m.end():]
    line.content = re.sub(r"\s+", "", text).lower()
    text = _MENTION.sub(" ", text)  # "@团长": who the line is addressed to, never who ordered
    if _CANCEL.search(text):
        line.ignored = "cancelled"
        return line
    notes = []
    if m := _NOTE.search(text):
        notes.append(m.group(0))
        text = text[:m.start()]
    text = _PRICE.sub(" ", text)
    notes.extend(m.group(0) for m in _STATUS.finditer(text))
    text = _STATUS.sub(" ", text)

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
            line.address = Address(str(int(m.group(1))) if m.group(1) else "", m.group(2) or "", m.group(3) or "")
            text = text[:m.start()] + " " + text[m.end():]
            break
    text = _BRACKET.sub(_bracket, text)
    _split_name_and_items(line, text, notes)
    line.note = " ".join(n.strip() for n in notes if n.strip())
    if not line.items and not line.name and not line.phone_tail and line.address is None:
        line.ignored = "empty"
    return line


#: A bracket asking for something ("送1盒给楼下", "要2个大的") is a note even with a number in it.
_REQUEST = re.compile(r"[送给要帮留放拿挑选换分]")


def _bracket(m: re.Match) -> str:
    """A bracketed note becomes one marked token; brackets around order words just separate.

    A note has no digits ("原味", "自提"), or reads as a request ("送1盒给楼下").
    """
    inside = m.group(1)
    if not inside.strip():
        return " "
    if any(ch.isdigit() for ch in inside) and not _REQUEST.search(inside):
        # Items or a note? Only matching knows the products: its pieces are marked bracketed.
        return f" {_OPEN} {inside} {_CLOSE} "
    return f" {_NOTE_MARK}{_SEPARATORS.sub('', inside)} "


_UNIT_AT = re.compile(f"(?:{_UNIT_RE})", re.IGNORECASE)


def _unit_prefix(text: str) -> str:
    """The unit ``text`` starts with ("盒蓝莓" → "盒"); a Latin unit must end its word ("2l", not "2lily")."""
    m = _UNIT_AT.match(text)
    if m is None:
        return ""
    unit = m.group(0)
    after = text[len(unit):len(unit) + 1]
    if unit.isascii() and after.isascii() and after.isalpha():
        return ""
    return unit


def _segments(text: str) -> list[tuple[str, int | None, str, str, bool]]:
    """(text, quantity or None, unit, digits, bracketed) pieces of the items part, in order.

    Notes come as (marked text, None, "", "", False). A token is cut at its digit runs with
    ``re.split``: "张姐蓝莓2酸奶×3" → 张姐蓝莓 | 2 | 酸奶× | 3, each number taking the words
    before it and the unit after it. No backtracking, so any length costs linear time.
    """
    out: list[tuple[str, int | None, str, str, bool]] = []
    bracketed = False
    for token in _SEPARATORS.split(text):
        if token in (_OPEN, _CLOSE):
            bracketed = token == _OPEN
            continue
        if token.startswith(_NOTE_MARK):
            out.append((token, None, "", "", False))
            continue
        times = token.startswith("×")
        token = token.strip("-×:.*#")
        if not token:
            continue
        if times and (m := _TIMES_FIRST.match(token)):  # "×2蓝莓": a number before the product
            out.append((m.group("text"), int(m.group("qty")), "", m.group("qty"), bracketed))
            continue
        if m := _LEADING_QTY.match(token):  # "2份蓝莓"
            out.append((m.group("text"), int(m.group("qty")), m.group("unit"), m.group("qty"), bracketed))
            continue
        parts = _DIGIT_RUN.split(token)  # [words, digits, words, digits, …, words]
        words = parts[0]
        for i in range(1, len(parts), 2):
            digits, after = parts[i], parts[i + 1]
            unit = _unit_prefix(after)
            # A run of 7+ digits is no quantity (and int() refuses 4,300+ digits): a big sentinel.
            qty = int(digits) if len(digits) <= 6 else 10 ** 6
            out.append((words.strip("-×:. "), qty, unit.lower() if unit.isascii() else unit, digits, bracketed))
            words = after[len(unit):]
        rest = words.strip("-×:.")
        if rest:
            out.append((rest, None, "", "", bracketed))
    return out


def _split_name_and_items(line: ParsedLine, text: str, notes: list[str]) -> None:
    pieces: list[list] = []  # [words, quantity, unit, note, bracketed]
    edit = False  # an edit word stood alone ("蓝莓2 改 3"): the next bare number replaces the last
    for words, qty, unit, digits, bracketed in _segments(text):
        if words.startswith(_NOTE_MARK):  # "蓝莓2（原味）": a note on the item before, not an item
            note = words[len(_NOTE_MARK):]
            if pieces and pieces[-1][1] is not None:
                pieces[-1][3] = (pieces[-1][3] + " " + note).strip()
            else:
                notes.append(note)
            continue
        if len(digits) >= 4 and not unit:  # "王阿姨5678": a name with a phone tail
            if len(digits) == 4 and not line.phone_tail:
                line.phone_tail = digits
            if words:
                pieces.append([words, None, "", "", False])
            continue
        if (len(digits) == 3 and not unit and line.address is None and not digits.startswith("0")
                and all(p[1] is None for p in pieces) and len(pieces) + bool(words) <= 1):
            # "张姐 502 蓝莓2" / "张姐502": three digits before any item are a room, not 502 boxes.
            line.address = Address("", "", digits)
            if words:
                pieces.append([words, None, "", "", False])
            continue
        if words in _EDIT_WORDS and qty is not None and pieces and pieces[-1][1] is not None:
            pieces[-1][1] = qty  # "蓝莓2改3": the edit stands
            pieces[-1][2] = unit or pieces[-1][2]
            continue
        if not words and qty is not None and pieces and pieces[-1][1] is None:
            pieces[-1][1], pieces[-1][2] = qty, unit  # "土鸡蛋 30枚": the number belongs to the words
            continue
        if words in UNITS and qty is None and pieces and pieces[-1][1] is not None and not pieces[-1][2]:
            pieces[-1][2] = words  # "蓝莓 2 盒": the unit written apart
            continue
        if words in _EDIT_WORDS and qty is None:
            edit = True
            continue
        if not words:
            if edit and qty is not None and pieces and pieces[-1][1] is not None:
                pieces[-1][1], pieces[-1][2] = qty, unit or pieces[-1][2]
            edit = False
            continue  # a stray number with nothing to count
        edit = False
        pieces.append([words, qty, unit, "", bracketed])
    # The name is the first bare words with something after them ("张姐 蓝莓2").
    if pieces and pieces[0][1] is None and len(pieces) > 1:
        line.name = pieces.pop(0)[0]
    elif len(pieces) == 1 and pieces[0][1] is None:
        # Only bare words: a name ("奚 3-1-502") or a product ("138****5678 土鸡蛋"); matching
        # knows the products and moves it to the items when it names one.
        line.name = pieces.pop(0)[0]
    for words, qty, unit, note, bracketed in pieces:
        line.items.append(ItemText(words, qty if qty is not None else 1, unit, quantity_given=qty is not None,
                                   note=note, bracketed=bracketed))


# --------------------------------------------------------------------------- a paste

_EXAMPLE = re.compile(r"^\s*(?:#\s*)?(?:例|示例|举例|格式)")


def parse_paste(text: str) -> list[ParsedLine]:
    """Every non-blank line, numbered from 1; headers, title and examples marked ignored.

    Raises ``PasteTooLarge`` before reading anything when the paste or a line is too long.

    With numbered lines in the paste, unnumbered lines before the first number are the
    title and notes; without any number, every line that is not a header is an order.
    """
    check_size(text)
    raw_lines = [(i, raw, normalise(raw)) for i, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    numbered = any(_SEQ.match(norm) and not _EXAMPLE.match(norm) for _, _, norm in raw_lines)
    seen_number = False
    out: list[ParsedLine] = []
    for line_no, raw, norm in raw_lines:
        if _REPLY.match(norm):
            out.append(ParsedLine(line_no=line_no, raw=raw.strip(), ignored="reply"))
            continue
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
        out.append(parse_line(raw, line_no, norm))
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
