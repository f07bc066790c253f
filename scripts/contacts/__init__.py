"""
Seeded generator of realistic, messy CRM contact data with ground truth.

Write the bundled sample (the committed files are the output of exactly this command)::

    python scripts/make_contacts.py --rows 2400 --seed 7 --dup-rate 0.15 \\
        --out src/recordkit/data/contacts.csv --truth src/recordkit/data/contacts_truth.csv

(``python -m scripts.contacts`` takes the same options), or import it with the repository
root on ``sys.path`` (as pytest has it) and call `generate_contacts` (a list of row dicts
plus the truth) or `generate_columns` (one list per column plus ``entity_id``; the two
agree row for row for the same arguments)::

    from scripts.contacts import generate_columns
    cols = generate_columns(1_000_000, seed=7, dup_rate=0.28)

Layout: the tables (places, names, companies, titles, streets, spellings, blank rates)
are data files in ``data/``, read by `tables`; `people` draws who exists (with
`companies`, `places`, `phones`); `rows` lays out the rows and perturbs the extra copies;
`mess`, `mess_work`, `mess_address` and `mess_misc` apply the everyday mess column by
column; `render` orders, numbers and writes the rows and the truth; `generate` runs the
steps in order.

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
output is byte-for-byte reproducible for a given numpy and phonenumbers version (other
versions may draw or validate differently: the tests check the properties above, not the
bytes).
"""

from .cli import main
from .generate import generate_columns, generate_contacts
from .render import COLUMNS, TRUTH_COLUMNS, write_csv
from .tables import COUNTRY_VARIANTS, INDUSTRY_VARIANTS, LEAD_SOURCE_VARIANTS, NICKNAMES

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
