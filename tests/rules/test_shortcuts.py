"""
The engine's shortcuts answer as the plain definitions they stand for.

The placeholder screen's tables of first and last characters, and the batch reader's road
for rows that are plain dicts with the same keys, are held equal to the definitions they
replace, for every character and for any rows.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from recordkit.rules import RuleSet, chunks_of
from recordkit.rules import _placeholders as p
from tests.strategies import messy_text


def _by_definition(text: str) -> bool:
    """
    `surely_not_placeholder` as first written: from the end characters alone (of text
    without control characters; text with them may be one once they are gone).
    """
    if not text or len(text) > p._MAX:
        return True
    if not text.isprintable():
        return False
    first, last = text[0], text[-1]
    return (first.isalnum() and first.casefold()[:1] not in p._FIRST) or (
        last.isalnum() and last.casefold()[-1:] not in p._LAST
    )


class TestPlaceholderScreen:
    def test_every_character_at_either_end(self) -> None:
        """The tables give the definition's answer for every character up to U+2FFF."""
        chars = [chr(c) for c in range(0x3000) if not 0xD800 <= c <= 0xDFFF]
        for c in chars:
            for text in (c, f"{c}-", f"-{c}", f"{c}x{c}"):
                assert _by_definition(text) == p.surely_not_placeholder(text), text

    @settings(max_examples=2000)
    @given(st.text(max_size=45) | messy_text())
    def test_any_text(self, text: str) -> None:
        assert _by_definition(text) == p.surely_not_placeholder(text)

    @settings(max_examples=1000)
    @given(
        st.builds(
            lambda a, w, b: a + w + b,
            st.text(max_size=3),
            st.sampled_from([*sorted(p.PLACEHOLDERS), "N/A", "-", "??", "xx"]),
            st.text(max_size=3),
        )
        | messy_text()
    )
    def test_surely_not_is_never_wrong(self, text: str) -> None:
        """Text the screen clears is never a placeholder (control characters and all)."""
        assert not (p.surely_not_placeholder(text) and p.is_placeholder(text))


_KEYS = st.sampled_from(["first_name", "email", "phone", "zip", "extra"])


class TestRowsAsColumns:
    @settings(max_examples=300)
    @given(
        rows=st.lists(
            st.dictionaries(_KEYS, st.none() | st.text(max_size=5) | st.integers(), max_size=5),
            max_size=12,
        ),
        size=st.integers(1, 5),
    )
    def test_plain_dicts_read_as_any_mapping(self, rows: list[dict[str, Any]], size: int) -> None:
        """Plain dicts (same keys or not) give the columns, in order, that mappings give."""
        plain = list(chunks_of(rows, size))
        other = list(chunks_of([MappingProxyType(r) for r in rows], size))
        assert [(list(c), c, n) for c, n in other] == [(list(c), c, n) for c, n in plain]

    def test_same_keys_in_another_order(self) -> None:
        """Rows with the same keys in another order keep the first row's column order."""
        rows = [{"a": 1, "b": 2}, {"b": 3, "a": 4}]
        [(columns, length)] = list(chunks_of(rows, 10))
        assert (["a", "b"], {"a": [1, 4], "b": [2, 3]}, 2) == (list(columns), columns, length)

    def test_batch_outcome_unchanged_by_the_row_type(self) -> None:
        """A batch of plain dicts and the same rows as other mappings agree in everything."""
        import recordkit as rk

        rules = RuleSet.for_schema(rk.bundled_schema("contact"))
        rows = [
            {"first_name": "ada", "last_name": "LOVELACE", "email": "A@B.IO", "phone": "x"},
            {"first_name": "grace", "last_name": "hopper", "email": "nope", "phone": ""},
        ] * 3
        plain = rules.run_batch(rows)
        other = rules.run_batch([MappingProxyType(r) for r in rows])
        assert other == plain
        assert list(other.by_rule) == list(plain.by_rule)
