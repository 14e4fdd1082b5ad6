"""``flask bundles mine``: both file formats, the output, and exit code 2 for every bad input."""

from __future__ import annotations

import re

import pytest

from workbench.bundles.cli import bundles_cli

RULE = re.compile(r"^\{[^{}]+\} → \S.* {2}support=\d\.\d{4} confidence=\d\.\d{4} lift=\d+\.\d{4} count=\d+$")
LAST = re.compile(r"^rules=(\d+) itemsets=(\d+) seconds=\d+\.\d$")

SHOP_LINES = "bread,milk\nbread,diaper,beer,eggs\nmilk,diaper,beer,cola\nbread,milk,diaper,beer\n" \
             "bread,milk,diaper,cola\n"


@pytest.fixture
def cli(app, tmp_path):
    app.cli.add_command(bundles_cli)  # the lead registers it in register_cli
    runner = app.test_cli_runner()

    def invoke(text: str | bytes | None, *args: str, path=None):
        path = path or tmp_path / "baskets.csv"
        if isinstance(text, bytes):
            path.write_bytes(text)
        elif text is not None:
            path.write_text(text, encoding="utf-8")
        return runner.invoke(args=["bundles", "mine", "--csv", str(path), *args])

    return invoke


def _ok(result) -> list[str]:
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert LAST.match(lines[-1]), lines[-1]
    assert all(RULE.match(line) for line in lines[:-1]), lines
    return lines


def test_one_basket_per_line(cli):
    lines = _ok(cli(SHOP_LINES, "--min-support", "0.4", "--min-confidence", "0.6"))
    assert lines[0] == "{diaper, milk} → cola  support=0.4000 confidence=0.6667 lift=1.6667 count=2"
    assert lines[1] == "{beer} → diaper  support=0.6000 confidence=1.0000 lift=1.2500 count=3"
    assert lines[-1].startswith("rules=24 itemsets=17 ")
    assert len(lines) == 21  # --top 20, then the summary


def test_top_and_max_len(cli):
    lines = _ok(cli(SHOP_LINES, "--min-support", "0.4", "--min-confidence", "0.6", "--top", "3",
                    "--max-len", "2"))
    assert len(lines) == 4
    assert lines[-1].startswith("rules=12 itemsets=13 ")
    lines = _ok(cli(SHOP_LINES, "--min-support", "0.4", "--min-confidence", "0.6", "--top", "0"))
    assert lines == [lines[-1]]


def test_long_format_with_extra_columns_full_width_commas_and_padding(cli):
    text = ("\ufeffOrder_No, Item ,qty,Basket_ID\n"  # a BOM, any case, any column order
            "x1, bread ,1,o1\n"
            "x1,milk,2,o1\n"
            "\n"
            "x2，diaper，1，o2\n"  # full-width commas
            "x2,beer,1,o2,,\n"  # spreadsheet padding
            "x9,milk,1,o1\n"  # a basket's rows need not be adjacent; milk twice counts once
            "x3,diaper,1,o3\n"
            "x3,beer,1,o3\n"
            ",,,\n")
    lines = _ok(cli(text, "--min-support", "0.5", "--min-confidence", "0.9"))
    assert lines == ["{beer} → diaper  support=0.6667 confidence=1.0000 lift=1.5000 count=2",
                     "{diaper} → beer  support=0.6667 confidence=1.0000 lift=1.5000 count=2",
                     lines[-1]]
    assert lines[-1].startswith("rules=2 itemsets=3 ")


def test_basket_lines_trimmed_quoted_and_gbk(cli):
    text = ' 苹果 , 香蕉 ,\n"苹果",香蕉，牛奶\n\n  \n牛奶,,\n'
    lines = _ok(cli(text.encode("gbk"), "--min-support", "0.5", "--min-confidence", "0.5"))
    assert "{香蕉} → 苹果  support=0.6667 confidence=1.0000 lift=1.5000 count=2" in lines
    assert lines[-1].startswith("rules=2 itemsets=4 ")


def test_no_rules_still_prints_the_summary(cli):
    lines = _ok(cli("a\nb\nc\n", "--min-support", "0.5", "--min-confidence", "0.5"))
    assert len(lines) == 1 and lines[0].startswith("rules=0 itemsets=0 ")


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("\n  \n,,\n", "the file is empty"),
    ("basket_id,item\n", "only the header"),
    ("basket_id,item\n1,apple\n1,\n", "line 3: basket 1 has a missing item"),
    ("basket_id,item,qty\n1,apple,1\n2\n", "line 3: basket 2 has a missing item"),
    ("basket_id,item\n1,apple\n,pear\n", "line 3: missing basket_id"),
    ("basket_id,product\n1,apple\n", "the header names basket_id but no item column"),
    ("basket_id,item,item\n1,a,b\n", "line 1: the header names item twice"),
    ('a,b\nc,"d\n', "line 2: cannot split into items"),
    (b"PK\x03\x04\x00\x00binary", "not a text file"),
    (b"\xff\xfe\xff", "neither UTF-8 nor GB18030"),
])
def test_bad_files_exit_2_with_a_message(cli, text, message):
    result = cli(text, "--min-support", "0.1", "--min-confidence", "0.5")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (["--min-support", "0", "--min-confidence", "0.5"], "--min-support must be in (0, 1]"),
    (["--min-support", "1.5", "--min-confidence", "0.5"], "--min-support must be in (0, 1]"),
    (["--min-support", "-0.1", "--min-confidence", "0.5"], "--min-support must be in (0, 1]"),
    (["--min-support", "nan", "--min-confidence", "0.5"], "--min-support must be in (0, 1]"),
    (["--min-support", "0.1", "--min-confidence", "0"], "--min-confidence must be in (0, 1]"),
    (["--min-support", "0.1", "--min-confidence", "1.01"], "--min-confidence must be in (0, 1]"),
    (["--min-support", "0.1", "--min-confidence", "0.5", "--max-len", "0"], "--max-len must be at least 1"),
    (["--min-support", "0.1", "--min-confidence", "0.5", "--top", "-1"], "--top must be 0 or more"),
])
def test_bad_thresholds_exit_2(cli, args, message):
    result = cli(SHOP_LINES, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_missing_options_file_or_directory_exit_2(cli, tmp_path):
    result = cli(SHOP_LINES, "--min-support", "0.1")
    assert result.exit_code == 2 and "--min-confidence" in result.stderr
    result = cli(SHOP_LINES, "--min-support", "abc", "--min-confidence", "0.5")
    assert result.exit_code == 2 and "abc" in result.stderr
    result = cli(None, "--min-support", "0.1", "--min-confidence", "0.5", path=tmp_path / "none.csv")
    assert result.exit_code == 2 and "cannot read" in result.stderr
    (tmp_path / "adir").mkdir()
    result = cli(None, "--min-support", "0.1", "--min-confidence", "0.5", path=tmp_path / "adir")
    assert result.exit_code == 2 and "is a directory" in result.stderr
    assert "Traceback" not in result.output
