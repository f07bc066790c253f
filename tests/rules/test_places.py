"""
Countries and subdivisions read from codes, ISO, English, native and former names.

Each table follows one stated convention; negative tables hold values that must not be
read (a former country that no longer exists, a name two subdivisions share).
"""

from __future__ import annotations

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordkit.rules import normalize_country, normalize_subdivision
from recordkit.rules._placeholders import is_placeholder
from recordkit.rules._places import (
    country_candidates,
    country_code,
    subdivision_candidates,
    subdivision_code,
)
from tests.strategies import any_value, messy_text

# Convention: any ISO 3166-1 code (alpha-2, alpha-3, numeric with or without its leading
# zeros), ISO, official or common name, or usual alias → the alpha-2 code.
COUNTRIES = [
    ("US", "US"),
    ("us", "US"),
    ("USA", "US"),
    ("840", "US"),
    ("United States of America", "US"),
    ("BR", "BR"),
    ("BRA", "BR"),
    ("076", "BR"),
    ("76", "BR"),
    ("Brazil", "BR"),
    ("Federative Republic of Brazil", "BR"),
    ("DE", "DE"),
    ("DEU", "DE"),
    ("276", "DE"),
    ("Federal Republic of Germany", "DE"),
    ("GB", "GB"),
    ("GBR", "GB"),
    ("826", "GB"),
    ("United Kingdom of Great Britain and Northern Ireland", "GB"),
    ("004", "AF"),
    ("4", "AF"),
    ("008", "AL"),
    ("8", "AL"),
    ("036", "AU"),
    ("36", "AU"),
    ("124", "CA"),
    ("156", "CN"),
    ("250", "FR"),
    ("356", "IN"),
    ("392", "JP"),
    ("484", "MX"),
    ("643", "RU"),
    ("724", "ES"),
    ("756", "CH"),
    ("CHE", "CH"),
    ("Swiss Confederation", "CH"),
    ("Bolivia", "BO"),
    ("Plurinational State of Bolivia", "BO"),
    ("Iran", "IR"),
    ("Islamic Republic of Iran", "IR"),
    ("Taiwan", "TW"),
    ("Republic of Korea", "KR"),
    ("Korea, Republic of", "KR"),
    ("Russian Federation", "RU"),
    ("Viet Nam", "VN"),
    ("Vietnam", "VN"),
    ("Lao People's Democratic Republic", "LA"),
    ("Czechia", "CZ"),
    ("Czech Republic", "CZ"),
    ("Eswatini", "SZ"),
    ("North Macedonia", "MK"),
    ("Türkiye", "TR"),
    ("Côte d'Ivoire", "CI"),
    ("Cote d'Ivoire", "CI"),
    ("Holland", "NL"),
    ("Deutschland", "DE"),
    ("España", "ES"),
    ("Österreich", "AT"),
    ("U.K.", "GB"),
    ("U.S.A.", "US"),
    ("Georgia", "GE"),
    ("GEO", "GE"),
    ("268", "GE"),
    ("Namibia", "NA"),
    ("NA", "NA"),
    ("NAM", "NA"),
]

# Convention: the former name or code of a country that still exists (renamed) → today's
# code.
RENAMED = [
    ("Burma", "MM"),
    ("BURMA", "MM"),
    ("BUR", "MM"),
    ("Union of Burma", "MM"),
    ("Zaire", "CD"),
    ("Zaïre", "CD"),
    ("ZAR", "CD"),
    ("Republic of Zaire", "CD"),
    ("Dahomey", "BJ"),
    ("Upper Volta", "BF"),
    ("New Hebrides", "VU"),
    ("Rhodesia", "ZW"),
    ("Southern Rhodesia", "ZW"),
    ("Northern Rhodesia", "ZM"),
    ("East Timor", "TL"),
    ("Byelorussian SSR", "BY"),
    ("Ceylon", "LK"),
    ("Siam", "TH"),
    ("Persia", "IR"),
    ("Kampuchea", "KH"),
    ("Bechuanaland", "BW"),
    ("Basutoland", "LS"),
    ("Nyasaland", "MW"),
    ("Gold Coast", "GH"),
    ("British Honduras", "BZ"),
    ("Dutch Guiana", "SR"),
    ("Abyssinia", "ET"),
    ("West Germany", "DE"),
    ("FRG", "DE"),
    ("BRD", "DE"),
    ("Swaziland", "SZ"),
    ("FYROM", "MK"),
    ("ROM", "RO"),
    ("Wake Island", "UM"),
    ("Midway Islands", "UM"),
    ("Johnston Island", "UM"),
    ("France, Metropolitan", "FR"),
    ("French Afars and Issas", "DJ"),
]

# Negative: a country that no longer exists is never read as a current one; its candidates
# are the current countries covering its territory.
CEASED = [
    ("Czechoslovakia", ("CZ", "SK")),
    ("CSSR", ("CZ", "SK")),
    ("CSK", ("CZ", "SK")),
    ("Serbia and Montenegro", ("RS", "ME")),
    ("SCG", ("RS", "ME")),
    ("Yugoslavia", ("BA", "HR", "ME", "MK", "RS", "SI")),
    ("YUG", ("BA", "HR", "ME", "MK", "RS", "SI")),
    ("USSR", ("AM", "AZ", "BY", "EE", "GE", "KG", "KZ", "LT", "LV", "MD", "RU", "TJ", "TM",
              "UA", "UZ")),
    ("Soviet Union", ("AM", "AZ", "BY", "EE", "GE", "KG", "KZ", "LT", "LV", "MD", "RU", "TJ",
                      "TM", "UA", "UZ")),
    ("East Germany", ("DE",)),
    ("German Democratic Republic", ("DE",)),
    ("GDR", ("DE",)),
    ("DDR", ("DE",)),
    ("South Yemen", ("YE",)),
    ("North Vietnam", ("VN",)),
    ("South Vietnam", ("VN",)),
    ("Sikkim", ("IN",)),
    ("Netherlands Antilles", ("BQ", "CW", "SX")),
    ("ANT", ("BQ", "CW", "SX")),
    ("Gilbert and Ellice Islands", ("KI", "TV")),
    ("Panama Canal Zone", ("PA",)),
    ("Neutral Zone", ("IQ", "SA")),
    ("East Pakistan", ("BD",)),
]  # fmt: skip

# Negative: values that name no country, and former alpha-2 codes given to another country
# since (GE was the Gilbert and Ellice Islands, SK Sikkim, BY the Byelorussian SSR).
NOT_COUNTRIES = [
    ("Narnia", None),
    ("1", None),
    ("999", None),
    ("0", None),
    ("", None),
    ("n/a", None),
    ("SU", None),
    ("YU", None),
    ("CS", None),
    ("DD", None),
    ("GE", "GE"),
    ("SK", "SK"),
    ("BY", "BY"),
    ("AI", "AI"),
]


class TestCountries:
    """
    Country codes, names and former names.
    """

    @pytest.mark.parametrize(("raw", "expected"), COUNTRIES + RENAMED)
    def test_read(self, raw: str, expected: str) -> None:
        """A code, name or former name of an existing country gives its alpha-2 code."""
        assert expected == country_code(raw)
        assert expected == normalize_country(raw)
        assert (expected,) == country_candidates(raw)

    @pytest.mark.parametrize(("raw", "expected"), CEASED)
    def test_ceased_not_read(self, raw: str, expected: tuple[str, ...]) -> None:
        """A country that no longer exists gives no code, and its successors as candidates."""
        assert country_code(raw) is None
        assert raw == normalize_country(raw)
        assert expected == country_candidates(raw)

    @pytest.mark.parametrize(("raw", "expected"), NOT_COUNTRIES)
    def test_not_countries(self, raw: str, expected: str | None) -> None:
        """Unknown text, bad numbers and reassigned former codes are read as today's."""
        assert expected == country_code(raw)

    @pytest.mark.parametrize("country", list(pycountry.countries), ids=lambda c: str(c.alpha_2))
    def test_every_country_by_every_code(self, country: object) -> None:
        """Every current country is read from its alpha-2, alpha-3, numeric code and name."""
        code = country.alpha_2  # type: ignore[attr-defined]
        for attr in ("alpha_2", "alpha_3", "numeric", "name"):
            assert code == country_code(getattr(country, attr)), attr
        assert code == country_code(int(country.numeric))  # type: ignore[attr-defined]

    @pytest.mark.parametrize("value", [True, False, 0, -1, 1000, 10**20, 4.0, None, b"US"])
    def test_numbers_and_other_values(self, value: object) -> None:
        """Only whole numbers 1-999 are read as numeric codes; other values name nothing."""
        assert country_code(value) is None
        assert () == country_candidates(value)

    def test_georgia_is_a_field_type_question(self) -> None:
        """Georgia is the country GE in a country field, the state US-GA in a subdivision."""
        assert "GE" == country_code("Georgia")
        assert "US-GA" == subdivision_code("Georgia", country="US")
        assert subdivision_code("Georgia", country="GE") is None


# Convention: a current code (full or after the dash), ISO name, English, native or former
# name → the ISO 3166-2 code.
SUBDIVISIONS: list[tuple[str, str | None, str]] = [
    ("Bayern", "DE", "DE-BY"),
    ("Bavaria", "DE", "DE-BY"),
    ("Freistaat Bayern", "DE", "DE-BY"),
    ("Baden-Württemberg", "DE", "DE-BW"),
    ("Baden-Wuerttemberg", "DE", "DE-BW"),
    ("BADEN-WÜRTTEMBERG", "DE", "DE-BW"),
    ("Nordrhein-Westfalen", "DE", "DE-NW"),
    ("North Rhine-Westphalia", "DE", "DE-NW"),
    ("NRW", "DE", "DE-NW"),
    ("Niedersachsen", "DE", "DE-NI"),
    ("Lower Saxony", "DE", "DE-NI"),
    ("Rhineland-Palatinate", "DE", "DE-RP"),
    ("Mecklenburg-Vorpommern", "DE", "DE-MV"),
    ("Thüringen", "DE", "DE-TH"),
    ("Québec", "CA", "CA-QC"),
    ("Quebec", "CA", "CA-QC"),
    ("Province de Québec", "CA", "CA-QC"),
    ("Newfoundland", "CA", "CA-NL"),
    ("Yukon Territory", "CA", "CA-YT"),
    ("Colombie-Britannique", "CA", "CA-BC"),
    ("Cataluña", "ES", "ES-CT"),
    ("Catalunya", "ES", "ES-CT"),
    ("Catalonia", "ES", "ES-CT"),
    ("Andalucía", "ES", "ES-AN"),
    ("Euskadi", "ES", "ES-PV"),
    ("País Vasco", "ES", "ES-PV"),
    ("Comunidad Valenciana", "ES", "ES-VC"),
    ("Castilla y León", "ES", "ES-CL"),
    ("Navarre", "ES", "ES-NC"),
    ("Lombardia", "IT", "IT-25"),
    ("Lombardy", "IT", "IT-25"),
    ("Toscana", "IT", "IT-52"),
    ("Tuscany", "IT", "IT-52"),
    ("Sicilia", "IT", "IT-82"),
    ("Sicily", "IT", "IT-82"),
    ("Piedmont", "IT", "IT-21"),
    ("Milano", "IT", "IT-MI"),
    ("Milan", "IT", "IT-MI"),
    ("Roma", "IT", "IT-RM"),
    ("Rome", "IT", "IT-RM"),
    ("São Paulo", "BR", "BR-SP"),
    ("Sao Paulo", "BR", "BR-SP"),
    ("SP", "BR", "BR-SP"),
    ("Rio de Janeiro", "BR", "BR-RJ"),
    ("Minas Gerais", "BR", "BR-MG"),
    ("Distrito Federal", "BR", "BR-DF"),
    ("Maharashtra", "IN", "IN-MH"),
    ("Mahārāshtra", "IN", "IN-MH"),
    ("Tamil Nadu", "IN", "IN-TN"),
    ("Odisha", "IN", "IN-OD"),
    ("Orissa", "IN", "IN-OD"),
    ("Uttaranchal", "IN", "IN-UK"),
    ("Uttarakhand", "IN", "IN-UK"),
    ("Pondicherry", "IN", "IN-PY"),
    ("Puducherry", "IN", "IN-PY"),
    ("New Delhi", "IN", "IN-DL"),
    ("Daman and Diu", "IN", "IN-DH"),
    ("Ciudad de México", "MX", "MX-CMX"),
    ("Distrito Federal", "MX", "MX-CMX"),
    ("D.F.", "MX", "MX-CMX"),
    ("Estado de México", "MX", "MX-MEX"),
    ("Nuevo León", "MX", "MX-NLE"),
    ("Veracruz", "MX", "MX-VER"),
    ("Michoacán", "MX", "MX-MIC"),
    ("Jalisco", "MX", "MX-JAL"),
    ("Geneva", "CH", "CH-GE"),
    ("Genève", "CH", "CH-GE"),
    ("Genf", "CH", "CH-GE"),
    ("Zürich", "CH", "CH-ZH"),
    ("Zurich", "CH", "CH-ZH"),
    ("Vienna", "AT", "AT-9"),
    ("Wien", "AT", "AT-9"),
    ("Tyrol", "AT", "AT-7"),
    ("Flanders", "BE", "BE-VLG"),
    ("Wallonie", "BE", "BE-WAL"),
    ("Région wallonne", "BE", "BE-WAL"),
    ("Brussels", "BE", "BE-BRU"),
    ("North Holland", "NL", "NL-NH"),
    ("Noord-Holland", "NL", "NL-NH"),
    ("Friesland", "NL", "NL-FR"),
    ("Fryslân", "NL", "NL-FR"),
    ("Île-de-France", "FR", "FR-IDF"),
    ("Ile de France", "FR", "FR-IDF"),
    ("Brittany", "FR", "FR-BRE"),
    ("Corsica", "FR", "FR-20R"),
    ("Lorraine", "FR", "FR-GES"),
    ("Aquitaine", "FR", "FR-NAQ"),
    ("Alsace", "FR", "FR-6AE"),
    ("Beijing", "CN", "CN-BJ"),
    ("北京", "CN", "CN-BJ"),
    ("Shanghai", "CN", "CN-SH"),
    ("Guangdong", "CN", "CN-GD"),
    ("Tibet", "CN", "CN-XZ"),
    ("Tokyo", "JP", "JP-13"),
    ("東京都", "JP", "JP-13"),
    ("Osaka-fu", "JP", "JP-27"),
    ("Seoul", "KR", "KR-11"),
    ("서울", "KR", "KR-11"),
    ("Moscow", "RU", "RU-MOW"),
    ("Москва", "RU", "RU-MOW"),
    ("Saint Petersburg", "RU", "RU-SPE"),
    ("Stockholm", "SE", "SE-AB"),
    ("Skåne", "SE", "SE-M"),
    ("Lisbon", "PT", "PT-11"),
    ("Azores", "PT", "PT-20"),
    ("Scotland", "GB", "GB-SCT"),
    ("Cymru", "GB", "GB-WLS"),
    ("Connacht", "IE", "IE-C"),
    ("Bavaria", "Germany", "DE-BY"),
    ("Quebec", "Canada", "CA-QC"),
    ("Orissa", "India", "IN-OD"),
    # A name a subdivision shares with one inside it names the containing one.
    ("Madrid", "ES", "ES-MD"),
    ("Murcia", "ES", "ES-MC"),
    ("Cantabria", "ES", "ES-CB"),
    ("Dhaka", "BD", "BD-C"),
    ("Saaremaa", "EE", "EE-74"),
]

# Convention: a withdrawn ISO 3166-2 code whose area is now inside one subdivision → that
# subdivision, with or without the country given.
FORMER_CODES: list[tuple[str, str | None, str]] = [
    ("CA-PQ", None, "CA-QC"),
    ("PQ", "CA", "CA-QC"),
    ("CA-NF", None, "CA-NL"),
    ("NF", "CA", "CA-NL"),
    ("IN-OR", None, "IN-OD"),
    ("IN-UL", None, "IN-UK"),
    ("IN-UT", None, "IN-UK"),
    ("IN-CT", None, "IN-CG"),
    ("IN-TG", None, "IN-TS"),
    ("IN-DD", None, "IN-DH"),
    ("IN-DN", None, "IN-DH"),
    ("MX-DIF", None, "MX-CMX"),
    ("DIF", "MX", "MX-CMX"),
    ("FR-A", None, "FR-GES"),
    ("FR-J", None, "FR-IDF"),
    ("FR-U", None, "FR-PAC"),
    ("FR-H", None, "FR-20R"),
    ("GB-ANT", None, "GB-ANN"),
    ("GB-NTA", None, "GB-ANN"),
    ("GB-DRY", None, "GB-DRS"),
    ("GB-BMH", None, "GB-BCP"),
    ("GB-POL", None, "GB-BCP"),
    ("ca-pq", None, "CA-QC"),
]

# Negative: a name two subdivisions of one country share, or a withdrawn code or name whose
# area is now in several, names none; the candidates are all of them.
AMBIGUOUS = [
    ("Tartu", "EE", ("EE-793", "EE-796")),
    ("Rakvere", "EE", ("EE-661", "EE-663")),
    ("Veszprém", "HU", ("HU-VE", "HU-VM")),
    ("Maputo", "MZ", ("MZ-L", "MZ-MPM")),
    ("Chiayi", "TW", ("TW-CYI", "TW-CYQ")),
    ("Hsinchu", "TW", ("TW-HSQ", "TW-HSZ")),
    ("Toshkent", "UZ", ("UZ-TK", "UZ-TO")),
    ("Cheshire", "GB", ("GB-CHE", "GB-CHW")),
    ("GB-CHS", None, ("GB-CHE", "GB-CHW")),
    ("Northamptonshire", "GB", ("GB-NNH", "GB-WNH")),
    ("GB-NTH", None, ("GB-NNH", "GB-WNH")),
    ("Castlereagh", "GB", ("GB-LBC", "GB-BFS")),
]

# Negative: text naming no subdivision of the country stays unread.
NOT_SUBDIVISIONS = [
    ("Narnia", "US"),
    ("Bavaria", "AT"),
    ("Quebec", "US"),
    ("NY", None),
    ("Georgia", "GE"),
    ("", "US"),
    ("n/a", "US"),
    ("CA-PQ", "US"),
]


class TestSubdivisions:
    """
    Subdivision codes, names and withdrawn codes.
    """

    @pytest.mark.parametrize(("raw", "country", "expected"), SUBDIVISIONS + FORMER_CODES)
    def test_read(self, raw: str, country: str | None, expected: str) -> None:
        """A code, name or withdrawn code gives the current ISO 3166-2 code."""
        assert expected == subdivision_code(raw, country=country)
        assert expected == normalize_subdivision(raw, country=country)
        assert (expected,) == subdivision_candidates(raw, country=country)

    @pytest.mark.parametrize(("raw", "country", "expected"), AMBIGUOUS)
    def test_ambiguous_not_read(
        self, raw: str, country: str | None, expected: tuple[str, ...]
    ) -> None:
        """A shared name gives no code, and every subdivision it may mean as candidates."""
        assert subdivision_code(raw, country=country) is None
        assert raw == normalize_subdivision(raw, country=country)
        assert sorted(expected) == sorted(subdivision_candidates(raw, country=country))

    @pytest.mark.parametrize(("raw", "country"), NOT_SUBDIVISIONS)
    def test_not_subdivisions(self, raw: str, country: str | None) -> None:
        """Text naming no subdivision of the country gives no code and no candidates."""
        assert subdivision_code(raw, country=country) is None
        assert () == subdivision_candidates(raw, country=country)

    @pytest.mark.parametrize(
        "country", ["US", "CA", "DE", "FR", "GB", "IN", "MX", "BR", "IT", "ES", "JP", "CN"]
    )
    def test_every_code_of_a_country(self, country: str) -> None:
        """Every current subdivision is read from its full code and from the part after it.

        The part after the dash is not read when it spells a placeholder (``NA``, Napoli's
        and Navarra's, reads as "n/a").
        """
        for sub in pycountry.subdivisions.get(country_code=country):  # type: ignore[no-untyped-call]
            assert sub.code == subdivision_code(sub.code)
            suffix = sub.code.split("-", 1)[1]
            expected = None if is_placeholder(suffix) else sub.code
            assert expected == subdivision_code(suffix, country=country)


class TestProperties:
    """
    The lookups never raise and agree with each other.
    """

    @settings(max_examples=300)
    @given(value=any_value(), country=st.sampled_from([None, "US", "GB", "DE", "EE", 840, []]))
    def test_never_raise(self, value: object, country: object) -> None:
        """Any value and country give a code or None, and a tuple of candidates."""
        code = subdivision_code(value, country=country)
        candidates = subdivision_candidates(value, country=country)
        assert code is None or (code,) == candidates
        assert isinstance(country_candidates(value), tuple)

    @settings(max_examples=300)
    @given(value=messy_text())
    def test_country_is_idempotent(self, value: str) -> None:
        """A normalized country normalizes to itself."""
        once = normalize_country(value)
        assert once == normalize_country(once)

    @settings(max_examples=200)
    @given(value=messy_text(), country=st.sampled_from(["US", "CA", "DE", "GB", "IN", "FR"]))
    def test_subdivision_is_idempotent(self, value: str, country: str) -> None:
        """A normalized subdivision normalizes to itself."""
        once = normalize_subdivision(value, country=country)
        assert once == normalize_subdivision(once, country=country)
