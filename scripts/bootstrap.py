#!/usr/bin/env python3
"""Create ``.venv`` and install the project into it, only when something changed.

Run by ``make run`` and ``make test`` with the system Python (3.11+), so it uses the
standard library only. The install is skipped when ``pyproject.toml`` has the same
hash as at the last successful install (kept in ``.venv/.workbench-install``), which
keeps re-runs to a fraction of a second. Translations are compiled every time: it is
quick, and the ``.mo`` files are not in git.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("VENV", ROOT / ".venv"))
BIN = VENV / "bin"
STAMP = VENV / ".workbench-install"
TRANSLATIONS = ROOT / "workbench" / "translations"


def say(message: str) -> None:
    print(f"[bootstrap] {message}", flush=True)


def run(*cmd: str | Path) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, stdin=subprocess.DEVNULL)


def create_venv() -> None:
    """``python -m venv``; on Debian without ``python3-venv``, install it when we are root."""
    if (BIN / "python").exists():
        return
    say(f"creating {VENV} with {sys.executable} (Python {sys.version.split()[0]})")
    try:
        run(sys.executable, "-m", "venv", VENV)
    except subprocess.CalledProcessError:
        shutil.rmtree(VENV, ignore_errors=True)
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            sys.exit("[bootstrap] `python3 -m venv` failed. On Debian/Ubuntu: "
                     "sudo apt-get install python3-venv, then run this again.")
        say("python3-venv is missing; installing it with apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        minor = f"python3.{sys.version_info.minor}-venv"
        subprocess.run(["apt-get", "update"], check=True, env=env, stdin=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "python3-venv", minor],
                       check=True, env=env, stdin=subprocess.DEVNULL)
        run(sys.executable, "-m", "venv", VENV)


def install() -> None:
    """``pip install -e '.[dev]'`` unless pyproject.toml is unchanged since the last one."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == digest and (BIN / "flask").exists():
        return
    say("installing the project and its dependencies into .venv (first run: about a minute)")
    run(BIN / "python", "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off",
        "--quiet", "--editable", ".[dev]")
    STAMP.write_text(digest + "\n")


def compile_translations() -> None:
    if not any(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        say("no translation catalogs yet; skipping pybabel compile")
        return
    # --statistics off, quiet: it prints one line per catalog otherwise.
    subprocess.run([str(BIN / "pybabel"), "-q", "compile", "-d", str(TRANSLATIONS)], check=True,
                   cwd=ROOT, stdin=subprocess.DEVNULL)


def prepare_instance() -> None:
    """The instance folder and the development secret key, made once (not by reading config)."""
    subprocess.run([str(BIN / "python"), "-c", "from workbench.config import prepare_instance; prepare_instance()"],
                   check=True, cwd=ROOT, stdin=subprocess.DEVNULL)


def main() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (this runs under the system Python)
        sys.exit(f"[bootstrap] Python 3.11+ is needed, {sys.executable} is {sys.version.split()[0]}; "
                 "run with PYTHON=python3.11 make …")
    create_venv()
    install()
    compile_translations()
    prepare_instance()


if __name__ == "__main__":
    main()
