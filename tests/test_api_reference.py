"""
The built API reference: examples render as code, version notes as admonitions, no private names.

The site is built once (``mkdocs build --strict`` into a temporary folder, about 7 s) and the
rendered reference pages are read as a user would see them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scripts.griffe_versions import rewrite

ROOT = Path(__file__).parent.parent
_PRE = re.compile(r"<pre\b.*?</pre>", re.S)
_TAGS = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pages = {p.parent.name: p.read_text("utf-8") for p in (site / "reference").glob("*/index.html")}
    assert len(pages) >= 10
    return pages


def _visible_outside_code(page: str) -> str:
    return _TAGS.sub("", _PRE.sub("", page))


def test_no_raw_version_directives(reference: dict[str, str]) -> None:
    raw = {name: page.count(".. version") for name, page in reference.items()}
    assert {n: c for n, c in raw.items() if c} == {}
    assert sum(p.count("Added in version") for p in reference.values()) > 100


def test_examples_are_code_blocks(reference: dict[str, str]) -> None:
    loose = {
        name: _visible_outside_code(page).count("&gt;&gt;&gt;") for name, page in reference.items()
    }
    assert {n: c for n, c in loose.items() if c} == {}
    assert "<blockquote>" not in "".join(reference.values())
    in_code = sum(len(re.findall(r'class="gp">&gt;&gt;&gt;', p)) for p in reference.values())
    assert in_code > 50


def test_no_private_names_listed(reference: dict[str, str]) -> None:
    headings = re.compile(r'<h\d id="([^"]+)"')
    private = sorted(
        anchor
        for page in reference.values()
        for anchor in headings.findall(page)
        if any(part.startswith("_") and not part.startswith("__") for part in anchor.split("."))
    )
    assert private == []
    bases = re.compile(r"Bases:.*?</p>", re.S)
    shown = [b for page in reference.values() for b in bases.findall(page) if ">_" in b]
    assert shown == []


def test_rewrite_turns_directives_into_admonitions() -> None:
    doc = (
        "Summary.\n\n.. versionadded:: 0.1.0\n"
        ".. versionchanged:: 0.2.0\n   ``role`` and\n   more.\n"
    )
    assert rewrite(doc) == (
        "Summary.\n\n"
        '!!! info "Added in version 0.1.0"\n\n'
        '!!! note "Changed in version 0.2.0"\n'
        "    ``role`` and more.\n"
    )
    assert rewrite(".. versionchanged:: 0.2.0 *never*.") == (
        '!!! note "Changed in version 0.2.0"\n    *never*.\n'
    )


@given(
    st.text(alphabet=st.characters(blacklist_characters=".\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"))
)
def test_rewrite_leaves_other_text_alone(text: str) -> None:
    assert rewrite(text) == ("\n".join(text.splitlines()).rstrip() + "\n")
