"""Translations: both catalogs complete and current, Chinese by default, English on request."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "workbench" / "translations"
POT = TRANSLATIONS / "messages.pot"
# Babel reads zh_CN as zh_Hans_CN and looks for that directory, so the catalog lives there.
LOCALES = ("zh_Hans_CN", "en")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
FIX = ("run: pybabel extract -F babel.cfg -k _l -k lazy_gettext -o workbench/translations/messages.pot . && "
       "pybabel update -i workbench/translations/messages.pot -d workbench/translations, then translate")


def _catalog(path: Path, locale: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """Compile the .po files (the .mo files are build output, not in git)."""
    for locale in LOCALES:
        po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with mo.open("wb") as f:
                write_mo(f, _catalog(po, locale))


def test_template_is_current(tmp_path, monkeypatch):
    """Every string in the code and templates is in messages.pot (nobody forgot to extract)."""
    monkeypatch.chdir(ROOT)
    fresh = tmp_path / "fresh.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                                "-o", str(fresh), "."])
    missing = _ids(_catalog(fresh)) - _ids(_catalog(POT))
    assert not missing, f"strings missing from messages.pot: {sorted(missing)}; {FIX}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_complete(locale):
    """Every msgid of the template has a non-empty, non-fuzzy msgstr with the same placeholders."""
    catalog = _catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    missing = _ids(_catalog(POT)) - _ids(catalog)
    assert not missing, f"{locale} lacks {sorted(missing)}; {FIX}"
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s and s.strip() for s in strings), f"{locale}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{locale}: fuzzy {message.id!r}"
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == set(PLACEHOLDER.findall(msgid)), f"{locale}: placeholders of {msgid!r}"
        if locale == "en":
            assert strings[0] == msgid


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_compiles_without_errors(locale):
    """``pybabel compile`` (run by make run / make test with check=True) accepts the catalog.

    It rejects, for example, a msgid that looks like %-formatting ("10% d…") when the
    translation cannot carry the same placeholder.
    """
    catalog = _catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    assert not problems, problems


def test_chinese_catalog_is_chinese():
    """zh msgstrs are Chinese, not English copied over (a few symbols-only strings aside)."""
    catalog = _catalog(TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po", "zh_Hans_CN")
    han = re.compile(r"[\u4e00-\u9fff]")
    not_chinese = [m.id for m in catalog if m.id and not han.search(m.string if isinstance(m.string, str) else m.string[0])]
    assert not not_chinese, not_chinese


def test_login_page_chinese_by_default(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "登录" in html and "手机号或用户名" in html and "邻里工作台" in html
    assert "Log in" not in html


def test_login_page_english_on_request_and_remembered(client):
    html = client.get("/auth/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Log in" in html and "Phone or username" in html
    assert "手机号或用户名" not in html
    # The choice is kept in the session for the next page.
    assert "Phone or username" in client.get("/auth/login").get_data(as_text=True)
    assert "手机号或用户名" in client.get("/auth/login?lang=zh_CN").get_data(as_text=True)


def test_form_errors_in_chinese(client):
    html = client.post("/auth/login", data={"login": "", "password": ""}).get_data(as_text=True)
    assert "请输入手机号或用户名。" in html
    assert "请输入密码。" in html
    assert 'aria-invalid="true"' in html


def test_error_pages_in_chinese(client, owner_client):
    assert "页面不存在" in client.get("/no-such-page").get_data(as_text=True)
    assert "无权访问" in owner_client.get("/hq/stores").get_data(as_text=True)


def test_owner_tab_bar_in_chinese(owner_client):
    html = owner_client.get("/store/today").get_data(as_text=True)
    for label in ("今日", "直播", "提货", "收益", "社区", "退出"):
        assert label in html
    assert "周" in html  # weekday in the header


def test_weekday_and_labels_follow_locale(app):
    from datetime import date

    from flask_babel import force_locale

    from workbench.formatting import html_lang, label, rain, weekday

    monday = date(2026, 11, 23)
    # The app fixture's app context (and Flask-Babel's per-context locale cache) spans
    # these request contexts, so the locale is forced rather than chosen by ?lang=.
    with app.test_request_context("/"), force_locale("en"):
        assert weekday(monday) == "Mon"
        assert label("premium", "profile") == "Upscale"
        assert html_lang() == "en"
    with app.test_request_context("/"), force_locale("zh_CN"):
        assert html_lang() == "zh-CN"
        assert weekday(monday) == "周一"
        assert label("premium", "profile") == "高档"
        assert label("elderly", "profile") == "老年"
        assert rain(0) == "无雨"
        assert rain(30) == "小雨"
