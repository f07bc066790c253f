"""
Name casing by part (full, given, family), nobiliary particles and the shipped Mac/Mc list.

Each table follows one stated convention; the negative tables hold names that look like a
rule applies but must be left as they are.
"""

from __future__ import annotations

from importlib import resources
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordkit import SchemaError
from recordkit.rules import normalize_name
from tests.strategies import any_value, messy_text

Part = Literal["full", "given", "family"]
PARTS: tuple[Part, ...] = ("full", "given", "family")

# Convention (full name): words typed in one case are title-cased; a particle is lower case
# after the first word and capitalised as the first word (a name written without its given
# name begins with a capital: "Van der Berg"); a particle that is the last word is a name.
FULL = [
    ("pieter van der berg", "Pieter van der Berg"),
    ("PIETER VAN DER BERG", "Pieter van der Berg"),
    ("van der berg", "Van der Berg"),
    ("VAN DER BERG", "Van der Berg"),
    ("von neumann", "Von Neumann"),
    ("john von neumann", "John von Neumann"),
    ("ludwig van beethoven", "Ludwig van Beethoven"),
    ("de la cruz", "De la Cruz"),
    ("maria de la cruz", "Maria de la Cruz"),
    ("MARIA DE LA CRUZ", "Maria de la Cruz"),
    ("leonardo da vinci", "Leonardo da Vinci"),
    ("da vinci", "Da Vinci"),
    ("giovanni di stefano", "Giovanni di Stefano"),
    ("di stefano", "Di Stefano"),
    ("jacqueline du pre", "Jacqueline du Pre"),
    ("du pre", "Du Pre"),
    ("maria del carmen", "Maria del Carmen"),
    ("andrea della robbia", "Andrea della Robbia"),
    ("della robbia", "Della Robbia"),
    ("gerard ter borch", "Gerard ter Borch"),
    ("ter borch", "Ter Borch"),
    ("joost den uyl", "Joost den Uyl"),
    ("jean de la fontaine", "Jean de la Fontaine"),
    ("jean le rond", "Jean le Rond"),
    ("le rond", "Le Rond"),
    ("mohammed bin salman", "Mohammed bin Salman"),
    ("BIN SALMAN", "Bin Salman"),
    ("ahmad ibn hanbal", "Ahmad ibn Hanbal"),
    ("ibn khaldun", "Ibn Khaldun"),
    ("abdullah al saud", "Abdullah al Saud"),
    ("al pacino", "Al Pacino"),
    ("vasco da gama", "Vasco da Gama"),
    ("joao dos santos", "Joao dos Santos"),
    ("otto von bismarck", "Otto von Bismarck"),
    ("thanh le", "Thanh Le"),
    ("THANH LE", "Thanh Le"),
    ("jean du", "Jean Du"),
    ("anna di", "Anna Di"),
    ("Van der Berg", "Van der Berg"),
    ("van Gogh", "Van Gogh"),
    ("vincent van gogh", "Vincent van Gogh"),
    ("Vincent Van Gogh", "Vincent Van Gogh"),
    ("john macdonald", "John MacDonald"),
    ("JOHN MCCARTHY", "John McCarthy"),
    ("mary-kate o'neil", "Mary-Kate O'Neil"),
    ("ada lovelace", "Ada Lovelace"),
    ("le", "Le"),
    ("van", "Van"),
    ("de", "De"),
    ("", ""),
]

# Convention (family name): particles are lower case unless the particle is the whole name
# or its last word; Mac/Mc surnames get the inner capital when listed.
FAMILY = [
    ("van der berg", "van der Berg"),
    ("VAN DER BERG", "van der Berg"),
    ("Van der Berg", "Van der Berg"),
    ("von neumann", "von Neumann"),
    ("VON BISMARCK", "von Bismarck"),
    ("de la cruz", "de la Cruz"),
    ("DE LA CRUZ", "de la Cruz"),
    ("da silva", "da Silva"),
    ("dos santos", "dos Santos"),
    ("das neves", "das Neves"),
    ("di stefano", "di Stefano"),
    ("du pont", "du Pont"),
    ("del toro", "del Toro"),
    ("della robbia", "della Robbia"),
    ("der kinderen", "der Kinderen"),
    ("den uyl", "den Uyl"),
    ("ter borch", "ter Borch"),
    ("ten boom", "ten Boom"),
    ("la fontaine", "la Fontaine"),
    ("le rond", "le Rond"),
    ("bin laden", "bin Laden"),
    ("ibn saud", "ibn Saud"),
    ("al saud", "al Saud"),
    ("garcia y perez", "Garcia y Perez"),
    ("zu guttenberg", "zu Guttenberg"),
    ("le", "Le"),
    ("LE", "Le"),
    ("di", "Di"),
    ("du", "Du"),
    ("van", "Van"),
    ("da", "Da"),
    ("smith", "Smith"),
    ("SMITH-JONES", "Smith-Jones"),
    ("o'brien", "O'Brien"),
    ("d'angelo", "D'Angelo"),
    ("müller", "Müller"),
    ("", ""),
]

# Convention (given names): particles are ordinary words; the Mac/Mc list (surnames) is not
# applied, so a given name like Mackenzie keeps its usual spelling.
GIVEN = [
    ("ada", "Ada"),
    ("ADA", "Ada"),
    ("jean-luc", "Jean-Luc"),
    ("MARY ANN", "Mary Ann"),
    ("de", "De"),
    ("maria de los angeles", "Maria De Los Angeles"),
    ("le", "Le"),
    ("van", "Van"),
    ("al", "Al"),
    ("mackenzie", "Mackenzie"),
    ("MACKENZIE", "Mackenzie"),
    ("mckenna", "Mckenna"),
    ("macy", "Macy"),
    ("DeShawn", "DeShawn"),
    ("zoë", "Zoë"),
    ("josé", "José"),
    ("", ""),
]

# Convention: listed Mac/Mc surnames get the inner capital in family and full names.
MAC_LISTED = [
    ("macdonald", "MacDonald"),
    ("MACDONALD", "MacDonald"),
    ("macleod", "MacLeod"),
    ("mackenzie", "MacKenzie"),
    ("MACKAY", "MacKay"),
    ("maclean", "MacLean"),
    ("macgregor", "MacGregor"),
    ("macpherson", "MacPherson"),
    ("macmillan", "MacMillan"),
    ("macarthur", "MacArthur"),
    ("macintyre", "MacIntyre"),
    ("macneil", "MacNeil"),
    ("macaulay", "MacAulay"),
    ("macrae", "MacRae"),
    ("macfarlane", "MacFarlane"),
    ("mackinnon", "MacKinnon"),
    ("macgillivray", "MacGillivray"),
    ("macdougall", "MacDougall"),
    ("maclachlan", "MacLachlan"),
    ("mactavish", "MacTavish"),
    ("mcdonald", "McDonald"),
    ("MCDONALD", "McDonald"),
    ("mccarthy", "McCarthy"),
    ("mcintosh", "McIntosh"),
    ("mckenzie", "McKenzie"),
    ("mcgregor", "McGregor"),
    ("mcneil", "McNeil"),
    ("mcbride", "McBride"),
    ("mclaughlin", "McLaughlin"),
    ("mccormick", "McCormick"),
    ("mcguire", "McGuire"),
    ("mcmahon", "McMahon"),
    ("mcnamara", "McNamara"),
    ("mchugh", "McHugh"),
    ("mcgrath", "McGrath"),
    ("mccoy", "McCoy"),
    ("mckee", "McKee"),
    ("mcadams", "McAdams"),
    ("mcelroy", "McElroy"),
    ("mcwilliams", "McWilliams"),
    ("smith-mcdonald", "Smith-McDonald"),
    ("macdonald-ross", "MacDonald-Ross"),
]

# Negative: names that begin with "mac" or "mc" but are not listed keep a plain capital.
MAC_NOT_LISTED = [
    ("mack", "Mack"),
    ("MACK", "Mack"),
    ("macy", "Macy"),
    ("MACY", "Macy"),
    ("machado", "Machado"),
    ("MACHADO", "Machado"),
    ("macias", "Macias"),
    ("macon", "Macon"),
    ("mace", "Mace"),
    ("macey", "Macey"),
    ("mackey", "Mackey"),
    ("mackie", "Mackie"),
    ("mackintosh", "Mackintosh"),
    ("macedo", "Macedo"),
    ("machin", "Machin"),
    ("macri", "Macri"),
    ("macaluso", "Macaluso"),
    ("maciel", "Maciel"),
    ("macomber", "Macomber"),
    ("macbeth", "Macbeth"),
    ("mac", "Mac"),
    ("mc", "Mc"),
    ("mcx", "Mcx"),
    ("machine", "Machine"),
]

# Negative: a name written with care (mixed case) is never recased, whatever the rules say.
WRITTEN_WITH_CARE = [
    "Mackintosh",
    "MacDonald",
    "Macdonald",
    "McDonald",
    "Mcdonald",
    "Mackenzie",
    "Van",
    "De",
    "DeVito",
    "d'Alembert",
    "LeBlanc",
    "DiCaprio",
    "Ada MacKenzie",
    "Van Der Berg",
]


def _mac_file() -> list[str]:
    text = resources.files("recordkit.rules").joinpath("data").joinpath("mac_surnames.txt")
    lines = (line.strip() for line in text.read_text("utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


class TestParts:
    """
    Each part's table, and the same names under every part where the part does not matter.
    """

    @pytest.mark.parametrize(("raw", "expected"), FULL)
    def test_full(self, raw: str, expected: str) -> None:
        """A full name follows the full-name convention, and is the default part."""
        assert expected == normalize_name(raw, part="full")
        assert expected == normalize_name(raw)

    @pytest.mark.parametrize(("raw", "expected"), FAMILY)
    def test_family(self, raw: str, expected: str) -> None:
        """A family name follows the family-name convention."""
        assert expected == normalize_name(raw, part="family")

    @pytest.mark.parametrize(("raw", "expected"), GIVEN)
    def test_given(self, raw: str, expected: str) -> None:
        """Given names treat particles and Mac/Mc as ordinary words."""
        assert expected == normalize_name(raw, part="given")

    @pytest.mark.parametrize(("raw", "expected"), MAC_LISTED)
    @pytest.mark.parametrize("part", ["full", "family"])
    def test_listed_mac_surnames(self, raw: str, expected: str, part: Part) -> None:
        """A listed Mac/Mc surname gets its inner capital in full and family names."""
        assert expected == normalize_name(raw, part=part)

    @pytest.mark.parametrize(("raw", "expected"), MAC_NOT_LISTED)
    @pytest.mark.parametrize("part", PARTS)
    def test_unlisted_mac_names(self, raw: str, expected: str, part: Part) -> None:
        """A name that merely starts with mac or mc gets no inner capital."""
        assert expected == normalize_name(raw, part=part)

    @pytest.mark.parametrize("raw", WRITTEN_WITH_CARE)
    @pytest.mark.parametrize("part", PARTS)
    def test_mixed_case_is_kept(self, raw: str, part: Part) -> None:
        """A word typed in mixed case is left as it was written."""
        assert raw == normalize_name(raw, part=part)

    @pytest.mark.parametrize("part", PARTS)
    def test_not_text_is_returned(self, part: Part) -> None:
        """A value that is not text comes back as it was given."""
        assert 42 == normalize_name(42, part=part)
        assert normalize_name(None, part=part) is None


class TestBadPart:
    """
    An unknown part is refused with a SchemaError naming the option.
    """

    @pytest.mark.parametrize("part", ["first", "FULL", "", None, 1, ("full",)])
    def test_refused(self, part: object) -> None:
        """Anything but full, given or family raises a SchemaError at path part."""
        with pytest.raises(SchemaError) as caught:
            normalize_name("ada", part=part)  # type: ignore[arg-type]
        assert "part" == caught.value.path
        assert "part must be" in str(caught.value)


class TestMacList:
    """
    The shipped list is well formed and holds none of the names it exists to leave alone.
    """

    def test_entries_are_prefixed_surnames(self) -> None:
        """Every entry is Mac or Mc, then a capital, then lower-case letters."""
        bad = [
            n for n in _mac_file() if not (n[:3] == "Mac" and n[3:4].isupper())
            and not (n[:2] == "Mc" and n[2:3].isupper())
        ]  # fmt: skip
        assert [] == bad
        assert all(n[4:].islower() or n[3:].islower() for n in _mac_file())

    def test_no_duplicates(self) -> None:
        """No surname is listed twice, in any case."""
        names = [n.lower() for n in _mac_file()]
        assert len(names) == len(set(names))

    def test_negatives_are_absent(self) -> None:
        """Names that only look like Mac surnames are not listed."""
        listed = {n.lower() for n in _mac_file()}
        assert set() == listed & {raw.lower() for raw, _ in MAC_NOT_LISTED}

    def test_list_is_large(self) -> None:
        """The list covers the common names of both prefixes."""
        names = _mac_file()
        assert sum(n.startswith("Mac") for n in names) >= 100
        assert sum(n.startswith("Mc") for n in names) >= 1_000


class TestProperties:
    """
    normalize_name never raises for any value and part, and is idempotent.
    """

    @settings(max_examples=300)
    @given(value=any_value(), part=st.sampled_from(PARTS))
    def test_never_raises(self, value: object, part: Part) -> None:
        """Any value under any part gives text or the value itself."""
        out = normalize_name(value, part=part)
        assert isinstance(out, str) or out is value

    @settings(max_examples=300)
    @given(value=messy_text(), part=st.sampled_from(PARTS))
    def test_idempotent(self, value: str, part: Part) -> None:
        """Normalizing twice gives what normalizing once gave."""
        once = normalize_name(value, part=part)
        assert once == normalize_name(once, part=part)

    @settings(max_examples=200)
    @given(
        words=st.lists(
            st.sampled_from(["van", "DER", "de", "la", "macdonald", "MACK", "o'neil", "le"]),
            min_size=1,
            max_size=5,
        ),
        part=st.sampled_from(PARTS),
    )
    def test_idempotent_on_particles(self, words: list[str], part: Part) -> None:
        """Names built from particles and Mac words are stable after one pass."""
        once = normalize_name(" ".join(words), part=part)
        assert once == normalize_name(once, part=part)
        assert once.lower() == " ".join(words).lower()
