"""Seeded generator of realistic, messy CRM contact data with ground truth.

Run it as a script to write the bundled sample (the committed files are the output of
exactly this command)::

    python scripts/make_contacts.py --rows 2400 --seed 7 --dup-rate 0.15 \\
        --out src/recordkit/data/contacts.csv --truth src/recordkit/data/contacts_truth.csv

or import it (``scripts/`` is not a package; load it with importlib) and call
`generate_contacts` (a list of row dicts plus the truth) or `generate_columns` (one list
per column plus ``entity_id``; the two agree row for row for the same arguments).

The mess model
==============

Generation happens in three steps.

1. **People** ("entities", ids ``E00001``...). Each person gets a country (about 60% US,
   the rest CA, GB, DE, FR, AU, IN, BR, MX, JP, ES, NL, IE), a name drawn from a name
   pool that fits the country (Anglo, Hispanic, German, French, Dutch, Portuguese,
   Indian, Chinese, Japanese, Russian; Chinese, Japanese and Russian names also have a
   native-script spelling such as 王伟 or Иван), an employer drawn from a per-country pool
   of companies (so colleagues share company, industry and website), a job title that
   fits the industry, a city with its state/province and a country-shaped postcode, a
   phone number that Google's libphonenumber accepts as valid (a real area code or
   mobile prefix plus random subscriber digits, checked with
   ``phonenumbers`` for the person's country and redrawn until valid), a work or
   personal email derived from the name, a birth date and an email opt-in flag. Emails
   (gmail dots ignored) and phone numbers are unique per person, so two different people
   never share one; addresses, companies and websites are shared, and names are not
   unique either: there are many different John Smiths, as in life.

2. **Rows.** Every person gets one row; then ``round(n_rows * dup_rate)`` extra rows
   are copies of people chosen at random (a chosen person gets 1, 2 or 3 extra rows,
   weights 75/18/7%). Each extra row receives one to three *duplicate perturbations*:

   - a one-edit typo in the first or last name (delete, insert or substitute a
     neighbouring key);
   - a nickname for the first name (see `NICKNAMES`);
   - first and last name swapped; a first name cut to an initial (``J.``);
   - an email change: different case, a ``+tag`` added, gmail dots moved, gmail vs
     googlemail, or a different address of the same person (work vs personal);
   - an unusual phone format or a second number of the same person;
   - the company written differently (``Acme Inc`` / ``ACME, Inc.`` / ``Acme``);
   - a changed job title (other spelling, promoted, or a new role);
   - a move to another address in the same country;
   - one contact field left blank.

   Extra rows also redraw the lead source 40% of the time and flip the opt-in 8% of
   the time. Rows are then shuffled so that no two rows of one person are adjacent
   (best effort: impossible for some tiny inputs).

3. **Rendering.** Every row (original or copy) is written with independent, mostly
   small, doses of everyday mess: phones in many formats (``+1 212-555-0148``,
   ``(212) 555-0148``, ``212.555.0148``, ``2125550148``, ``+12125550148``,
   ``001 212 555 0148``, national format without country code outside North America,
   ``+44 (0)20 ...``, some with ``x204`` / ``ext. 12`` extensions); emails with upper
   case, stray spaces, ``+tags``, moved gmail dots and a few invalid ones (``jane@@x``,
   ``jane.example.com``); names in CAPS, lower case or naive title case (``Mcdonald``),
   with stray spaces, without diacritics, in native script, with ``Dr.`` in front or
   the whole name in ``first_name``; companies as ``Acme Inc`` / ``ACME INC`` / ``Acme``
   and now and then ``N/A``; street types abbreviated or not (``Street``/``St.``,
   ``straße``/``str.``); cities by another name (``Munich``, ``Bombay``, ``NYC``);
   states and countries in code, full, dotted and lower-case forms; postcodes without
   their space or hyphen, as ZIP+4, or without the leading zero a spreadsheet ate;
   ``industry`` and ``lead_source`` written with synonyms and typos; dates in mixed
   formats (slashed dates are always month first, ``3/7/1985`` or ``03/07/1985``;
   ``07.03.1985`` appears only on German and Dutch rows); ``email_opt_in`` as
   yes/no/Y/N/true/false/1/0/TRUE; websites with and without scheme and ``www``; and
   blanks in every column but ``source_id``.

The ground truth is ``source_id -> entity_id``. Everything is driven by one seed through
numpy's ``Generator`` (bulk choices) and ``random.Random`` (small per-row edits), so
output is byte-for-byte reproducible for a given numpy and phonenumbers version.
"""

from __future__ import annotations

import argparse
import csv
import functools
import random
import re
import sys
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat

__all__ = [
    "COLUMNS",
    "COUNTRY_VARIANTS",
    "INDUSTRY_VARIANTS",
    "LEAD_SOURCE_VARIANTS",
    "NICKNAMES",
    "TRUTH_COLUMNS",
    "generate_columns",
    "generate_contacts",
    "main",
    "write_csv",
]

COLUMNS: tuple[str, ...] = (
    "source_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "job_title",
    "industry",
    "lead_source",
    "street",
    "city",
    "state",
    "postcode",
    "country",
    "website",
    "birth_date",
    "email_opt_in",
    "last_contacted",
    "owner",
)
TRUTH_COLUMNS: tuple[str, ...] = ("source_id", "entity_id")

IntArray = npt.NDArray[np.int64]


def _items(text: str) -> tuple[str, ...]:
    """Split a comma-separated literal into stripped items (keeps tables compact).

    Items themselves never contain a comma; the few that need one are written as tuples.
    """
    return tuple(item.strip() for item in text.split(",") if item.strip())


# ---------------------------------------------------------------------------------------
# Public reference tables (useful to a downstream matcher or normalizer)
# ---------------------------------------------------------------------------------------

#: Formal first name -> the nickname duplicates may use instead. Several formal names share
#: a nickname (Alexander/Alexandra -> Alex, Samuel/Samantha -> Sam, Christopher/Christine
#: -> Chris), so the inverse is one-to-many.
NICKNAMES: dict[str, str] = {
    "Abigail": "Abby",
    "Alejandro": "Álex",
    "Alexander": "Alex",
    "Alexandra": "Alex",
    "Amanda": "Mandy",
    "Andrew": "Andy",
    "Anthony": "Tony",
    "Barbara": "Barb",
    "Benjamin": "Ben",
    "Charles": "Charlie",
    "Christine": "Chris",
    "Christopher": "Chris",
    "Daniel": "Dan",
    "David": "Dave",
    "Deborah": "Debbie",
    "Dmitri": "Dima",
    "Edward": "Ed",
    "Ekaterina": "Katya",
    "Elizabeth": "Liz",
    "Francisco": "Paco",
    "Gregory": "Greg",
    "Guadalupe": "Lupe",
    "Jacob": "Jake",
    "James": "Jim",
    "Jennifer": "Jen",
    "Jessica": "Jess",
    "Johannes": "Hans",
    "John": "Johnny",
    "Jonathan": "Jon",
    "José": "Pepe",
    "Joseph": "Joe",
    "Joshua": "Josh",
    "Katharina": "Kathi",
    "Katherine": "Kate",
    "Kenneth": "Ken",
    "Kimberly": "Kim",
    "Margaret": "Maggie",
    "Matthew": "Matt",
    "Maximilian": "Max",
    "Melissa": "Mel",
    "Michael": "Mike",
    "Mikhail": "Misha",
    "Natalia": "Natasha",
    "Nicholas": "Nick",
    "Patricia": "Patty",
    "Patrick": "Pat",
    "Rebecca": "Becky",
    "Richard": "Rick",
    "Robert": "Bob",
    "Ronald": "Ron",
    "Samantha": "Sam",
    "Samuel": "Sam",
    "Stephanie": "Steph",
    "Steven": "Steve",
    "Susan": "Sue",
    "Thomas": "Tom",
    "Timothy": "Tim",
    "Victoria": "Vicky",
    "William": "Bill",
}

#: Canonical industry -> the spellings rows use (most common first; the canonical one
#: about 72% of the time, typos least often).
INDUSTRY_VARIANTS: dict[str, tuple[str, ...]] = {
    "Technology": _items(
        "Technology, Tech, Software, IT, technology, SaaS, Information Technology, Techology"
    ),
    "Finance": _items("Finance, Financial Services, Banking, finance, Fintech, Finanace"),
    "Healthcare": _items("Healthcare, Health care, Health Care, healthcare, Medical, Helthcare"),
    "Manufacturing": _items("Manufacturing, manufacturing, Industrial, Mfg, Manufactoring"),
    "Retail": _items("Retail, retail, E-commerce, Ecommerce, Consumer Goods, RETAIL"),
    "Education": _items("Education, Higher Education, education, Schools, EdTech, Educaton"),
    "Government": _items("Government, Public Sector, government, Gov, Govt, Goverment"),
    "Non-profit": _items("Non-profit, Nonprofit, NonProfit, Non Profit, non-profit, NGO, Charity"),
    "Media": _items("Media, Entertainment, media, Publishing, Media & Entertainment, Advertising"),
    "Energy": _items("Energy, Utilities, energy, Oil and Gas, Renewables, Enery"),
}

#: Canonical lead source -> the spellings rows use (most common first).
LEAD_SOURCE_VARIANTS: dict[str, tuple[str, ...]] = {
    "Web": _items("Web, Website, web form, Web Form, web, Inbound, Organic"),
    "Referral": _items("Referral, referral, Referred, Customer referral, Word of mouth, Referal"),
    "Event": _items("Event, Trade show, trade show, Tradeshow, Conference, Webinar, event"),
    "Partner": _items("Partner, partner, Reseller, Channel, Channel Partner"),
    "Cold Call": _items("Cold Call, Cold call, cold-call, cold call, Outbound, Cold calling"),
    "Advertisement": _items("Advertisement, Ad, Ads, PPC, Paid, Advertisment"),
}

#: ISO country code -> spellings used in the ``country`` column (the most common first).
COUNTRY_VARIANTS: dict[str, tuple[str, ...]] = {
    "US": _items(
        "USA, United States, US, U.S., us, United States of America, America, U.S.A., usa"
    ),
    "CA": _items("Canada, CA, CAN, canada, CANADA"),
    "GB": _items("UK, United Kingdom, GB, Great Britain, England, U.K., uk, GBR"),
    "DE": _items("Germany, Deutschland, DE, GER, germany, DEU"),
    "FR": _items("France, FR, FRA, france, FRANCE"),
    "AU": _items("Australia, AU, AUS, australia"),
    "IN": _items("India, IN, IND, india"),
    "BR": _items("Brazil, Brasil, BR, BRA, brazil"),
    "MX": _items("Mexico, México, MX, MEX, mexico"),
    "JP": _items("Japan, JP, JPN, 日本, japan"),
    "ES": _items("Spain, España, ES, ESP, Espana, spain"),
    "NL": _items("Netherlands, The Netherlands, Holland, NL, Nederland, NLD"),
    "IE": _items("Ireland, IE, Éire, Republic of Ireland, IRL, ireland"),
}
_COUNTRY_VARIANT_WEIGHTS: dict[str, tuple[float, ...]] = {
    "US": (0.27, 0.22, 0.2, 0.06, 0.04, 0.09, 0.03, 0.05, 0.04),
    "CA": (0.6, 0.25, 0.06, 0.06, 0.03),
    "GB": (0.32, 0.3, 0.12, 0.08, 0.08, 0.05, 0.03, 0.02),
    "DE": (0.45, 0.25, 0.17, 0.05, 0.05, 0.03),
    "FR": (0.7, 0.18, 0.05, 0.05, 0.02),
    "AU": (0.72, 0.18, 0.06, 0.04),
    "IN": (0.75, 0.15, 0.06, 0.04),
    "BR": (0.45, 0.3, 0.15, 0.05, 0.05),
    "MX": (0.5, 0.25, 0.15, 0.05, 0.05),
    "JP": (0.7, 0.18, 0.05, 0.04, 0.03),
    "ES": (0.5, 0.22, 0.15, 0.05, 0.05, 0.03),
    "NL": (0.4, 0.2, 0.1, 0.18, 0.08, 0.04),
    "IE": (0.65, 0.18, 0.05, 0.05, 0.04, 0.03),
}

# ---------------------------------------------------------------------------------------
# Countries, regions, cities
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Region:
    code: str
    name: str
    alts: tuple[str, ...] = ()


@dataclass(frozen=True)
class _City:
    name: str
    region: str  # key into the country's regions
    postcodes: tuple[str, ...]  # postcode prefixes (completed with random characters)
    phones: tuple[str, ...]  # "prefix:length" national-number specs for landlines
    alts: tuple[str, ...] = ()  # other spellings of the city name
    weight: float = 1.0
    districts: tuple[str, ...] = ()  # used for Japanese street addresses


@dataclass(frozen=True)
class _Country:
    code: str
    weight: float
    calling_code: int
    regions: dict[str, _Region]
    cities: tuple[_City, ...]
    mobiles: tuple[str, ...]  # "prefix:length" specs for mobile numbers
    p_mobile: float
    region_style: tuple[float, float, float]  # P(blank), P(code form), P(name form)
    name_mix: tuple[tuple[str, float], ...]
    suffixes: tuple[tuple[str, float], ...]  # company legal forms
    tld: str
    free_mail: tuple[str, ...]
    p_postcode_blank: float = 0.07


def _r(code: str, name: str, alts: str = "") -> tuple[str, _Region]:
    return code, _Region(code, name, _items(alts))


def _c(
    name: str,
    region: str,
    postcodes: str,
    phones: str,
    alts: str = "",
    weight: float = 1.0,
    districts: str = "",
) -> _City:
    return _City(
        name, region, _items(postcodes), _items(phones), _items(alts), weight, _items(districts)
    )


_US = _Country(
    "US",
    0.61,
    1,
    dict(
        [
            _r("NY", "New York", "N.Y."),
            _r("CA", "California", "Calif., Cal."),
            _r("IL", "Illinois", "Ill."),
            _r("TX", "Texas", "Tex."),
            _r("AZ", "Arizona", "Ariz."),
            _r("PA", "Pennsylvania", "Pa., Penn."),
            _r("WA", "Washington", "Wash."),
            _r("CO", "Colorado", "Colo."),
            _r("MA", "Massachusetts", "Mass."),
            _r("GA", "Georgia", "Ga."),
            _r("FL", "Florida", "Fla."),
            _r("MN", "Minnesota", "Minn."),
            _r("MI", "Michigan", "Mich."),
            _r("OR", "Oregon", "Ore."),
            _r("TN", "Tennessee", "Tenn."),
            _r("NC", "North Carolina", "N.C., N. Carolina"),
            _r("OH", "Ohio"),
            _r("UT", "Utah"),
            _r("NV", "Nevada", "Nev."),
            _r("MO", "Missouri", "Mo."),
            _r("MD", "Maryland", "Md."),
            _r("DC", "District of Columbia", "D.C., Washington DC"),
            _r("NJ", "New Jersey", "N.J."),
            _r("CT", "Connecticut", "Conn."),
            _r("RI", "Rhode Island", "R.I."),
            _r("WI", "Wisconsin", "Wis."),
            _r("IN", "Indiana", "Ind."),
            _r("LA", "Louisiana", "La."),
            _r("NM", "New Mexico", "N.M."),
            _r("HI", "Hawaii", "Hawai'i"),
            _r("AK", "Alaska"),
            _r("NE", "Nebraska", "Neb., Nebr."),
            _r("ID", "Idaho"),
            _r("VA", "Virginia", "Va."),
            _r("KY", "Kentucky", "Ky."),
        ]
    ),
    (
        _c("New York", "NY", "100, 101, 102", "212:10, 646:10, 917:10", "New York City, NYC", 9),
        _c("Brooklyn", "NY", "112", "718:10, 347:10, 929:10", "", 3),
        _c("Buffalo", "NY", "142", "716:10"),
        _c("Los Angeles", "CA", "900", "213:10, 310:10, 323:10", "LA", 6),
        _c("San Francisco", "CA", "941", "415:10, 628:10", "SF, San Fran", 4),
        _c("San Diego", "CA", "921", "619:10, 858:10", "", 2),
        _c("San Jose", "CA", "951", "408:10, 669:10", "", 2),
        _c("Chicago", "IL", "606", "312:10, 773:10, 872:10", "", 5),
        _c("Houston", "TX", "770", "713:10, 281:10, 832:10", "", 4),
        _c("Dallas", "TX", "752", "214:10, 469:10, 972:10", "", 3),
        _c("Austin", "TX", "787", "512:10, 737:10", "", 3),
        _c("Phoenix", "AZ", "850", "602:10, 480:10", "", 3),
        _c("Philadelphia", "PA", "191", "215:10, 267:10", "Philly", 3),
        _c("Pittsburgh", "PA", "152", "412:10"),
        _c("Seattle", "WA", "981", "206:10", "", 3),
        _c("Denver", "CO", "802", "303:10, 720:10", "", 2),
        _c("Boston", "MA", "021", "617:10, 857:10", "", 3),
        _c("Cambridge", "MA", "021", "617:10"),
        _c("Atlanta", "GA", "303", "404:10, 678:10, 470:10", "", 3),
        _c("Miami", "FL", "331", "305:10, 786:10", "", 2),
        _c("Orlando", "FL", "328", "407:10, 321:10"),
        _c("Tampa", "FL", "336", "813:10"),
        _c("Minneapolis", "MN", "554", "612:10", "", 2),
        _c("Detroit", "MI", "482", "313:10"),
        _c("Portland", "OR", "972", "503:10, 971:10", "", 2),
        _c("Nashville", "TN", "372", "615:10, 629:10"),
        _c("Charlotte", "NC", "282", "704:10, 980:10", "", 2),
        _c("Raleigh", "NC", "276", "919:10, 984:10"),
        _c("Columbus", "OH", "432", "614:10"),
        _c("Cleveland", "OH", "441", "216:10"),
        _c("Salt Lake City", "UT", "841", "801:10, 385:10", "SLC, Salt Lake"),
        _c("Las Vegas", "NV", "891", "702:10, 725:10"),
        _c("Kansas City", "MO", "641", "816:10"),
        _c("St. Louis", "MO", "631", "314:10", "Saint Louis, St Louis"),
        _c("Baltimore", "MD", "212", "410:10, 443:10"),
        _c("Washington", "DC", "200", "202:10", "Washington DC, Washington D.C.", 2),
        _c("Newark", "NJ", "071", "973:10, 862:10"),
        _c("Hartford", "CT", "061", "860:10"),
        _c("Providence", "RI", "029", "401:10"),
        _c("Madison", "WI", "537", "608:10"),
        _c("Indianapolis", "IN", "462", "317:10", "Indy"),
        _c("New Orleans", "LA", "701", "504:10", "NOLA"),
        _c("Albuquerque", "NM", "871", "505:10"),
        _c("Honolulu", "HI", "968", "808:10"),
        _c("Anchorage", "AK", "995", "907:10"),
        _c("Omaha", "NE", "681", "402:10"),
        _c("Boise", "ID", "837", "208:10"),
        _c("Richmond", "VA", "232", "804:10"),
        _c("Louisville", "KY", "402", "502:10"),
    ),
    (),
    0.0,
    (0.06, 0.66, 0.28),
    (
        ("anglo", 0.72),
        ("hispanic", 0.13),
        ("chinese", 0.04),
        ("indian", 0.04),
        ("russian", 0.02),
        ("german", 0.02),
        ("french", 0.01),
        ("japanese", 0.01),
        ("dutch", 0.01),
    ),
    (("Inc", 0.45), ("LLC", 0.3), ("Corp", 0.15), ("Co", 0.1)),
    ".com",
    _items("gmail.com, yahoo.com, outlook.com, hotmail.com, icloud.com, aol.com, comcast.net"),
)

_CA = _Country(
    "CA",
    0.07,
    1,
    dict(
        [
            _r("ON", "Ontario", "Ont."),
            _r("QC", "Quebec", "Québec, Que., PQ"),
            _r("BC", "British Columbia", "B.C."),
            _r("AB", "Alberta", "Alta."),
            _r("MB", "Manitoba", "Man."),
            _r("NS", "Nova Scotia", "N.S."),
            _r("SK", "Saskatchewan", "Sask."),
            _r("NL", "Newfoundland and Labrador", "Nfld., NF"),
        ]
    ),
    (
        _c("Toronto", "ON", "M5V, M4W, M5H, M6J, M4Y", "416:10, 647:10, 437:10", "", 6),
        _c("Ottawa", "ON", "K1P, K2P, K1N", "613:10, 343:10", "", 2),
        _c("Mississauga", "ON", "L5B, L4Z", "905:10, 289:10", "", 2),
        _c("Montréal", "QC", "H3B, H2X, H3A, H2T", "514:10, 438:10", "Montreal", 4),
        _c("Québec City", "QC", "G1R, G1K", "418:10, 581:10", "Quebec City, Québec, Quebec"),
        _c("Vancouver", "BC", "V6B, V6E, V5K", "604:10, 778:10", "", 3),
        _c("Victoria", "BC", "V8W, V8V", "250:10"),
        _c("Calgary", "AB", "T2P, T2R, T3A", "403:10, 587:10", "", 2),
        _c("Edmonton", "AB", "T5J, T6E", "780:10, 587:10", "", 2),
        _c("Winnipeg", "MB", "R3C, R3B", "204:10, 431:10"),
        _c("Halifax", "NS", "B3H, B3J", "902:10, 782:10"),
        _c("Saskatoon", "SK", "S7K, S7N", "306:10, 639:10"),
        _c("Regina", "SK", "S4P", "306:10"),
        _c("St. John's", "NL", "A1C, A1B", "709:10", "St Johns, Saint John's"),
    ),
    (),
    0.0,
    (0.06, 0.66, 0.28),
    (
        ("anglo", 0.68),
        ("french", 0.15),
        ("chinese", 0.07),
        ("indian", 0.06),
        ("russian", 0.02),
        ("hispanic", 0.02),
    ),
    (("Inc", 0.5), ("Ltd", 0.3), ("Corp", 0.2)),
    ".ca",
    _items("gmail.com, yahoo.ca, hotmail.com, outlook.com, rogers.com, shaw.ca"),
)

_GB = _Country(
    "GB",
    0.07,
    44,
    dict(
        [
            _r("LND", "Greater London", "London, England"),
            _r("MAN", "Greater Manchester", "Manchester, Gtr Manchester, England"),
            _r("WMD", "West Midlands", "W. Midlands, England"),
            _r("WYK", "West Yorkshire", "W. Yorks, England"),
            _r("GLG", "Glasgow City", "Lanarkshire, Scotland"),
            _r("EDH", "City of Edinburgh", "Midlothian, Scotland"),
            _r("BST", "Bristol", "Avon, England"),
            _r("MSY", "Merseyside", "England"),
            _r("CRF", "South Glamorgan", "Cardiff, Wales"),
            _r("ANT", "County Antrim", "Co. Antrim, Antrim, Northern Ireland"),
            _r("CAM", "Cambridgeshire", "Cambs, England"),
            _r("OXF", "Oxfordshire", "Oxon, England"),
            _r("TWR", "Tyne and Wear", "Tyne & Wear, England"),
            _r("SYK", "South Yorkshire", "S. Yorks, England"),
            _r("NTT", "Nottinghamshire", "Notts, England"),
        ]
    ),
    (
        _c(
            "London",
            "LND",
            "EC1A, EC2M, SW1A, W1D, N1, SE1, E14, NW1, WC2N, SW11",
            "20:10",
            "london, City of London",
            10,
        ),
        _c("Manchester", "MAN", "M1, M2, M3, M4, M15", "161:10", "", 3),
        _c("Birmingham", "WMD", "B1, B2, B3, B15", "121:10", "", 3),
        _c("Leeds", "WYK", "LS1, LS2, LS6", "113:10", "", 2),
        _c("Glasgow", "GLG", "G1, G2, G3, G12", "141:10", "", 2),
        _c("Edinburgh", "EDH", "EH1, EH2, EH3, EH8", "131:10", "", 2),
        _c("Bristol", "BST", "BS1, BS2, BS8", "117:10", "", 2),
        _c("Liverpool", "MSY", "L1, L2, L3, L8", "151:10", "", 2),
        _c("Cardiff", "CRF", "CF10, CF11, CF24", "29:10", "Caerdydd"),
        _c("Belfast", "ANT", "BT1, BT2, BT7, BT9", "28:10"),
        _c("Cambridge", "CAM", "CB1, CB2, CB4", "1223:10"),
        _c("Oxford", "OXF", "OX1, OX2, OX4", "1865:10"),
        _c("Newcastle upon Tyne", "TWR", "NE1, NE2, NE4", "191:10", "Newcastle"),
        _c("Sheffield", "SYK", "S1, S2, S10", "114:10"),
        _c("Nottingham", "NTT", "NG1, NG2, NG7", "115:10"),
    ),
    _items("74:10, 75:10, 77:10, 78:10, 79:10"),
    0.5,
    (0.8, 0.0, 1.0),
    (
        ("anglo", 0.85),
        ("indian", 0.07),
        ("chinese", 0.03),
        ("french", 0.02),
        ("german", 0.01),
        ("hispanic", 0.02),
    ),
    (("Ltd", 0.75), ("PLC", 0.1), ("LLP", 0.15)),
    ".co.uk",
    _items("gmail.com, yahoo.co.uk, hotmail.co.uk, outlook.com, btinternet.com, sky.com"),
)

_DE = _Country(
    "DE",
    0.04,
    49,
    dict(
        [
            _r("BE", "Berlin"),
            _r("HH", "Hamburg"),
            _r("BY", "Bayern", "Bavaria, Freistaat Bayern"),
            _r("NW", "Nordrhein-Westfalen", "North Rhine-Westphalia, NRW"),
            _r("HE", "Hessen", "Hesse"),
            _r("BW", "Baden-Württemberg", "Baden-Wuerttemberg, BaWü"),
            _r("SN", "Sachsen", "Saxony"),
            _r("NI", "Niedersachsen", "Lower Saxony"),
            _r("HB", "Bremen"),
        ]
    ),
    (
        _c("Berlin", "BE", "10, 12, 13, 14", "30:10", "", 5),
        _c("Hamburg", "HH", "20, 22", "40:10", "", 3),
        _c("München", "BY", "80, 81", "89:10", "Munich, Muenchen", 3),
        _c("Köln", "NW", "50, 51", "221:10", "Cologne, Koeln", 2),
        _c("Frankfurt am Main", "HE", "60", "69:10", "Frankfurt, Frankfurt a.M.", 2),
        _c("Stuttgart", "BW", "70", "711:10", "", 2),
        _c("Düsseldorf", "NW", "40", "211:10", "Duesseldorf, Dusseldorf", 2),
        _c("Leipzig", "SN", "04", "341:10"),
        _c("Dresden", "SN", "01", "351:10"),
        _c("Hannover", "NI", "30", "511:10", "Hanover"),
        _c("Nürnberg", "BY", "90", "911:10", "Nuremberg, Nuernberg"),
        _c("Bremen", "HB", "28", "421:10"),
    ),
    _items("151:11, 152:11, 157:11, 160:10, 170:10, 171:10, 172:10, 175:10, 176:11, 177:11"),
    0.5,
    (0.1, 0.15, 0.75),
    (
        ("german", 0.85),
        ("russian", 0.06),
        ("anglo", 0.03),
        ("french", 0.02),
        ("hispanic", 0.02),
        ("dutch", 0.02),
    ),
    (("GmbH", 0.7), ("AG", 0.2), ("KG", 0.1)),
    ".de",
    _items("gmail.com, gmx.de, web.de, t-online.de, outlook.de"),
)

_FR = _Country(
    "FR",
    0.03,
    33,
    dict(
        [
            _r("IDF", "Île-de-France", "Ile-de-France, IDF, Ile de France"),
            _r("ARA", "Auvergne-Rhône-Alpes", "Rhône-Alpes, Auvergne-Rhone-Alpes"),
            _r("PAC", "Provence-Alpes-Côte d'Azur", "PACA, Provence"),
            _r("OCC", "Occitanie"),
            _r("PDL", "Pays de la Loire"),
            _r("GES", "Grand Est", "Alsace"),
            _r("NAQ", "Nouvelle-Aquitaine", "Aquitaine"),
            _r("HDF", "Hauts-de-France", "Nord"),
        ]
    ),
    (
        _c("Paris", "IDF", ", ".join(f"750{i:02d}" for i in range(1, 21)), "1:9", "", 8),
        _c("Lyon", "ARA", ", ".join(f"6900{i}" for i in range(1, 10)), "4:9", "", 2),
        _c("Marseille", "PAC", ", ".join(f"130{i:02d}" for i in range(1, 17)), "4:9", "", 2),
        _c("Toulouse", "OCC", "31000, 31100, 31200, 31300, 31400, 31500", "5:9"),
        _c("Nice", "PAC", "06000, 06100, 06200, 06300", "4:9"),
        _c("Nantes", "PDL", "44000, 44100, 44200, 44300", "2:9"),
        _c("Strasbourg", "GES", "67000, 67100, 67200", "3:9"),
        _c("Bordeaux", "NAQ", "33000, 33100, 33200, 33300, 33800", "5:9"),
        _c("Lille", "HDF", "59000, 59160, 59260, 59800", "3:9"),
    ),
    _items("6:9, 7:9"),
    0.5,
    (0.5, 0.05, 0.95),
    (("french", 0.88), ("hispanic", 0.04), ("anglo", 0.03), ("german", 0.02), ("portuguese", 0.03)),
    (("SAS", 0.5), ("SA", 0.3), ("SARL", 0.2)),
    ".fr",
    _items("gmail.com, orange.fr, free.fr, laposte.net, hotmail.fr, sfr.fr"),
)

_AU = _Country(
    "AU",
    0.04,
    61,
    dict(
        [
            _r("NSW", "New South Wales", "N.S.W."),
            _r("VIC", "Victoria", "Vic., Vic"),
            _r("QLD", "Queensland", "Qld, Qld."),
            _r("WA", "Western Australia", "W.A."),
            _r("SA", "South Australia", "S.A."),
            _r("ACT", "Australian Capital Territory", "A.C.T."),
            _r("TAS", "Tasmania", "Tas., Tas"),
        ]
    ),
    (
        _c("Sydney", "NSW", "200, 201", "29:9, 28:9", "", 5),
        _c("Melbourne", "VIC", "300, 301", "39:9, 38:9", "", 5),
        _c("Brisbane", "QLD", "400, 410", "73:9", "", 3),
        _c("Perth", "WA", "600, 605", "89:9, 86:9", "", 2),
        _c("Adelaide", "SA", "500, 501", "88:9", "", 2),
        _c("Canberra", "ACT", "260, 261", "26:9"),
        _c("Hobart", "TAS", "700", "36:9"),
    ),
    _items("4:9"),
    0.5,
    (0.05, 0.7, 0.25),
    (("anglo", 0.8), ("chinese", 0.08), ("indian", 0.07), ("hispanic", 0.02), ("german", 0.03)),
    (("Pty Ltd", 0.9), ("Ltd", 0.1)),
    ".com.au",
    _items("gmail.com, bigpond.com, outlook.com, hotmail.com, yahoo.com.au"),
)

_IN = _Country(
    "IN",
    0.04,
    91,
    dict(
        [
            _r("MH", "Maharashtra"),
            _r("DL", "Delhi", "NCT of Delhi, New Delhi"),
            _r("KA", "Karnataka"),
            _r("TN", "Tamil Nadu"),
            _r("TG", "Telangana", "TS"),
            _r("WB", "West Bengal"),
        ]
    ),
    (
        _c("Mumbai", "MH", "4000", "22:10", "Bombay", 4),
        _c("New Delhi", "DL", "1100", "11:10", "Delhi", 4),
        _c("Bengaluru", "KA", "5600", "80:10", "Bangalore", 4),
        _c("Chennai", "TN", "6000", "44:10", "Madras", 2),
        _c("Hyderabad", "TG", "5000", "40:10", "", 2),
        _c("Pune", "MH", "4110", "20:10", "Poona", 2),
        _c("Kolkata", "WB", "7000", "33:10", "Calcutta", 2),
    ),
    _items("98:10, 99:10, 97:10, 96:10, 90:10, 70:10, 81:10, 88:10, 63:10"),
    0.7,
    (0.08, 0.3, 0.62),
    (("indian", 0.97), ("anglo", 0.03)),
    (("Pvt Ltd", 0.75), ("Ltd", 0.25)),
    ".in",
    _items("gmail.com, yahoo.co.in, rediffmail.com, outlook.com"),
)

_BR = _Country(
    "BR",
    0.02,
    55,
    dict(
        [
            _r("SP", "São Paulo", "Sao Paulo"),
            _r("RJ", "Rio de Janeiro"),
            _r("MG", "Minas Gerais"),
            _r("DF", "Distrito Federal"),
            _r("PR", "Paraná", "Parana"),
            _r("RS", "Rio Grande do Sul"),
            _r("BA", "Bahia"),
        ]
    ),
    (
        _c("São Paulo", "SP", "01, 04, 05", "113:10, 114:10, 119:11", "Sao Paulo, S. Paulo", 5),
        _c("Rio de Janeiro", "RJ", "20, 22", "212:10, 213:10, 219:11", "Rio", 3),
        _c("Belo Horizonte", "MG", "30", "313:10, 319:11", "BH"),
        _c("Brasília", "DF", "70", "613:10, 619:11", "Brasilia"),
        _c("Curitiba", "PR", "80", "413:10, 419:11"),
        _c("Porto Alegre", "RS", "90", "513:10, 519:11"),
        _c("Salvador", "BA", "40", "713:10, 719:11"),
    ),
    (),
    0.0,
    (0.05, 0.7, 0.25),
    (("portuguese", 0.9), ("hispanic", 0.04), ("german", 0.03), ("japanese", 0.03)),
    (("Ltda", 0.7), ("SA", 0.3)),
    ".com.br",
    _items("gmail.com, uol.com.br, bol.com.br, hotmail.com, outlook.com"),
)

_MX = _Country(
    "MX",
    0.02,
    52,
    dict(
        [
            _r("CMX", "Ciudad de México", "CDMX, Mexico City, D.F., Distrito Federal"),
            _r("JAL", "Jalisco", "Jal."),
            _r("NLE", "Nuevo León", "Nuevo Leon, N.L."),
            _r("PUE", "Puebla", "Pue."),
            _r("BCN", "Baja California", "B.C."),
            _r("QUE", "Querétaro", "Queretaro, Qro."),
        ]
    ),
    (
        _c("Ciudad de México", "CMX", "06, 03, 11", "55:10, 56:10", "Mexico City, CDMX", 5),
        _c("Guadalajara", "JAL", "44", "33:10", "", 2),
        _c("Monterrey", "NLE", "64", "81:10", "", 2),
        _c("Puebla", "PUE", "72", "222:10", "Puebla de Zaragoza"),
        _c("Tijuana", "BCN", "22", "664:10"),
        _c("Querétaro", "QUE", "76", "442:10", "Queretaro, Santiago de Querétaro"),
    ),
    (),
    0.0,
    (0.05, 0.2, 0.8),
    (("hispanic", 0.96), ("anglo", 0.04)),
    (("SA de CV", 0.8), ("SC", 0.2)),
    ".com.mx",
    _items("gmail.com, hotmail.com, yahoo.com.mx, outlook.com, prodigy.net.mx"),
)

_JP = _Country(
    "JP",
    0.02,
    81,
    dict(
        [
            _r("13", "Tokyo", "Tōkyō, 東京都, Tokyo-to"),
            _r("27", "Osaka", "大阪府, Ōsaka, Osaka-fu"),
            _r("14", "Kanagawa", "神奈川県"),
            _r("23", "Aichi", "愛知県"),
            _r("26", "Kyoto", "京都府, Kyōto"),
            _r("40", "Fukuoka", "福岡県"),
            _r("01", "Hokkaido", "北海道, Hokkaidō"),
        ]
    ),
    (
        _c(
            "Tokyo",
            "13",
            "100, 101, 102, 103, 104, 105, 106, 107, 150, 160",
            "3:9",
            "東京, Tōkyō",
            6,
            "Marunouchi, Shibuya, Shinjuku, Roppongi, Ginza, Akasaka",
        ),
        _c("Osaka", "27", "530, 541, 542, 550", "6:9", "大阪, Ōsaka", 3, "Umeda, Namba, Honmachi"),
        _c("Yokohama", "14", "220, 221, 231", "45:9", "横浜", 2, "Minatomirai, Kannai"),
        _c("Nagoya", "23", "450, 460", "52:9", "名古屋", 2, "Sakae, Meieki"),
        _c("Kyoto", "26", "600, 604", "75:9", "京都, Kyōto", 1, "Karasuma, Gion"),
        _c("Fukuoka", "40", "810, 812", "92:9", "福岡", 1, "Tenjin, Hakata"),
        _c("Sapporo", "01", "060", "11:9", "札幌", 1, "Odori, Susukino"),
    ),
    _items("90:10, 80:10, 70:10"),
    0.5,
    (0.1, 0.0, 1.0),
    (("japanese", 0.97), ("anglo", 0.03)),
    (("KK", 0.6), ("Co Ltd", 0.4)),
    ".co.jp",
    _items("gmail.com, yahoo.co.jp, docomo.ne.jp, icloud.com"),
)

_ES = _Country(
    "ES",
    0.02,
    34,
    dict(
        [
            _r("MD", "Comunidad de Madrid", "Madrid"),
            _r("CT", "Cataluña", "Catalonia, Catalunya, Barcelona"),
            _r("VC", "Comunitat Valenciana", "Comunidad Valenciana, Valencia"),
            _r("AN", "Andalucía", "Andalusia, Andalucia"),
            _r("PV", "País Vasco", "Basque Country, Euskadi, Pais Vasco"),
            _r("AR", "Aragón", "Aragon"),
        ]
    ),
    (
        _c("Madrid", "MD", "280", "91:9", "", 5),
        _c("Barcelona", "CT", "080", "93:9", "", 4),
        _c("Valencia", "VC", "460", "96:9", "València", 2),
        _c("Sevilla", "AN", "410", "95:9", "Seville", 2),
        _c("Bilbao", "PV", "480", "94:9", "Bilbo"),
        _c("Zaragoza", "AR", "500", "976:9", "Saragossa"),
        _c("Málaga", "AN", "290", "95:9", "Malaga"),
    ),
    _items("6:9, 71:9, 72:9"),
    0.5,
    (0.15, 0.1, 0.9),
    (("hispanic", 0.92), ("anglo", 0.03), ("french", 0.03), ("german", 0.02)),
    (("SL", 0.7), ("SA", 0.3)),
    ".es",
    _items("gmail.com, hotmail.es, yahoo.es, outlook.es, telefonica.net"),
)

_NL = _Country(
    "NL",
    0.015,
    31,
    dict(
        [
            _r("NH", "Noord-Holland", "North Holland"),
            _r("ZH", "Zuid-Holland", "South Holland"),
            _r("UT", "Utrecht"),
            _r("NB", "Noord-Brabant", "North Brabant, Brabant"),
            _r("GR", "Groningen"),
        ]
    ),
    (
        _c("Amsterdam", "NH", "10", "20:9", "", 5),
        _c("Rotterdam", "ZH", "30", "10:9", "", 3),
        _c("Den Haag", "ZH", "25", "70:9", "The Hague, 's-Gravenhage", 2),
        _c("Utrecht", "UT", "35", "30:9", "", 2),
        _c("Eindhoven", "NB", "56", "40:9"),
        _c("Groningen", "GR", "97", "50:9"),
    ),
    _items("6:9"),
    0.5,
    (0.3, 0.1, 0.9),
    (("dutch", 0.88), ("anglo", 0.04), ("german", 0.04), ("indian", 0.02), ("chinese", 0.02)),
    (("BV", 0.85), ("NV", 0.15)),
    ".nl",
    _items("gmail.com, ziggo.nl, kpnmail.nl, hotmail.com, outlook.com"),
)

_IE = _Country(
    "IE",
    0.015,
    353,
    dict(
        [
            _r("D", "Co. Dublin", "Dublin, County Dublin"),
            _r("CO", "Co. Cork", "Cork, County Cork"),
            _r("G", "Co. Galway", "Galway, County Galway"),
            _r("LK", "Co. Limerick", "Limerick, County Limerick"),
            _r("WD", "Co. Waterford", "Waterford, County Waterford"),
        ]
    ),
    (
        _c("Dublin", "D", "D02, D04, D08, D15", "1:8", "Baile Átha Cliath", 6),
        _c("Cork", "CO", "T12, T23", "21:9", "", 2),
        _c("Galway", "G", "H91", "91:8"),
        _c("Limerick", "LK", "V94", "61:8"),
        _c("Waterford", "WD", "X91", "51:8"),
    ),
    _items("83:9, 85:9, 86:9, 87:9, 89:9"),
    0.5,
    (0.3, 0.0, 1.0),
    (("anglo", 0.93), ("french", 0.02), ("hispanic", 0.03), ("russian", 0.02)),
    (("Ltd", 0.8), ("DAC", 0.2)),
    ".ie",
    _items("gmail.com, eircom.net, hotmail.com, yahoo.ie, outlook.com"),
    p_postcode_blank=0.3,
)

_COUNTRIES: tuple[_Country, ...] = (_US, _CA, _GB, _DE, _FR, _AU, _IN, _BR, _MX, _JP, _ES, _NL, _IE)
# The trunk prefix that national formats start with (used for "+44 (0)20 ..." style).
_TRUNK_ZERO = frozenset({44, 49, 33, 61, 91, 81, 31, 353})
# Countries whose people write dates as 07.03.1985.
_DOTTED_DATES = frozenset({"DE", "NL"})

# ---------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _NameGroup:
    first: tuple[str, ...]
    last: tuple[str, ...]
    native_first: dict[str, str] = field(default_factory=dict)
    native_last: dict[str, str] = field(default_factory=dict)
    p_native: float = 0.0  # share of rows written in native script
    p_compound: float = 0.0  # share of people with two surnames
    compound_sep: str = " "
    feminine: frozenset[str] = frozenset()  # first names that take a feminine surname


def _pairs(text: str) -> dict[str, str]:
    """Parse "Roman native, Roman native, ..." into {roman: native}."""
    return dict(item.split(" ", 1) for item in _items(text))


_CHINESE_FIRST = _pairs(
    "Wei 伟, Fang 芳, Na 娜, Min 敏, Jing 静, Lei 磊, Jun 军, Yong 勇, Tao 涛, Ming 明, "
    "Xiuying 秀英, Qiang 强, Yan 艳, Hui 慧, Jie 杰"
)
_CHINESE_LAST = _pairs(
    "Wang 王, Li 李, Zhang 张, Liu 刘, Chen 陈, Yang 杨, Huang 黄, Zhao 赵, Wu 吴, Zhou 周, "
    "Xu 徐, Sun 孙, Ma 马, Zhu 朱, Lin 林"
)
_JAPANESE_FIRST = _pairs(
    "Hiroshi 博, Takashi 隆, Kenji 健二, Daisuke 大輔, Yuki 由紀, Haruto 陽翔, Sota 蒼太, Ren 蓮, "
    "Kenta 健太, Shota 翔太, Yumi 由美, Akiko 明子, Keiko 恵子, Sakura さくら, Yui 結衣, Aoi 葵, "
    "Hina 陽菜, Naoko 直子, Emi 恵美, Mai 舞"
)
_JAPANESE_LAST = _pairs(
    "Sato 佐藤, Suzuki 鈴木, Takahashi 高橋, Tanaka 田中, Watanabe 渡辺, Ito 伊藤, "
    "Yamamoto 山本, Nakamura 中村, Kobayashi 小林, Kato 加藤, Yoshida 吉田, Yamada 山田, "
    "Sasaki 佐々木, Yamaguchi 山口, Matsumoto 松本, Inoue 井上, Kimura 木村, Hayashi 林"
)
_RUSSIAN_FIRST = _pairs(
    "Ivan Иван, Dmitri Дмитрий, Sergei Сергей, Alexei Алексей, Nikolai Николай, "
    "Mikhail Михаил, Andrei Андрей, Olga Ольга, Natalia Наталья, Elena Елена, "
    "Tatiana Татьяна, Irina Ирина, Svetlana Светлана, Ekaterina Екатерина, Yulia Юлия"
)
_RUSSIAN_LAST = _pairs(
    "Ivanov Иванов, Petrov Петров, Smirnov Смирнов, Kuznetsov Кузнецов, Popov Попов, "
    "Volkov Волков, Sokolov Соколов, Lebedev Лебедев, Kozlov Козлов, Novikov Новиков, "
    "Morozov Морозов, Pavlov Павлов"
)
# Feminine Russian surnames end in Cyrillic small a (Иванова) / Latin a (Ivanova).
_CYRILLIC_A = "\u0430"

_NAME_GROUPS: dict[str, _NameGroup] = {
    "anglo": _NameGroup(
        _items(
            "James, Robert, John, Michael, William, David, Richard, Joseph, Thomas, "
            "Christopher, Charles, Daniel, Matthew, Anthony, Mark, Steven, Andrew, Joshua, "
            "Kenneth, Kevin, Brian, Timothy, Ronald, Edward, Jonathan, Nicholas, Benjamin, "
            "Samuel, Patrick, Alexander, Gregory, Jacob, Ethan, Liam, Noah, Owen, Ryan, Tyler, "
            "Aaron, Connor, Declan, Seamus, Ian, Graham, Nigel, Oliver, Harry, George, Jack, "
            "Mary, Patricia, Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen, "
            "Margaret, Katherine, Nancy, Lisa, Sandra, Ashley, Kimberly, Emily, Donna, "
            "Michelle, Amanda, Melissa, Deborah, Rebecca, Stephanie, Laura, Rachel, Victoria, "
            "Alexandra, Abigail, Samantha, Christine, Olivia, Emma, Sophie, Chloe, Zoë, Renée, "
            "Siobhan, Aoife, Niamh, Fiona, Hannah, Grace, Megan, Lauren, Natalie, Heather, Amy"
        ),
        _items(
            "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, "
            "Thomas, Moore, Jackson, Martin, Thompson, White, Harris, Clark, Lewis, Robinson, "
            "Walker, Young, Allen, King, Wright, Scott, Hill, Green, Adams, Baker, Nelson, "
            "Carter, Mitchell, Roberts, Turner, Phillips, Campbell, Parker, Evans, Edwards, "
            "Collins, Stewart, Morris, Murphy, Cook, Rogers, Morgan, Cooper, Peterson, Reed, "
            "Bailey, Bell, Kelly, Howard, Ward, Cox, Richardson, Wood, Watson, Brooks, Bennett, "
            "Gray, Hughes, Price, Sanders, Myers, Long, Ross, Foster, McDonald, O'Neil, "
            "O'Brien, O'Connor, MacLeod, McCarthy, Fitzgerald, Sullivan, Walsh, Byrne, Ryan, "
            "Doyle, Kennedy, Lynch, Quinn, Gallagher, Davies, Jenkins, St. Clair, DiMaggio, "
            "D'Angelo, LeBlanc, van der Berg"
        ),
        p_compound=0.03,
        compound_sep="-",
    ),
    "hispanic": _NameGroup(
        _items(
            "José, Juan, Carlos, Luis, Miguel, Alejandro, Jorge, Francisco, Antonio, Javier, "
            "Diego, Manuel, Pablo, Sergio, Raúl, Andrés, Fernando, Juan Carlos, María, "
            "María José, Ana, Lucía, Sofía, Carmen, Isabel, Paula, Elena, Marta, Gabriela, "
            "Valentina, Daniela, Camila, Guadalupe, Ximena, Luz María"
        ),
        _items(
            "García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, Ramírez, "
            "Torres, Flores, Rivera, Gómez, Díaz, Cruz, Morales, Reyes, Gutiérrez, Ortiz, Ruiz, "
            "Jiménez, Moreno, Álvarez, Romero, Navarro, Domínguez, Vázquez, Castillo, "
            "de la Cruz, Núñez, Fernández, Muñoz, Iglesias, Ibáñez"
        ),
        p_compound=0.15,
    ),
    "german": _NameGroup(
        _items(
            "Lukas, Leon, Finn, Jonas, Maximilian, Felix, Paul, Jürgen, Klaus, Stefan, Thomas, "
            "Michael, Andreas, Wolfgang, Uwe, Sebastian, Tobias, Florian, Johannes, Sophie, "
            "Marie, Anna, Lena, Katharina, Julia, Laura, Sabine, Petra, Ursula, Claudia, "
            "Monika, Birgit, Jana, Hannah, Lea, Johanna, Franziska"
        ),
        _items(
            "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, "
            "Hoffmann, Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, "
            "Zimmermann, Braun, Krüger, Hofmann, Hartmann, Lange, Schmitt, Werner, Krause, "
            "Meier, Lehmann, Weiß, Groß, Köhler, von Arnim, von der Heide"
        ),
        p_compound=0.02,
        compound_sep="-",
    ),
    "french": _NameGroup(
        _items(
            "Jean, Pierre, Louis, Lucas, Hugo, Théo, Nicolas, Julien, Antoine, François, "
            "Jean-Luc, Jean-Pierre, Mathieu, Olivier, Sébastien, Marie, Camille, Léa, Chloé, "
            "Manon, Inès, Juliette, Émilie, Céline, Sophie, Nathalie, Isabelle, Amélie, "
            "Anne-Sophie, Hélène, Margaux"
        ),
        _items(
            "Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, "
            "Simon, Laurent, Lefèvre, Michel, Garcia, David, Bertrand, Roux, Vincent, Fournier, "
            "Morel, Girard, André, Lefebvre, Mercier, Dupont, Lambert, Bonnet, François, "
            "Le Gall, de Villiers, Faure, Rousseau, Blanc, Guérin"
        ),
        p_compound=0.02,
        compound_sep="-",
    ),
    "dutch": _NameGroup(
        _items(
            "Daan, Sem, Lucas, Levi, Bram, Jeroen, Pieter, Joost, Maarten, Ruud, Sander, Thijs, "
            "Sanne, Emma, Julia, Anouk, Fenna, Lotte, Femke, Marieke, Eva, Sophie, Noor, Ilse, "
            "Annelies"
        ),
        _items(
            "de Jong, Jansen, de Vries, van den Berg, van der Berg, van Dijk, Bakker, Janssen, "
            "Visser, Smit, Meijer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, "
            "van Leeuwen, Dekker, Brouwer, de Wit, Dijkstra, Smits, de Graaf, van der Meer, "
            "van der Linden, Kok, Jacobs, de Haan"
        ),
    ),
    "portuguese": _NameGroup(
        _items(
            "João, Pedro, Lucas, Gabriel, Matheus, Rafael, Gustavo, Felipe, Bruno, Thiago, "
            "André, Luís, Carlos, Ana, Maria, Júlia, Beatriz, Larissa, Camila, Fernanda, "
            "Mariana, Letícia, Bruna, Aline, Juliana, Patrícia, Luíza"
        ),
        _items(
            "Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, Gomes, "
            "Costa, Ribeiro, Martins, Carvalho, Almeida, Lopes, Soares, Fernandes, Vieira, "
            "Barbosa, Rocha, Dias, Nascimento, Araújo, Moreira, Cavalcanti, Gonçalves, "
            "da Silva, dos Santos, de Souza, Conceição"
        ),
        p_compound=0.1,
    ),
    "indian": _NameGroup(
        _items(
            "Aarav, Vihaan, Arjun, Rahul, Rohan, Amit, Vikram, Sanjay, Suresh, Rajesh, "
            "Karthik, Anil, Arun, Venkat, Mohammed, Priya, Ananya, Aditi, Kavya, Neha, Pooja, "
            "Divya, Deepa, Sunita, Lakshmi, Shreya, Anjali, Meera, Sneha, Swati"
        ),
        _items(
            "Sharma, Verma, Gupta, Patel, Singh, Kumar, Reddy, Iyer, Nair, Menon, Rao, Joshi, "
            "Mehta, Shah, Desai, Chatterjee, Banerjee, Mukherjee, Das, Bose, Pillai, Krishnan, "
            "Agarwal, Malhotra, Kapoor, Chopra, Bhat, Kulkarni, Naidu, Subramanian"
        ),
    ),
    "chinese": _NameGroup(
        tuple(_CHINESE_FIRST),
        tuple(_CHINESE_LAST),
        _CHINESE_FIRST,
        _CHINESE_LAST,
        p_native=0.2,
    ),
    "japanese": _NameGroup(
        tuple(_JAPANESE_FIRST),
        tuple(_JAPANESE_LAST),
        _JAPANESE_FIRST,
        _JAPANESE_LAST,
        p_native=0.25,
    ),
    "russian": _NameGroup(
        tuple(_RUSSIAN_FIRST),
        tuple(_RUSSIAN_LAST),
        _RUSSIAN_FIRST,
        _RUSSIAN_LAST,
        p_native=0.2,
        feminine=frozenset(
            _items("Olga, Natalia, Elena, Tatiana, Irina, Svetlana, Ekaterina, Yulia")
        ),
    ),
}

# ---------------------------------------------------------------------------------------
# Companies, titles, owners
# ---------------------------------------------------------------------------------------

_INDUSTRIES: tuple[str, ...] = tuple(INDUSTRY_VARIANTS)
_INDUSTRY_WEIGHTS = (0.25, 0.14, 0.12, 0.11, 0.1, 0.07, 0.05, 0.05, 0.05, 0.06)
_LEAD_SOURCES: tuple[str, ...] = tuple(LEAD_SOURCE_VARIANTS)
_LEAD_SOURCE_WEIGHTS = (0.38, 0.17, 0.17, 0.1, 0.1, 0.08)

_COMPANY_PREFIXES = _items(
    "Acme, Apex, Atlas, Beacon, Blue Harbor, Brightline, Cascade, Cedar, Cobalt, Crescent, "
    "Evergreen, Falcon, Frontier, Granite, Harbor, Helix, Horizon, Ironwood, Keystone, "
    "Lighthouse, Lumen, Maple, Meridian, Nimbus, Northwind, Oakridge, Orbit, Pinnacle, "
    "Polaris, Quantum, Redwood, Riverbend, Sable, Sequoia, Silverline, Skyline, Spruce, "
    "Sterling, Summit, Sunrise, Terra, Trident, Vanguard, Vertex, Westbrook, Willow, Zenith, "
    "Aurora, Bluestone, Copperfield, Driftwood, Emerald, Foxglove, Goldcrest, Highland, "
    "Juniper, Kestrel, Lakeshore, Monarch, Northstar, Opal, Pioneer, Quarry, Ridgeline"
)
_COMPANY_CORES: dict[str, tuple[str, ...]] = {
    "Technology": _items("Software, Systems, Labs, Digital, Data, Networks, Analytics, Cloud"),
    "Finance": _items("Capital, Financial, Partners, Investments, Advisors, Wealth, Lending"),
    "Healthcare": _items("Health, Medical, Care, Clinics, Pharma, Diagnostics, Biotech"),
    "Manufacturing": _items(
        "Manufacturing, Industries, Machining, Components, Fabrication, Steel, Plastics"
    ),
    "Retail": _items("Retail, Stores, Goods, Outfitters, Market, Supply, Home & Garden"),
    "Education": _items("Learning, Academy, Education, Tutoring, Training"),
    "Government": (),
    "Non-profit": (),
    "Media": _items("Media, Studios, Publishing, Broadcasting, Press, Pictures"),
    "Energy": _items("Energy, Power, Solar, Renewables, Utilities, Oil & Gas, Wind"),
}
_INSTITUTION_PATTERNS: dict[str, tuple[str, ...]] = {
    "Education": _items(
        "University of {city}, {city} Community College, {city} Institute of Technology, "
        "{prefix} Academy, {prefix} School"
    ),
    "Government": _items(
        "City of {city}, {city} City Council, {city} Transit Authority, "
        "{city} Water Board, {city} Public Library, {city} Department of Health"
    ),
    "Non-profit": _items(
        "{prefix} Foundation, {city} Food Bank, Friends of {city} Parks, {prefix} Trust, "
        "{prefix} Alliance, {city} Arts Council"
    ),
}
# Legal form -> its spellings (the canonical one first).
_SUFFIX_FORMS: dict[str, tuple[str, ...]] = {
    "Inc": _items("Inc, Inc., Incorporated"),
    "LLC": _items("LLC, L.L.C., Llc"),
    "Corp": _items("Corp, Corp., Corporation"),
    "Co": _items("Co., Co, Company"),
    "Ltd": _items("Ltd, Ltd., Limited"),
    "PLC": _items("PLC, plc, Plc"),
    "LLP": _items("LLP, L.L.P."),
    "GmbH": _items("GmbH, Gmbh, G.m.b.H."),
    "AG": _items("AG"),
    "KG": _items("GmbH & Co. KG, GmbH & Co KG"),
    "SAS": _items("SAS, S.A.S."),
    "SA": _items("SA, S.A."),
    "SARL": _items("SARL, S.A.R.L., Sàrl"),
    "Pty Ltd": _items("Pty Ltd, Pty. Ltd., Pty Limited"),
    "Pvt Ltd": _items("Pvt Ltd, Pvt. Ltd., Private Limited"),
    "Ltda": _items("Ltda., Ltda, LTDA"),
    "SA de CV": _items("S.A. de C.V., SA de CV, S.A. de CV"),
    "SC": _items("S.C., SC"),
    "KK": _items("K.K., KK, Kabushiki Kaisha"),
    "Co Ltd": ("Co. Ltd.", "Co., Ltd.", "Company Limited"),
    "SL": _items("S.L., SL, S.L.U."),
    "BV": _items("B.V., BV, B.V"),
    "NV": _items("N.V., NV"),
    "DAC": _items("DAC, Designated Activity Company"),
}
_INSTITUTION_TLDS: dict[tuple[str, str], str] = {
    ("Government", "US"): ".gov",
    ("Government", "GB"): ".gov.uk",
    ("Non-profit", "US"): ".org",
    ("Non-profit", "CA"): ".org",
    ("Non-profit", "GB"): ".org.uk",
    ("Education", "US"): ".edu",
    ("Education", "GB"): ".ac.uk",
}
_COMPANY_PLACEHOLDERS = _items("N/A, n/a, -, none, Unknown, Self-employed, TBD")
_TITLE_PLACEHOLDERS = _items("N/A, -, Unknown, tbd, ?")

# Job titles: each group lists equivalent spellings; None = fits any industry.
_TITLE_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...] | None], ...] = (
    (_items("CEO, Chief Executive Officer, C.E.O."), None),
    (_items("CFO, Chief Financial Officer"), None),
    (_items("COO, Chief Operating Officer"), None),
    (_items("CTO, Chief Technology Officer"), ("Technology", "Media", "Finance", "Energy")),
    (_items("CMO, Chief Marketing Officer"), None),
    (_items("VP of Sales, Vice President Sales, VP Sales, V.P. Sales"), None),
    (_items("VP of Engineering, VP Engineering, Vice President of Engineering"), ("Technology",)),
    (_items("Director of Marketing, Marketing Director"), None),
    (_items("IT Director, Director of IT, Director of Information Technology"), None),
    (_items("Head of Procurement, Procurement Lead, Head of Purchasing"), None),
    (_items("Sales Manager, Manager - Sales"), None),
    (_items("Account Executive, AE, Acct. Executive"), None),
    (_items("Software Engineer, Software Developer, SWE"), ("Technology", "Finance", "Media")),
    (_items("Data Analyst, Analyst - Data"), None),
    (_items("Data Scientist"), ("Technology", "Finance", "Healthcare", "Retail")),
    (_items("Product Manager, PM, Product Mgr"), ("Technology", "Finance", "Retail", "Media")),
    (_items("Project Manager, Project Mgr, PMP"), None),
    (_items("Operations Manager, Ops Manager, Operations Mgr"), None),
    (_items("HR Manager, Human Resources Manager"), None),
    (_items("Office Manager"), None),
    (_items("Purchasing Manager, Buyer, Purchasing Mgr"), ("Manufacturing", "Retail", "Energy")),
    (_items("Plant Manager"), ("Manufacturing", "Energy")),
    (_items("Quality Engineer, QA Engineer"), ("Manufacturing", "Technology")),
    (_items("Store Manager"), ("Retail",)),
    (_items("Nurse Practitioner, NP"), ("Healthcare",)),
    (_items("Physician, Doctor, MD"), ("Healthcare",)),
    (_items("Practice Manager"), ("Healthcare",)),
    (_items("Professor, Prof."), ("Education",)),
    (_items("Dean of Students"), ("Education",)),
    (_items("Teacher"), ("Education",)),
    (_items("Policy Advisor, Policy Adviser"), ("Government", "Non-profit")),
    (_items("Program Director, Programme Director"), ("Government", "Non-profit", "Education")),
    (_items("Grants Manager, Grant Manager"), ("Non-profit",)),
    (_items("Executive Director, ED"), ("Non-profit",)),
    (_items("Editor, Senior Editor"), ("Media",)),
    (_items("Producer"), ("Media",)),
    (_items("Controller, Financial Controller"), ("Finance", "Manufacturing", "Retail")),
    (_items("Accountant, CPA"), None),
    (_items("Portfolio Manager"), ("Finance",)),
    (_items("Engineer"), ("Energy", "Manufacturing", "Technology")),
    (_items("Consultant"), None),
    (_items("Customer Success Manager, CSM"), ("Technology",)),
    (_items("Founder, Co-Founder, Founder & CEO"), ("Technology", "Retail", "Media")),
    (_items("Owner, Business Owner"), ("Retail", "Manufacturing")),
    (_items("Executive Assistant, EA, Exec. Assistant"), None),
)
_LOCAL_TITLES: dict[str, tuple[str, ...]] = {
    "DE": _items("Geschäftsführer, Vertriebsleiter, Leiter Einkauf, Projektleiterin"),
    "FR": _items("Directeur commercial, Directrice marketing, Responsable achats, PDG"),
    "ES": _items("Director General, Gerente de Ventas, Jefe de Compras"),
    "MX": _items("Director General, Gerente de Ventas, Gerente de Compras"),
    "BR": _items("Diretor Comercial, Gerente de Compras, Diretora de Marketing"),
    "NL": _items("Directeur, Inkoper, Accountmanager"),
}

_OWNERS = _items(
    "Alex Morgan, Priya Natarajan, Jordan Lee, Sam Carter, Maria Gonzalez, Chris Novak, "
    "Taylor Brooks, Hannah Schmidt, Lucas Martin, Emma Wilson, Kenji Sato, Olivia Brown"
)

# ---------------------------------------------------------------------------------------
# Streets
# ---------------------------------------------------------------------------------------

_STREET_TYPES_EN: tuple[tuple[str, str], ...] = (
    ("Street", "St"),
    ("Avenue", "Ave"),
    ("Road", "Rd"),
    ("Boulevard", "Blvd"),
    ("Drive", "Dr"),
    ("Lane", "Ln"),
    ("Court", "Ct"),
    ("Place", "Pl"),
    ("Way", "Way"),
)
_STREET_NAMES_US = _items(
    "Main, Oak, Maple, Cedar, Pine, Elm, Washington, Lake, Hill, Park, Church, Market, "
    "Madison, Lincoln, Jefferson, Sunset, Highland, River, Spring, Center, Mill, Walnut, "
    "Franklin, Cherry, 1st, 2nd, 3rd, 5th, 12th, Martin Luther King Jr, Broadway"
)
_STREET_NAMES_GB = _items(
    "High, Station, Church, Park, Victoria, Queen's, King's, Mill, London, Manor, Grange, "
    "Chapel, North, South, West, Albert, York, Kingsway, Castle"
)
_STREET_TYPES_GB = _items("Street, Road, Lane, Avenue, Close, Crescent, Gardens, Terrace, Place")
_STREET_NAMES_DE = _items(
    "Haupt, Bahnhof, Garten, Schiller, Goethe, Linden, Kirch, Friedrich, Post, Berg, Schul, "
    "Wald, Mozart, Beethoven"
)
_STREET_NAMES_FR = _items(
    "rue de la Paix, rue Victor Hugo, avenue de la République, boulevard Jean Jaurès, "
    "rue du Général de Gaulle, rue Pasteur, allée des Lilas, rue Nationale, rue de Rivoli, "
    "rue Saint-Honoré, quai des Chartrons, place Bellecour"
)
_STREET_NAMES_ES = _items(
    "Calle Mayor, Calle de Alcalá, Gran Vía, Paseo del Prado, Calle de Serrano, Calle Real, "
    "Avenida Diagonal, Calle San Vicente, Plaza de la Constitución"
)
_STREET_NAMES_MX = _items(
    "Av. Paseo de la Reforma, Av. Insurgentes Sur, Calle Juárez, Calle Hidalgo, Av. Morelos, "
    "Calle Madero, Av. Revolución, Av. Chapultepec"
)
_STREET_NAMES_BR = _items(
    "Rua Augusta, Rua das Flores, Rua XV de Novembro, Rua Sete de Setembro, Avenida Paulista, "
    "Avenida Brasil, Avenida Atlântica, Rua Oscar Freire"
)
_STREET_NAMES_NL = _items(
    "Keizersgracht, Herengracht, Prinsengracht, Damrak, Kalverstraat, Stationsplein, "
    "Coolsingel, Oudegracht, Lange Voorhout, Hoofdstraat, Kerkstraat, Dorpsstraat"
)
_STREET_NAMES_IN = _items(
    "MG Road, Linking Road, Park Street, Anna Salai, Brigade Road, Residency Road, "
    "Nehru Place, Hill Road, FC Road, Jubilee Hills Road No. 36"
)
# Abbreviation swaps applied as row-level mess (whole words only).
_STREET_SWAPS: tuple[tuple[str, str], ...] = (
    ("Street", "St."),
    ("Avenue", "Ave."),
    ("Road", "Rd."),
    ("Boulevard", "Blvd."),
    ("Drive", "Dr."),
    ("Lane", "Ln"),
    ("straße", "str."),
    ("Straße", "Str."),
    ("straße", "strasse"),
    ("Avenida", "Av."),
    ("Av.", "Avenida"),
    ("Calle", "C/"),
    ("Rua", "R."),
    ("rue", "Rue"),
    ("avenue", "av."),
    ("boulevard", "bd"),
)

# ---------------------------------------------------------------------------------------
# Phones and dates
# ---------------------------------------------------------------------------------------

_NANP_FORMATS = (
    "({a}) {b}-{c}",
    "{a}-{b}-{c}",
    "+1 {a}-{b}-{c}",
    "{a}.{b}.{c}",
    "{a}{b}{c}",
    "+1{a}{b}{c}",
    "001 {a} {b} {c}",
    "1-{a}-{b}-{c}",
    "+1 ({a}) {b}-{c}",
    "{a} {b} {c}",
)
_NANP_WEIGHTS = (0.25, 0.2, 0.11, 0.08, 0.08, 0.1, 0.03, 0.05, 0.05, 0.05)
# national, international, E.164, national digits, 00-prefixed, "+44 (0)", dashed
_INTL_WEIGHTS = (0.34, 0.3, 0.12, 0.08, 0.06, 0.05, 0.05)
# Dup rows draw from a flatter distribution of formats.
_NANP_WEIGHTS_DUP = (0.15, 0.12, 0.12, 0.1, 0.1, 0.12, 0.08, 0.07, 0.07, 0.07)
_INTL_WEIGHTS_DUP = (0.2, 0.2, 0.18, 0.12, 0.12, 0.1, 0.08)
_EXTENSIONS = (" x{n}", " ext. {n}", " ext {n}", " x {n}", " Ext. {n}")

_MONTHS = _items(
    "January, February, March, April, May, June, July, August, September, October, November, "
    "December"
)
# ISO, 03/07/1985, 7 Mar 1985, 1985/03/07, March 7, 1985, 07.03.1985 (DE/NL), 3/7/1985
_DATE_WEIGHTS_BIRTH = (0.5, 0.18, 0.08, 0.07, 0.07, 0.05, 0.05)
_DATE_WEIGHTS_CONTACT = (0.6, 0.14, 0.06, 0.06, 0.06, 0.04, 0.04)
_BIRTH_RANGE = (date(1950, 1, 1).toordinal(), date(2003, 12, 31).toordinal())
_CONTACT_RANGE = (date(2019, 1, 1).toordinal(), date(2025, 9, 30).toordinal())

_OPT_IN_TRUE = _items("yes, Y, true, 1, TRUE, Yes, y, True")
_OPT_IN_FALSE = _items("no, N, false, 0, FALSE, No, n, False")
_OPT_IN_WEIGHTS = (0.25, 0.15, 0.2, 0.15, 0.1, 0.07, 0.04, 0.04)

_EMAIL_TAGS = _items("crm, news, newsletter, work, sales, 2023, promo, events")
_KEY_NEIGHBOURS: dict[str, str] = {
    "a": "qswz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxz",
    "t": "rfgy",
    "u": "yhji",
    "v": "cfgb",
    "w": "qase",
    "x": "zsdc",
    "y": "tghu",
    "z": "asx",
}

# Blank rates per column (row level, before duplicate perturbations blank more).
_BLANK: dict[str, float] = {
    "first_name": 0.015,
    "last_name": 0.01,
    "email": 0.06,
    "phone": 0.1,
    "company": 0.04,
    "job_title": 0.12,
    "industry": 0.1,
    "lead_source": 0.08,
    "street": 0.1,
    "city": 0.05,
    "postcode": 0.0,  # per country (_Country.p_postcode_blank)
    "country": 0.04,
    "website": 0.08,
    "birth_date": 0.15,
    "email_opt_in": 0.09,
    "last_contacted": 0.06,
    "owner": 0.05,
}

# Duplicate perturbations and their weights (each extra row gets one to three).
_PERTURBATIONS = (
    "typo",
    "nickname",
    "swap",
    "initial",
    "email",
    "phone",
    "company",
    "title",
    "moved",
    "blank",
)
_PERTURBATION_WEIGHTS = (0.2, 0.14, 0.06, 0.04, 0.14, 0.08, 0.12, 0.1, 0.05, 0.07)
_BLANKABLE = ("email", "phone", "company", "job_title", "street", "city", "postcode", "website")


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------


def _norm(weights: Sequence[float] | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Weights scaled to sum to one (as numpy's ``choice`` wants them)."""
    w = np.asarray(weights, dtype=np.float64)
    total: float = w.sum()
    return w / total


def _pick(rng: np.random.Generator, weights: Sequence[float], size: int) -> list[int]:
    """Draw `size` indices with the given (unnormalized) weights."""
    picks: list[int] = rng.choice(len(weights), size=size, p=_norm(weights)).tolist()
    return picks


def _variant_weights(n: int, p_canonical: float) -> list[float]:
    """Weights for spellings listed most common first: the canonical one gets
    `p_canonical`, the others share the rest in proportion 1, 1/2, 1/3, ..."""
    tail = [1.0 / k for k in range(1, n)]
    return [p_canonical] + [(1.0 - p_canonical) * w / sum(tail) for w in tail]


def _hits(rng: np.random.Generator, size: int, p: float) -> list[int]:
    """Positions (of `size`) hit by an event of probability `p`."""
    return np.flatnonzero(rng.random(size) < p).tolist()


@functools.lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    """Strip diacritics (María -> Maria, Zoë -> Zoe); ß -> ss."""
    text = text.replace("ß", "ss").replace("ø", "o").replace("Ø", "O")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_GERMAN_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1 << 16)
def _slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (Müller -> mueller, O'Neil -> oneil)."""
    return _NON_ALNUM.sub("", _fold(text.translate(_GERMAN_TRANSLIT)).lower())


def _typo(text: str, r: random.Random) -> str:
    """Apply exactly one edit (substitute a neighbouring key, delete or insert a letter)."""
    positions = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(positions) < 2:
        return text + (text[-1:] or "x")
    i = r.choice(positions[1:]) if len(positions) > 2 else positions[-1]
    ch = text[i]
    roll = r.random()
    if roll < 0.4:
        repl = r.choice(_KEY_NEIGHBOURS.get(ch.lower(), "aeiou"))
        return text[:i] + (repl.upper() if ch.isupper() else repl) + text[i + 1 :]
    if roll < 0.7:
        return text[:i] + text[i + 1 :]
    extra = ch if r.random() < 0.5 else r.choice(_KEY_NEIGHBOURS.get(ch.lower(), "e"))
    return text[:i] + extra + text[i:]


def _stray_space(text: str, r: random.Random) -> str:
    roll = r.random()
    if roll < 0.35:
        return " " + text
    if roll < 0.7:
        return text + " "
    if " " in text.strip():
        return text.replace(" ", "  ", 1)
    return f" {text} "


def _regroup(
    rng: np.random.Generator,
    keys: IntArray,
    tables: Sequence[Sequence[str]],
    weights: Sequence[Sequence[float]],
) -> list[str]:
    """For each row pick one of ``tables[key]`` with ``weights[key]`` (vectorized by key)."""
    out = np.empty(len(keys), dtype=object)
    for k, (opts, w) in enumerate(zip(tables, weights, strict=True)):
        idx = np.flatnonzero(keys == k)
        if idx.size:
            choice = rng.choice(len(opts), size=idx.size, p=_norm(w))
            out[idx] = np.asarray(opts, dtype=object)[choice]
    return out.tolist()


# ---------------------------------------------------------------------------------------
# Phones
# ---------------------------------------------------------------------------------------


def _spec(spec: str) -> tuple[str, int]:
    prefix, length = spec.split(":")
    return prefix, int(length)


def _valid_numbers(
    rng: np.random.Generator,
    specs: Sequence[tuple[int, str, int]],
    used: set[tuple[int, str]],
    regions: Sequence[str],
) -> list[str]:
    """Random national numbers ``prefix + digits`` that libphonenumber accepts, unique.

    ``specs[i]`` is (calling code, prefix, national number length) and ``regions[i]``
    the ISO country the number must be valid for.
    """
    out = [""] * len(specs)
    pending = list(range(len(specs)))
    for _ in range(200):
        if not pending:
            return out
        widths = [specs[i][2] - len(specs[i][1]) for i in pending]
        # North American exchange codes never start with 0 or 1: draw from [2..9]xx... directly.
        lows = np.asarray(
            [
                2 * 10 ** (w - 1) if specs[i][0] == 1 else 0
                for i, w in zip(pending, widths, strict=True)
            ],
            dtype=np.float64,
        )
        spans = np.power(10.0, widths) - lows
        draws = (lows + rng.random(len(pending)) * spans).astype(np.int64).tolist()
        retry: list[int] = []
        for i, width, num in zip(pending, widths, draws, strict=True):
            cc, prefix, _ = specs[i]
            region = regions[i]
            nsn = f"{prefix}{num:0{width}d}"
            key = (cc, nsn)
            number = PhoneNumber(country_code=cc, national_number=int(nsn))
            # Same answer as is_valid_number for numbers meant for `region`, without the
            # slow search for the region among the 25 that share +1.
            if key in used or not phonenumbers.is_valid_number_for_region(number, region):
                retry.append(i)
                continue
            used.add(key)
            out[i] = nsn
        pending = retry
    bad = sorted({specs[i] for i in pending})
    raise RuntimeError(f"phone specs never validate: {bad[:5]}")


def _format_phone(cc: int, nsn: str, style: int) -> str:
    """Write a number in one of the styles (_NANP_FORMATS or the 7 international ones)."""
    if cc == 1:
        return _NANP_FORMATS[style].format(a=nsn[:3], b=nsn[3:6], c=nsn[6:])
    number = PhoneNumber(country_code=cc, national_number=int(nsn))
    if style == 2:
        return f"+{cc}{nsn}"
    if style in (0, 3):
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        return national if style == 0 else re.sub(r"\D", "", national)
    intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    if style == 4:
        return "00" + intl[1:]
    if style == 5 and cc in _TRUNK_ZERO:
        head = f"+{cc} "
        return f"+{cc} (0)" + intl[len(head) :]
    if style == 6:
        return intl.replace(" ", "-")
    return intl


# ---------------------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------------------

_CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
_GB_INWARD = "ABDEFGHJLNPQRSTUWXYZ"
_EIRCODE = "ACDEFHKNPRTVWXY0123456789"


def _postcode(country: str, city: _City, r: random.Random) -> str:
    prefix = r.choice(city.postcodes)
    if country in ("US", "DE", "ES", "MX"):
        width = 5 - len(prefix)
        return f"{prefix}{r.randrange(10**width):0{width}d}"
    if country == "FR":
        return prefix
    if country == "CA":
        return f"{prefix} {r.randint(1, 9)}{r.choice(_CA_LETTERS)}{r.randint(0, 9)}"
    if country == "GB":
        return f"{prefix} {r.randint(1, 9)}{r.choice(_GB_INWARD)}{r.choice(_GB_INWARD)}"
    if country == "AU":
        return prefix + str(r.randint(0, 9))
    if country == "IN":
        return prefix + f"{r.randint(1, 99):02d}"
    if country == "BR":
        width = 8 - len(prefix)
        digits = f"{prefix}{r.randrange(10**width):0{width}d}"
        return f"{digits[:5]}-{digits[5:]}"
    if country == "JP":
        return f"{prefix}-{r.randint(1, 9999):04d}"
    if country == "NL":
        letters = r.choice("ABCDEGHJKLMNPRTVWXZ") + r.choice("ABCDEGHJKLMNPRTVWXZ")
        return f"{prefix}{r.randint(10, 99)} {letters}"
    if country == "IE":
        return f"{prefix} {r.choice('ACDEFHKNPRTVWXY')}" + "".join(
            r.choice(_EIRCODE) for _ in range(3)
        )
    raise ValueError(country)


def _street(country: str, city: _City, r: random.Random) -> str:
    num = int(r.paretovariate(1.1) * 8) % 9800 + 1
    if country in ("US", "CA", "AU"):
        name = r.choice(_STREET_NAMES_US)
        full, abbr = r.choice(_STREET_TYPES_EN)
        street = name if name == "Broadway" else f"{name} {full if r.random() < 0.55 else abbr}"
        line = f"{num} {street}"
        roll = r.random()
        if roll < 0.08:
            line += f" Suite {r.randint(1, 30) * 10 + r.choice((0, 100, 200))}"
        elif roll < 0.14:
            line += f" Apt {r.randint(1, 20)}{r.choice('ABCD')}"
        elif roll < 0.16:
            line += f" #{r.randint(1, 400)}"
        if country == "AU" and r.random() < 0.1:
            line = f"Unit {r.randint(1, 40)}, {line}"
        return line
    if country in ("GB", "IE"):
        line = f"{num % 300 + 1} {r.choice(_STREET_NAMES_GB)} {r.choice(_STREET_TYPES_GB)}"
        if r.random() < 0.1:
            line = f"Flat {r.randint(1, 30)}, {line}"
        return line
    if country == "DE":
        name = r.choice(_STREET_NAMES_DE)
        kind = r.choice(("straße", "straße", "weg", "platz", "allee"))
        return f"{name}{kind} {num % 200 + 1}"
    if country == "FR":
        bis = " bis" if r.random() < 0.05 else ""
        return f"{num % 150 + 1}{bis} {r.choice(_STREET_NAMES_FR)}"
    if country == "ES":
        floor = f", {r.randint(1, 8)}º {r.choice('ABCD')}" if r.random() < 0.3 else ""
        return f"{r.choice(_STREET_NAMES_ES)}, {num % 250 + 1}{floor}"
    if country == "MX":
        return f"{r.choice(_STREET_NAMES_MX)} {num % 3000 + 1}"
    if country == "BR":
        return f"{r.choice(_STREET_NAMES_BR)}, {num % 2500 + 1}"
    if country == "NL":
        suffix = r.choice("ABC") if r.random() < 0.08 else ""
        return f"{r.choice(_STREET_NAMES_NL)} {num % 400 + 1}{suffix}"
    if country == "IN":
        return f"{num % 300 + 1}, {r.choice(_STREET_NAMES_IN)}"
    if country == "JP":
        district = r.choice(city.districts)
        return f"{r.randint(1, 9)}-{r.randint(1, 30)}-{r.randint(1, 20)} {district}"
    raise ValueError(country)


# ---------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Company:
    country: int
    base: str  # name without legal form
    suffix: str  # key into _SUFFIX_FORMS, or "" for institutions
    industry: int
    domain: str
    variants: tuple[str, ...]  # row spellings, canonical first


@dataclass
class _People:
    """Column-wise attributes of the generated people (one list entry per person)."""

    country: list[int]
    group: list[str]
    first: list[str]
    last: list[str]
    first_native: list[str]
    last_native: list[str]
    city: list[int]  # index into _ALL_CITIES
    street: list[str]
    postcode: list[str]
    phone_cc: list[int]
    phone_nsn: list[str]
    email: list[str]
    work_email: list[bool]
    company: list[int]  # index into companies, -1 = none
    industry: list[int]  # the employer's industry (random for people without one)
    title_group: list[int]  # -1 = local-language title in title_local
    title_variant: list[int]
    title_local: list[str]
    lead_source: list[int]
    birth: list[int]  # proleptic ordinal
    opt_in: list[bool]


_ALL_CITIES: tuple[tuple[int, _City], ...] = tuple(
    (ci, city) for ci, country in enumerate(_COUNTRIES) for city in country.cities
)
_COUNTRY_CITY_INDEX: tuple[tuple[int, ...], ...] = tuple(
    tuple(i for i, (ci, _) in enumerate(_ALL_CITIES) if ci == c) for c in range(len(_COUNTRIES))
)


def _company_variants(base: str, suffix: str) -> tuple[str, ...]:
    """Spellings of one company: canonical first, then formatting variants."""
    if not suffix:
        forms = [base, base.upper(), base.lower(), f"The {base}"]
        if base.startswith("City of "):
            forms.append(f"{base[8:]}, City of")
    else:
        s = _SUFFIX_FORMS[suffix]
        forms = [f"{base} {s[0]}"]
        forms += [f"{base} {alt}" for alt in s[1:]]
        forms += [f"{base}, {s[-1] if len(s) > 1 else s[0]}", base]
        forms += [
            f"{base.upper()} {s[0].upper()}",
            f"{base.upper()}, {s[1] if len(s) > 1 else s[0]}",
        ]
        forms.append(f"{base.lower()} {s[0].lower()}")
    if "&" in base:
        forms.append(forms[0].replace("&", "and"))
    return tuple(dict.fromkeys(forms))


def _make_companies(
    rng: np.random.Generator, r: random.Random, counts: Sequence[int]
) -> tuple[list[_Company], list[list[int]]]:
    """Per-country pools of companies sized to the number of people in each country."""
    companies: list[_Company] = []
    pools: list[list[int]] = []
    used_domains: set[str] = set()
    for ci, country in enumerate(_COUNTRIES):
        size = min(20_000, counts[ci] // 7 + 6)
        industries = _pick(rng, _INDUSTRY_WEIGHTS, size)
        names: set[str] = set()
        pool: list[int] = []
        cities = [city.name for city in country.cities]
        last_names = [
            n for g, _ in country.name_mix[:1] for n in _NAME_GROUPS[g].last if " " not in n
        ]
        for ind in industries:
            industry = _INDUSTRIES[ind]
            for _attempt in range(20):
                if industry in _INSTITUTION_PATTERNS:
                    pattern = r.choice(_INSTITUTION_PATTERNS[industry])
                    base = pattern.format(city=r.choice(cities), prefix=r.choice(_COMPANY_PREFIXES))
                    suffix = ""
                else:
                    roll = r.random()
                    if roll < 0.6:
                        base = f"{r.choice(_COMPANY_PREFIXES)} {r.choice(_COMPANY_CORES[industry])}"
                    elif roll < 0.8:
                        base = f"{r.choice(last_names)} & {r.choice(last_names)}"
                    else:
                        base = f"{r.choice(_COMPANY_PREFIXES)}{r.choice(('', ' Group', ' Global'))}"
                    suffix = r.choices(
                        [s for s, _ in country.suffixes], [w for _, w in country.suffixes]
                    )[0]
                if base not in names:
                    break
            else:
                continue  # name space exhausted for this industry; pool stays smaller
            names.add(base)
            words = _fold(base.replace("&", "and").translate(_GERMAN_TRANSLIT)).lower().split()
            stem = "-".join(words) if r.random() < 0.2 else "".join(words)
            stem = re.sub(r"[^a-z0-9-]", "", stem)
            tld = _INSTITUTION_TLDS.get((industry, country.code), country.tld)
            domain = stem + tld
            n = 2
            while domain in used_domains:
                domain = f"{stem}{n}{tld}"
                n += 1
            used_domains.add(domain)
            pool.append(len(companies))
            companies.append(
                _Company(ci, base, suffix, ind, domain, _company_variants(base, suffix))
            )
        pools.append(pool)
    return companies, pools


def _email_local(first: str, last: str, birth_year: int, r: random.Random) -> str:
    f = _slug(first) or "contact"
    s = _slug(last) or "x"
    roll = r.random()
    if roll < 0.38:
        return f"{f}.{s}"
    if roll < 0.5:
        return f + s
    if roll < 0.66:
        return f[0] + s
    if roll < 0.71:
        return f"{f}_{s}"
    if roll < 0.77:
        return f"{f}.{s}{birth_year % 100:02d}"
    if roll < 0.82:
        return f"{f}{s}{r.randint(1, 99)}"
    if roll < 0.86:
        return f"{s}.{f}"
    if roll < 0.9:
        return f + s[0]
    return f"{f[0]}.{s}"


def _mailbox(local: str, domain: str) -> str:
    """The mailbox an address reaches: gmail ignores dots in the local part."""
    if domain in ("gmail.com", "googlemail.com"):
        return local.replace(".", "") + "@gmail.com"
    return f"{local}@{domain}"


def _unique_email(local: str, domain: str, used: set[str]) -> str:
    """``local@domain``, numbered (jane.doe2@...) if that mailbox is already taken."""
    candidate = local
    n = 2
    while _mailbox(candidate, domain) in used:
        candidate = f"{local}{n}"
        n += 1
    used.add(_mailbox(candidate, domain))
    return f"{candidate}@{domain}"


def _make_people(
    rng: np.random.Generator, r: random.Random, n: int
) -> tuple[_People, list[_Company], set[str], set[tuple[int, str]]]:
    """Draw `n` people; also return the emails and phone numbers already taken."""
    country_arr = rng.choice(len(_COUNTRIES), size=n, p=_norm([c.weight for c in _COUNTRIES]))
    country: list[int] = country_arr.tolist()
    counts: list[int] = np.bincount(country_arr, minlength=len(_COUNTRIES)).tolist()

    group = _regroup(
        rng,
        country_arr,
        [[g for g, _ in c.name_mix] for c in _COUNTRIES],
        [[w for _, w in c.name_mix] for c in _COUNTRIES],
    )
    city = [
        int(c)
        for c in _regroup(
            rng,
            country_arr,
            [[str(i) for i in _COUNTRY_CITY_INDEX[ci]] for ci in range(len(_COUNTRIES))],
            [[c.weight for c in country_.cities] for country_ in _COUNTRIES],
        )
    ]
    companies, pools = _make_companies(rng, r, counts)

    # Employer: a long-tailed choice within the country's pool; 8% of people have none.
    company_arr = np.full(n, -1, dtype=np.int64)
    for ci, pool in enumerate(pools):
        idx = np.flatnonzero(country_arr == ci)
        if idx.size and pool:
            weights = _norm(1.0 / (np.arange(len(pool), dtype=np.float64) + 10.0))
            company_arr[idx] = np.asarray(pool)[rng.choice(len(pool), size=idx.size, p=weights)]
    company_arr[rng.random(n) < 0.08] = -1
    company: list[int] = company_arr.tolist()

    first: list[str] = []
    last: list[str] = []
    first_native: list[str] = []
    last_native: list[str] = []
    for g in group:
        grp = _NAME_GROUPS[g]
        fn = r.choice(grp.first)
        ln = r.choice(grp.last)
        if grp.p_compound and r.random() < grp.p_compound:
            other = r.choice(grp.last)
            if other != ln and " " not in other:
                ln = f"{ln}{grp.compound_sep}{other}"
        fn_native = grp.native_first.get(fn, "")
        ln_native = grp.native_last.get(ln, "")
        if fn in grp.feminine:
            ln += "a"
            ln_native += _CYRILLIC_A if ln_native else ""
        both = bool(fn_native and ln_native)
        first.append(fn)
        last.append(ln)
        first_native.append(fn_native if both else "")
        last_native.append(ln_native if both else "")

    birth: list[int] = rng.integers(_BIRTH_RANGE[0], _BIRTH_RANGE[1], size=n).tolist()
    opt_in: list[bool] = (rng.random(n) < 0.55).tolist()
    lead_source = _pick(rng, _LEAD_SOURCE_WEIGHTS, n)
    industry = [companies[c].industry if c >= 0 else r.randrange(len(_INDUSTRIES)) for c in company]

    # Job titles fit the industry; some people in DE/FR/ES/MX/BR/NL have local titles.
    fitting = [
        [k for k, (_, fits) in enumerate(_TITLE_GROUPS) if fits is None or ind in fits]
        for ind in _INDUSTRIES
    ]
    title_group: list[int] = []
    title_variant: list[int] = []
    title_local: list[str] = []
    for i in range(n):
        code = _COUNTRIES[country[i]].code
        if code in _LOCAL_TITLES and r.random() < 0.15:
            title_group.append(-1)
            title_variant.append(0)
            title_local.append(r.choice(_LOCAL_TITLES[code]))
            continue
        tg = r.choice(fitting[industry[i]])
        title_group.append(tg)
        title_variant.append(0 if r.random() < 0.8 else r.randrange(len(_TITLE_GROUPS[tg][0])))
        title_local.append("")

    street = [_street(_COUNTRIES[country[i]].code, _ALL_CITIES[city[i]][1], r) for i in range(n)]
    postcode = [
        _postcode(_COUNTRIES[country[i]].code, _ALL_CITIES[city[i]][1], r) for i in range(n)
    ]

    # Phones: a landline of the city or a mobile of the country; valid and unique.
    mobile_roll = rng.random(n).tolist()
    specs = [_phone_spec(country[i], city[i], mobile_roll[i], r) for i in range(n)]
    used_phones: set[tuple[int, str]] = set()
    regions = [_COUNTRIES[c].code for c in country]
    phone_nsn = _valid_numbers(rng, specs, used_phones, regions)

    # Emails: a work address at the employer's domain or a free-mail address; unique.
    used_emails: set[str] = set()
    email: list[str] = []
    work_email: list[bool] = []
    work_roll = rng.random(n).tolist()
    for i in range(n):
        local = _email_local(first[i], last[i], date.fromordinal(birth[i]).year, r)
        work = company[i] >= 0 and work_roll[i] < 0.55
        domain = companies[company[i]].domain if work else _free_mail(country[i], r)
        email.append(_unique_email(local, domain, used_emails))
        work_email.append(work)

    people = _People(
        country=country,
        group=group,
        first=first,
        last=last,
        first_native=first_native,
        last_native=last_native,
        city=city,
        street=street,
        postcode=postcode,
        phone_cc=[s[0] for s in specs],
        phone_nsn=phone_nsn,
        email=email,
        work_email=work_email,
        company=company,
        industry=industry,
        title_group=title_group,
        title_variant=title_variant,
        title_local=title_local,
        lead_source=lead_source,
        birth=birth,
        opt_in=opt_in,
    )
    return people, companies, used_emails, used_phones


def _phone_spec(country: int, city: int, roll: float, r: random.Random) -> tuple[int, str, int]:
    c = _COUNTRIES[country]
    options = c.mobiles if c.mobiles and roll < c.p_mobile else _ALL_CITIES[city][1].phones
    prefix, length = _spec(r.choice(options))
    return c.calling_code, prefix, length


def _free_mail(country: int, r: random.Random) -> str:
    domains = _COUNTRIES[country].free_mail
    # gmail.com (listed first everywhere) is as common as all the others together
    return domains[0] if r.random() < 0.5 else r.choice(domains[1:])


# ---------------------------------------------------------------------------------------
# Rows: which person each row shows, and the duplicate perturbations
# ---------------------------------------------------------------------------------------


def _layout(rng: np.random.Generator, n_people: int, n_dup: int) -> IntArray:
    """Person index of each row: every person once, then `n_dup` extra copies."""
    if n_dup == 0:
        return np.arange(n_people, dtype=np.int64)
    order = rng.permutation(n_people)
    extras = rng.choice(3, size=n_people, p=[0.75, 0.18, 0.07]) + 1
    total = np.cumsum(extras)
    if total[-1] < n_dup:
        raise ValueError("dup_rate too high for this many rows")
    k = int(np.searchsorted(total, n_dup)) + 1
    extras = extras[:k].copy()
    extras[-1] -= int(total[k - 1] - n_dup)
    copies = np.repeat(order[:k], extras)
    return np.concatenate([np.arange(n_people, dtype=np.int64), copies.astype(np.int64)])


def _shuffle(rng: np.random.Generator, row_person: IntArray) -> IntArray:
    """A permutation of the rows such that no two rows of one person are adjacent."""
    n = len(row_person)
    perm = rng.permutation(n)
    for _ in range(50):
        seq = row_person[perm]
        bad = np.flatnonzero(seq[1:] == seq[:-1]) + 1
        if not bad.size:
            break
        for b in bad.tolist():
            j = int(rng.integers(n))
            perm[b], perm[j] = perm[j], perm[b]
    return perm


@dataclass
class _Rows:
    """Row-level values (generation order) before the rendering mess is applied."""

    person: list[int]
    first: list[str]
    last: list[str]
    first_native: list[str]
    last_native: list[str]
    email: list[str]
    phone_cc: list[int]
    phone_nsn: list[str]
    odd_phone_style: list[bool]
    company: list[int]
    company_restyle: list[bool]
    title: list[str]
    city: list[int]
    street: list[str]
    postcode: list[str]
    lead_source: list[int]
    opt_in: list[bool]
    blank: dict[str, set[int]]


def _title_text(group: int, variant: int, local: str) -> str:
    return local if group < 0 else _TITLE_GROUPS[group][0][variant]


_SENIOR_PREFIXES = ("Senior ", "Sr. ", "Sr ")
# Titles that take "Senior" (nobody is a Senior CEO).
_SENIORABLE = re.compile(
    r"(Manager|Mgr|Engineer|Developer|Analyst|Scientist|Accountant|Consultant|Executive|"
    r"Editor|Producer|Assistant|Advis[eo]r|Buyer)$"
)


def _change_title(title: str, r: random.Random) -> str:
    """Another spelling of the title, a promotion (Senior / Sr.), or a new role."""
    roll = r.random()
    if roll < 0.4:
        for group, _ in _TITLE_GROUPS:
            if title in group and len(group) > 1:
                return r.choice([t for t in group if t != title])
    if roll < 0.75:
        for prefix in _SENIOR_PREFIXES:
            if title.startswith(prefix):
                return title[len(prefix) :]
        if _SENIORABLE.search(title):
            return r.choice(_SENIOR_PREFIXES) + title
    new = title
    while new == title:
        new = r.choice(r.choice(_TITLE_GROUPS)[0])
    return new


def _dotted_gmail(local: str, r: random.Random) -> str:
    """Move the dots of a gmail local part around (gmail ignores them)."""
    base, _, tag = local.partition("+")
    bare = base.replace(".", "")
    if len(bare) < 3:
        return local
    for _ in range(10):
        cuts = sorted(r.sample(range(1, len(bare)), k=min(len(bare) - 1, r.choice((1, 2, 2)))))
        parts = [bare[i:j] for i, j in zip([0, *cuts], [*cuts, len(bare)], strict=True)]
        new = ".".join(parts)
        if new != base:
            return new + (f"+{tag}" if tag else "")
    return local


def _perturb_email(
    email: str,
    person: int,
    people: _People,
    companies: list[_Company],
    r: random.Random,
    used: set[str],
) -> str:
    local, _, domain = email.partition("@")
    roll = r.random()
    if roll < 0.3:
        return email.upper() if r.random() < 0.3 else f"{local.title()}@{domain.capitalize()}"
    if roll < 0.55:
        return f"{local}+{r.choice(_EMAIL_TAGS)}@{domain}"
    if roll < 0.75 and domain == "gmail.com":
        if r.random() < 0.25:
            return f"{local}@googlemail.com"
        return f"{_dotted_gmail(local, r)}@{domain}"
    # a different address of the same person (work vs personal)
    first, last = people.first[person], people.last[person]
    year = date.fromordinal(people.birth[person]).year
    new_local = _email_local(first, last, year, r)
    if people.work_email[person] or people.company[person] < 0:
        new_domain = _free_mail(people.country[person], r)
    else:
        new_domain = companies[people.company[person]].domain
    return _unique_email(new_local, new_domain, used)


def _make_rows(
    rng: np.random.Generator,
    r: random.Random,
    people: _People,
    companies: list[_Company],
    row_person: IntArray,
    n_people: int,
    used_emails: set[str],
    used_phones: set[tuple[int, str]],
) -> _Rows:
    """Row values before rendering: copies of the people, perturbed for the extra rows."""
    ps = row_person.tolist()
    n = len(ps)
    rows = _Rows(
        person=ps,
        first=[people.first[p] for p in ps],
        last=[people.last[p] for p in ps],
        first_native=[people.first_native[p] for p in ps],
        last_native=[people.last_native[p] for p in ps],
        email=[people.email[p] for p in ps],
        phone_cc=[people.phone_cc[p] for p in ps],
        phone_nsn=[people.phone_nsn[p] for p in ps],
        odd_phone_style=[False] * n,
        company=[people.company[p] for p in ps],
        company_restyle=[False] * n,
        title=[
            _title_text(people.title_group[p], people.title_variant[p], people.title_local[p])
            for p in ps
        ],
        city=[people.city[p] for p in ps],
        street=[people.street[p] for p in ps],
        postcode=[people.postcode[p] for p in ps],
        lead_source=[people.lead_source[p] for p in ps],
        opt_in=[people.opt_in[p] for p in ps],
        blank={name: set() for name in COLUMNS},
    )
    dup_rows = list(range(n_people, n))
    if not dup_rows:
        return rows
    counts = _pick(rng, (0.45, 0.35, 0.2), len(dup_rows))
    new_phone_rows: list[int] = []
    for i, k in zip(dup_rows, counts, strict=True):
        chosen: list[str] = []
        while len(chosen) < k + 1:
            kind = r.choices(_PERTURBATIONS, _PERTURBATION_WEIGHTS)[0]
            if kind not in chosen:
                chosen.append(kind)
        p = ps[i]
        for kind in chosen:
            if kind == "nickname" and rows.first[i] not in NICKNAMES:
                if "typo" in chosen:
                    continue
                kind = "typo"  # fall back when the name has no nickname
            if kind in ("typo", "nickname", "initial"):
                rows.first_native[i] = rows.last_native[i] = ""
            if kind == "typo":
                if r.random() < 0.5 and rows.first[i]:
                    rows.first[i] = _typo(rows.first[i], r)
                else:
                    rows.last[i] = _typo(rows.last[i], r)
            elif kind == "nickname":
                rows.first[i] = NICKNAMES[rows.first[i]]
            elif kind == "swap":
                rows.first[i], rows.last[i] = rows.last[i], rows.first[i]
                rows.first_native[i], rows.last_native[i] = (
                    rows.last_native[i],
                    rows.first_native[i],
                )
            elif kind == "initial":
                rows.first[i] = rows.first[i][:1] + ("." if r.random() < 0.6 else "")
            elif kind == "email":
                rows.email[i] = _perturb_email(rows.email[i], p, people, companies, r, used_emails)
            elif kind == "phone":
                if r.random() < 0.5:
                    rows.odd_phone_style[i] = True
                else:
                    new_phone_rows.append(i)
            elif kind == "company":
                if rows.company[i] >= 0:
                    rows.company_restyle[i] = True
                else:
                    rows.blank["company"].add(i)
            elif kind == "title":
                rows.title[i] = _change_title(rows.title[i], r)
            elif kind == "moved":
                ci = people.country[p]
                city = r.choice(_COUNTRY_CITY_INDEX[ci])
                rows.city[i] = city
                rows.street[i] = _street(_COUNTRIES[ci].code, _ALL_CITIES[city][1], r)
                rows.postcode[i] = _postcode(_COUNTRIES[ci].code, _ALL_CITIES[city][1], r)
            else:  # blank
                rows.blank[r.choice(_BLANKABLE)].add(i)
        if r.random() < 0.4:
            rows.lead_source[i] = r.choices(range(len(_LEAD_SOURCES)), _LEAD_SOURCE_WEIGHTS)[0]
        if r.random() < 0.08:
            rows.opt_in[i] = not rows.opt_in[i]
    if new_phone_rows:
        # A second number of the same person (often a mobile next to a landline).
        specs = [
            _phone_spec(people.country[ps[i]], rows.city[i], r.random(), r) for i in new_phone_rows
        ]
        regions = [_COUNTRIES[people.country[ps[i]]].code for i in new_phone_rows]
        new_numbers = _valid_numbers(rng, specs, used_phones, regions)
        for i, nsn in zip(new_phone_rows, new_numbers, strict=True):
            rows.phone_nsn[i] = nsn
    return rows


# ---------------------------------------------------------------------------------------
# Rendering: the everyday mess every row gets
# ---------------------------------------------------------------------------------------


def _blank_out(values: list[str], rows: Iterable[int]) -> None:
    for i in rows:
        values[i] = ""


def _render_names(
    rng: np.random.Generator, r: random.Random, rows: _Rows, people: _People
) -> tuple[list[str], list[str]]:
    n = len(rows.person)
    first = list(rows.first)
    last = list(rows.last)
    native_roll = rng.random(n).tolist()
    for i in range(n):
        p_native = _NAME_GROUPS[people.group[rows.person[i]]].p_native
        if rows.first_native[i] and rows.last_native[i] and native_roll[i] < p_native:
            first[i], last[i] = rows.first_native[i], rows.last_native[i]
    for values in (first, last):
        for i in _hits(rng, n, 0.05):
            if not values[i].isascii():
                folded = values[i].translate(_GERMAN_TRANSLIT) if r.random() < 0.3 else values[i]
                values[i] = _fold(folded)
    # Whole-record casing problems (someone typed the record in caps, or lower case).
    casing = rng.random(n).tolist()
    for i in range(n):
        c = casing[i]
        if c < 0.025:
            first[i], last[i] = first[i].upper(), last[i].upper()
        elif c < 0.05:
            first[i], last[i] = first[i].lower(), last[i].lower()
        elif c < 0.07:
            first[i], last[i] = first[i].title(), last[i].title()
        elif c < 0.08:
            last[i] = last[i].upper()
    for i in _hits(rng, n, 0.005):
        first[i] = r.choice(("Dr. ", "Dr ", "Prof. ")) + first[i]
    for i in _hits(rng, n, 0.005):
        if first[i] and last[i]:
            first[i], last[i] = f"{first[i]} {last[i]}", ""
    for values, col in ((first, "first_name"), (last, "last_name")):
        for i in _hits(rng, n, 0.025):
            if values[i]:
                values[i] = _stray_space(values[i], r)
        _blank_out(values, _hits(rng, n, _BLANK[col]))
    return first, last


def _render_email(rng: np.random.Generator, r: random.Random, rows: _Rows) -> list[str]:
    n = len(rows.person)
    out = list(rows.email)
    for i in _hits(rng, n, 0.02):
        local, _, domain = out[i].partition("@")
        if "+" not in local:
            out[i] = f"{local}+{r.choice(_EMAIL_TAGS)}@{domain}"
    for i in _hits(rng, n, 0.1):
        local, _, domain = out[i].partition("@")
        if domain == "gmail.com":
            out[i] = f"{_dotted_gmail(local, r)}@{domain}"
    for i in _hits(rng, n, 0.045):
        local, _, domain = out[i].partition("@")
        roll = r.random()
        if roll < 0.35:
            out[i] = out[i].upper()
        elif roll < 0.8:
            out[i] = f"{'.'.join(p.capitalize() for p in local.split('.'))}@{domain}"
        else:
            out[i] = f"{local}@{domain.upper()}"
    for i in _hits(rng, n, 0.008):
        local, _, domain = out[i].partition("@")
        stem = domain.split(".")[0]
        out[i] = r.choice(
            (
                f"{local}@@{stem}",
                f"{local}.{domain}",
                f"{local}@{stem}",
                f"{local}@{domain},",
                f"{local} @{domain}",
                f"{local}@{stem},{domain.partition('.')[2]}",
            )
        )
    for i in _hits(rng, n, 0.02):
        out[i] = _stray_space(out[i], r) if r.random() < 0.7 else f"\t{out[i]}"
    _blank_out(out, _hits(rng, n, _BLANK["email"]))
    return out


def _render_phone(rng: np.random.Generator, r: random.Random, rows: _Rows) -> list[str]:
    n = len(rows.person)
    nanp = _pick(rng, _NANP_WEIGHTS, n)
    intl = _pick(rng, _INTL_WEIGHTS, n)
    nanp_odd = _pick(rng, _NANP_WEIGHTS_DUP, n)
    intl_odd = _pick(rng, _INTL_WEIGHTS_DUP, n)
    ext_roll = rng.random(n).tolist()
    blank = set(_hits(rng, n, _BLANK["phone"]))
    out: list[str] = []
    for i in range(n):
        if i in blank:
            out.append("")
            continue
        cc = rows.phone_cc[i]
        if rows.odd_phone_style[i]:
            style = nanp_odd[i] if cc == 1 else intl_odd[i]
        else:
            style = nanp[i] if cc == 1 else intl[i]
        text = _format_phone(cc, rows.phone_nsn[i], style)
        if ext_roll[i] < (0.035 if cc == 1 else 0.015):
            ext = r.choice((r.randint(2, 899), r.randint(10, 99), r.randint(1000, 4999)))
            text += r.choice(_EXTENSIONS).format(n=ext)
        out.append(text)
    return out


def _render_company(
    rng: np.random.Generator,
    r: random.Random,
    rows: _Rows,
    people: _People,
    companies: list[_Company],
) -> tuple[list[str], list[str], list[str]]:
    """The company, industry and website columns."""
    n = len(rows.person)
    roll = rng.random(n).tolist()
    company: list[str] = []
    website: list[str] = []
    industry: list[str] = []
    for i in range(n):
        c = rows.company[i]
        if c < 0:
            company.append(r.choice(_COMPANY_PLACEHOLDERS) if roll[i] < 0.2 else "")
            website.append("")
            continue
        variants = companies[c].variants
        if rows.company_restyle[i] or roll[i] < 0.12:
            company.append(variants[r.randrange(1, len(variants))])
        elif roll[i] > 0.995:
            company.append(r.choice(_COMPANY_PLACEHOLDERS))
        else:
            company.append(variants[0])
        website.append(companies[c].domain)
    for i, w in enumerate(website):
        if not w:
            continue
        u = r.random()
        if u < 0.35:
            continue
        if u < 0.65:
            website[i] = "www." + w
        elif u < 0.75:
            website[i] = f"https://{w}/"
        elif u < 0.85:
            website[i] = f"https://www.{w}"
        elif u < 0.9:
            website[i] = f"http://{w}"
        elif u < 0.93:
            website[i] = f"HTTP://{w.upper()}"
        elif u < 0.95:
            website[i] = f"WWW.{w.upper()}"
        else:
            website[i] = f"{w}/"
    ind_keys = np.asarray([people.industry[p] for p in rows.person], dtype=np.int64)
    tables = list(INDUSTRY_VARIANTS.values())
    industry = _regroup(rng, ind_keys, tables, [_variant_weights(len(t), 0.72) for t in tables])
    for i, c in enumerate(rows.company):
        if c < 0 and roll[i] < 0.5:
            industry[i] = ""  # people without an employer mostly have no industry either
    _blank_out(company, _hits(rng, n, _BLANK["company"]))
    _blank_out(website, _hits(rng, n, _BLANK["website"]))
    _blank_out(industry, _hits(rng, n, _BLANK["industry"]))
    return company, industry, website


def _render_title(rng: np.random.Generator, r: random.Random, rows: _Rows) -> list[str]:
    n = len(rows.person)
    out = list(rows.title)
    for i in _hits(rng, n, 0.04):
        for group, _ in _TITLE_GROUPS:
            if out[i] in group and len(group) > 1:
                out[i] = r.choice(group)
                break
    for i in _hits(rng, n, 0.035):
        out[i] = out[i].lower() if r.random() < 0.6 else out[i].upper()
    for i in _hits(rng, n, 0.005):
        out[i] = r.choice(_TITLE_PLACEHOLDERS)
    for i in _hits(rng, n, 0.015):
        out[i] = _stray_space(out[i], r)
    _blank_out(out, _hits(rng, n, _BLANK["job_title"]))
    return out


def _render_lead_source(rng: np.random.Generator, rows: _Rows) -> list[str]:
    tables = list(LEAD_SOURCE_VARIANTS.values())
    weights = [_variant_weights(len(t), 0.8) for t in tables]
    out = _regroup(rng, np.asarray(rows.lead_source, dtype=np.int64), tables, weights)
    _blank_out(out, _hits(rng, len(out), _BLANK["lead_source"]))
    return out


def _region_forms(country: _Country, region: _Region) -> tuple[list[str], list[float]]:
    """Spellings of one state/province with their weights (excluding blanks)."""
    _, p_code, p_name = country.region_style
    forms = [
        region.code,
        region.name,
        region.code.lower(),
        region.name.lower() + " ",
        region.name.upper(),
        *region.alts,
    ]
    alt_w = 0.06 / len(region.alts) if region.alts else 0.0
    weights = [p_code * 0.9, p_name * 0.9, p_code * 0.03, 0.02, 0.01, *([alt_w] * len(region.alts))]
    if region.code == region.name or not p_code:
        weights[0] = weights[2] = 0.0
    return forms, weights


_REGION_KEYS: tuple[tuple[int, str], ...] = tuple(
    (ci, code) for ci, c in enumerate(_COUNTRIES) for code in c.regions
)
_REGION_INDEX: dict[tuple[int, str], int] = {key: k for k, key in enumerate(_REGION_KEYS)}
_CITY_REGION: tuple[int, ...] = tuple(_REGION_INDEX[(ci, city.region)] for ci, city in _ALL_CITIES)


def _render_address(
    rng: np.random.Generator, r: random.Random, rows: _Rows, people: _People
) -> dict[str, list[str]]:
    n = len(rows.person)
    # street
    street = list(rows.street)
    for i in _hits(rng, n, 0.1):
        for old, new in r.sample(_STREET_SWAPS, len(_STREET_SWAPS)):
            if re.search(rf"(?<!\w){re.escape(old)}(?!\w)", street[i]):
                street[i] = re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", new, street[i], count=1)
                break
    for i in _hits(rng, n, 0.04):
        street[i] = street[i].upper() if r.random() < 0.5 else street[i].lower()
    for i in _hits(rng, n, 0.02):
        street[i] = _stray_space(street[i], r)
    _blank_out(street, _hits(rng, n, _BLANK["street"]))

    # city
    city: list[str] = []
    roll = rng.random(n).tolist()
    for i in range(n):
        c = _ALL_CITIES[rows.city[i]][1]
        u = roll[i]
        if u < 0.06 and c.alts:
            city.append(r.choice(c.alts))
        elif u < 0.09:
            city.append(c.name.lower())
        elif u < 0.12:
            city.append(c.name.upper())
        elif u < 0.16 and not c.name.isascii():
            city.append(_fold(c.name))
        elif u < 0.18:
            city.append(_stray_space(c.name, r))
        else:
            city.append(c.name)
    _blank_out(city, _hits(rng, n, _BLANK["city"]))

    # state / province
    keys = np.asarray([_CITY_REGION[c] for c in rows.city], dtype=np.int64)
    tables: list[list[str]] = []
    weights: list[list[float]] = []
    for ci, code in _REGION_KEYS:
        forms, w = _region_forms(_COUNTRIES[ci], _COUNTRIES[ci].regions[code])
        tables.append(forms)
        weights.append(w)
    state = _regroup(rng, keys, tables, weights)
    blank_roll = rng.random(n).tolist()
    for i in range(n):
        if blank_roll[i] < _COUNTRIES[people.country[rows.person[i]]].region_style[0]:
            state[i] = ""

    # postcode
    postcode = list(rows.postcode)
    roll = rng.random(n).tolist()
    for i in range(n):
        code = _COUNTRIES[people.country[rows.person[i]]].code
        pc, u = postcode[i], roll[i]
        if u < _COUNTRIES[people.country[rows.person[i]]].p_postcode_blank:
            postcode[i] = ""
            continue
        u = r.random()
        if code == "US":
            if u < 0.08:
                pc = f"{pc}-{r.randint(1, 9999):04d}"
            if pc.startswith("0") and u > 0.7:
                pc = pc[1:]  # a spreadsheet ate the leading zero
        elif code in ("DE", "ES", "FR", "MX"):
            if pc.startswith("0") and u < 0.2:
                pc = pc[1:]
        elif code in ("CA", "GB", "NL", "IE"):
            if u < 0.15:
                pc = pc.replace(" ", "")
            elif u < 0.2:
                pc = pc.lower()
        elif code in ("BR", "JP"):
            if u < 0.15:
                pc = pc.replace("-", "")
            elif u < 0.2 and code == "JP":
                pc = "〒" + pc
        elif code == "IN" and u < 0.1:
            pc = f"{pc[:3]} {pc[3:]}"
        postcode[i] = pc

    # country
    ckeys = np.asarray([people.country[p] for p in rows.person], dtype=np.int64)
    country = _regroup(
        rng,
        ckeys,
        [COUNTRY_VARIANTS[c.code] for c in _COUNTRIES],
        [_COUNTRY_VARIANT_WEIGHTS[c.code] for c in _COUNTRIES],
    )
    for i in _hits(rng, n, 0.01):
        country[i] = _stray_space(country[i], r)
    _blank_out(country, _hits(rng, n, _BLANK["country"]))
    return {
        "street": street,
        "city": city,
        "state": state,
        "postcode": postcode,
        "country": country,
    }


def _format_date(ordinal: int, style: int, country: str) -> str:
    d = date.fromordinal(ordinal)
    if style == 5 and country not in _DOTTED_DATES:
        style = 0
    if style == 0:
        return d.isoformat()
    if style == 1:
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == 2:
        return f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}"
    if style == 3:
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    if style == 4:
        return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"
    if style == 5:
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    return f"{d.month}/{d.day}/{d.year}"


def _render_misc(
    rng: np.random.Generator, r: random.Random, rows: _Rows, people: _People
) -> dict[str, list[str]]:
    n = len(rows.person)
    codes = [_COUNTRIES[people.country[p]].code for p in rows.person]
    styles = _pick(rng, _DATE_WEIGHTS_BIRTH, n)
    birth = [
        _format_date(people.birth[p], s, c)
        for p, s, c in zip(rows.person, styles, codes, strict=True)
    ]
    _blank_out(birth, _hits(rng, n, _BLANK["birth_date"]))

    contacted_days = rng.integers(_CONTACT_RANGE[0], _CONTACT_RANGE[1], size=n).tolist()
    styles = _pick(rng, _DATE_WEIGHTS_CONTACT, n)
    contacted = [
        _format_date(d, s, c) for d, s, c in zip(contacted_days, styles, codes, strict=True)
    ]
    _blank_out(contacted, _hits(rng, n, _BLANK["last_contacted"]))

    styles = _pick(rng, _OPT_IN_WEIGHTS, n)
    opt_in = [
        (_OPT_IN_TRUE if v else _OPT_IN_FALSE)[s] for v, s in zip(rows.opt_in, styles, strict=True)
    ]
    _blank_out(opt_in, _hits(rng, n, _BLANK["email_opt_in"]))

    owner_idx = _pick(rng, [1.0 / (k + 3) for k in range(len(_OWNERS))], n)
    owner = [_OWNERS[k] for k in owner_idx]
    for i in _hits(rng, n, 0.12):
        given, family = owner[i].split(" ", 1)
        owner[i] = r.choice(
            (
                f"{given[0]}. {family}",
                f"{given[0]}{family}".lower(),
                owner[i].lower(),
                owner[i].upper(),
                f"{family}, {given}",
            )
        )
    _blank_out(owner, _hits(rng, n, _BLANK["owner"]))
    return {
        "birth_date": birth,
        "email_opt_in": opt_in,
        "last_contacted": contacted,
        "owner": owner,
    }


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------


def generate_columns(n_rows: int, *, seed: int = 7, dup_rate: float = 0.15) -> dict[str, list[str]]:
    """Generate `n_rows` messy contact rows as columns (the `COLUMNS` plus ``entity_id``).

    ``round(n_rows * dup_rate)`` rows are extra copies of people who already have a row,
    so the share of rows that duplicate an earlier row is exactly that over `n_rows`.
    The result is deterministic for a given `seed`.
    """
    if n_rows < 1:
        raise ValueError("n_rows must be at least 1")
    if not 0.0 <= dup_rate <= 0.6:
        raise ValueError("dup_rate must be between 0 and 0.6")
    rng = np.random.default_rng(seed)
    r = random.Random(seed)
    n_dup = round(n_rows * dup_rate)
    n_people = n_rows - n_dup

    people, companies, used_emails, used_phones = _make_people(rng, r, n_people)
    row_person = _layout(rng, n_people, n_dup)
    rows = _make_rows(rng, r, people, companies, row_person, n_people, used_emails, used_phones)

    cols: dict[str, list[str]] = {}
    cols["first_name"], cols["last_name"] = _render_names(rng, r, rows, people)
    cols["email"] = _render_email(rng, r, rows)
    cols["phone"] = _render_phone(rng, r, rows)
    cols["company"], cols["industry"], cols["website"] = _render_company(
        rng, r, rows, people, companies
    )
    cols["job_title"] = _render_title(rng, r, rows)
    cols["lead_source"] = _render_lead_source(rng, rows)
    cols.update(_render_address(rng, r, rows, people))
    cols.update(_render_misc(rng, r, rows, people))
    for name, blank_rows in rows.blank.items():
        if name in cols:
            _blank_out(cols[name], blank_rows)

    perm = _shuffle(rng, row_person)
    id_width = max(6, len(str(n_rows)))
    entity_width = max(5, len(str(n_people)))
    out: dict[str, list[str]] = {"source_id": [f"crm-{i + 1:0{id_width}d}" for i in range(n_rows)]}
    for name in COLUMNS[1:]:
        out[name] = np.asarray(cols[name], dtype=object)[perm].tolist()
    out["entity_id"] = [f"E{p + 1:0{entity_width}d}" for p in row_person[perm].tolist()]
    return out


def generate_contacts(
    n_rows: int, *, seed: int = 7, dup_rate: float = 0.15
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Generate `n_rows` messy contact rows and their ground truth.

    Returns ``(rows, truth)``: each row is a dict over `COLUMNS` (all strings, ``""`` for
    blank); each truth entry maps a row's ``source_id`` to its ``entity_id``. Same rows,
    in the same order, as `generate_columns` with the same arguments.
    """
    cols = generate_columns(n_rows, seed=seed, dup_rate=dup_rate)
    rows = [
        dict(zip(COLUMNS, values, strict=True))
        for values in zip(*(cols[c] for c in COLUMNS), strict=True)
    ]
    truth = [
        {"source_id": s, "entity_id": e}
        for s, e in zip(cols["source_id"], cols["entity_id"], strict=True)
    ]
    return rows, truth


def write_csv(path: Path, header: Sequence[str], columns: Sequence[Sequence[str]]) -> None:
    """Write columns as a UTF-8 CSV with ``\\n`` line endings (minimal quoting)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(zip(*columns, strict=True))


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; see ``--help``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=2400, help="number of rows (default 2400)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--dup-rate", type=float, default=0.15, help="share of duplicate rows (default 0.15)"
    )
    parser.add_argument("--out", type=Path, required=True, help="contacts CSV to write")
    parser.add_argument("--truth", type=Path, help="truth CSV (source_id,entity_id) to write")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    cols = generate_columns(args.rows, seed=args.seed, dup_rate=args.dup_rate)
    generated = time.perf_counter()
    write_csv(args.out, COLUMNS, [cols[c] for c in COLUMNS])
    if args.truth is not None:
        write_csv(args.truth, TRUTH_COLUMNS, [cols[c] for c in TRUTH_COLUMNS])
    done = time.perf_counter()
    n_entities = len(set(cols["entity_id"]))
    print(
        f"{args.rows} rows, {n_entities} people, duplicate rate "
        f"{1 - n_entities / args.rows:.4f}; generated in {generated - started:.1f} s, "
        f"written in {done - generated:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
