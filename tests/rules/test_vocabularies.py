"""
The bundled CRM vocabularies: well formed, unambiguous, and reading what people write.

The tables follow each vocabulary's stated convention (its data file's header): an ad
platform named with "ads" is paid, a social network named alone is organic social, and a
spelling that could mean two values is read as neither.
"""

from __future__ import annotations

from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordkit import SchemaError
from recordkit.rules import Normalizers, fold_key, normalize_picklist
from recordkit.schema import Picklist
from recordkit.schema._vocabulary import VOCABULARIES, vocabulary
from tests.strategies import messy_text


def _read(name: str, raw: str, *, exact: bool = False) -> object:
    p = vocabulary(name)
    if exact:
        return normalize_picklist(raw, values=p.values, synonyms=p.synonyms, fuzzy=None)
    return normalize_picklist(raw, values=p.values, synonyms=p.synonyms)


# Convention (lead_source): platforms with "ads" or "paid" are paid; a network alone is
# organic social; search engines' ads are paid search.
LEAD_SOURCES = [
    ("FB Ads", "Paid Social"),
    ("fb ads", "Paid Social"),
    ("Facebook Ads", "Paid Social"),
    ("Meta Ads", "Paid Social"),
    ("Instagram Ads", "Paid Social"),
    ("LinkedIn Ads", "Paid Social"),
    ("LinkedIn Sponsored", "Paid Social"),
    ("Sponsored InMail", "Paid Social"),
    ("Twitter Ads", "Paid Social"),
    ("TikTok Ads", "Paid Social"),
    ("Paid Social", "Paid Social"),
    ("Google Ads", "Paid Search"),
    ("google ads", "Paid Search"),
    ("Google AdWords", "Paid Search"),
    ("AdWords", "Paid Search"),
    ("adwords", "Paid Search"),
    ("PPC", "Paid Search"),
    ("ppc", "Paid Search"),
    ("Pay-per-click", "Paid Search"),
    ("SEM", "Paid Search"),
    ("CPC", "Paid Search"),
    ("Bing Ads", "Paid Search"),
    ("Microsoft Ads", "Paid Search"),
    ("LinkedIn", "Organic Social"),
    ("linkedin", "Organic Social"),
    ("Linked-In", "Organic Social"),
    ("Facebook", "Organic Social"),
    ("FB", "Organic Social"),
    ("Twitter", "Organic Social"),
    ("Instagram", "Organic Social"),
    ("YouTube", "Organic Social"),
    ("Social Media", "Organic Social"),
    ("social", "Organic Social"),
    ("SEO", "Organic Search"),
    ("Organic Search", "Organic Search"),
    ("Google Organic", "Organic Search"),
    ("Ad", "Advertising"),
    ("Ads", "Advertising"),
    ("Advertisement", "Advertising"),
    ("Advertisment", "Advertising"),
    ("Display Ads", "Advertising"),
    ("Retargeting", "Advertising"),
    ("Email", "Email Marketing"),
    ("e-mail", "Email Marketing"),
    ("Newsletter", "Email Marketing"),
    ("Direct", "Direct Traffic"),
    ("Website", "Web"),
    ("web form", "Web"),
    ("Web Form", "Web"),
    ("Contact Us", "Web"),
    ("Referral", "Referral"),
    ("Referred", "Referral"),
    ("Referal", "Referral"),
    ("Word of mouth", "Referral"),
    ("Customer referral", "Referral"),
    ("Partner", "Partner Referral"),
    ("Reseller", "Partner Referral"),
    ("Channel Partner", "Partner Referral"),
    ("Trade show", "Event"),
    ("Tradeshow", "Event"),
    ("Conference", "Event"),
    ("Webinar", "Event"),
    ("Phone", "Phone Inquiry"),
    ("Inbound call", "Phone Inquiry"),
    ("Cold Call", "Outbound"),
    ("cold-call", "Outbound"),
    ("Cold calling", "Outbound"),
    ("Outbound", "Outbound"),
    ("Purchased List", "Purchased List"),
    ("List purchase", "Purchased List"),
    ("Other", "Other"),
    ("misc", "Other"),
]

# Negative: spellings that could mean two lead sources are left as they were.
LEAD_SOURCES_UNREAD = ["Google", "Organic", "Paid", "Inbound", "Marketing", "Online", "Search"]

# Convention (industry): Salesforce's values; abbreviations and variants of one value.
INDUSTRIES = [
    ("Tech", "Technology"),
    ("IT", "Technology"),
    ("SaaS", "Technology"),
    ("Software", "Technology"),
    ("Information Technology", "Technology"),
    ("Hi-Tech", "Technology"),
    ("Techology", "Technology"),
    ("Telecom", "Telecommunications"),
    ("Telco", "Telecommunications"),
    ("Fintech", "Finance"),
    ("Financial Services", "Finance"),
    ("Bank", "Banking"),
    ("Insurtech", "Insurance"),
    ("Biotech", "Biotechnology"),
    ("Life Sciences", "Biotechnology"),
    ("Health care", "Healthcare"),
    ("Medical", "Healthcare"),
    ("Non-profit", "Not For Profit"),
    ("Nonprofit", "Not For Profit"),
    ("NGO", "Not For Profit"),
    ("Charity", "Not For Profit"),
    ("not for profit", "Not For Profit"),
    ("F&B", "Food & Beverage"),
    ("Food and Beverage", "Food & Beverage"),
    ("Public Sector", "Government"),
    ("Govt", "Government"),
    ("Higher Ed", "Education"),
    ("EdTech", "Education"),
    ("K-12", "Education"),
    ("Mfg", "Manufacturing"),
    ("E-commerce", "Retail"),
    ("eCommerce", "Retail"),
    ("Oil & Gas", "Energy"),
    ("Renewables", "Energy"),
    ("Logistics", "Transportation"),
    ("Hotels", "Hospitality"),
    ("Consultancy", "Consulting"),
    ("Publishing", "Media"),
    ("Fashion", "Apparel"),
    ("Farming", "Agriculture"),
    ("Semiconductors", "Electronics"),
    ("Freight", "Shipping"),
    ("Utility", "Utilities"),
    ("Sports", "Recreation"),
]

# Negative: spellings between two industries are left as they were.
INDUSTRIES_UNREAD = ["Pharma", "Gaming", "Automotive", "Services", "Business"]

# Convention (job_function): LinkedIn's functions; department names and abbreviations.
JOB_FUNCTIONS = [
    ("HR", "Human Resources"),
    ("People Ops", "Human Resources"),
    ("Recruiting", "Human Resources"),
    ("IT", "Information Technology"),
    ("InfoSec", "Information Technology"),
    ("R&D", "Research"),
    ("QA", "Quality Assurance"),
    ("BizDev", "Business Development"),
    ("BD", "Business Development"),
    ("Procurement", "Purchasing"),
    ("Customer Support", "Customer Success and Support"),
    ("Customer Service", "Customer Success and Support"),
    ("Mktg", "Marketing"),
    ("Demand Gen", "Marketing"),
    ("Ops", "Operations"),
    ("Admin", "Administrative"),
    ("UX/UI", "Arts and Design"),
    ("Software Engineering", "Engineering"),
    ("Legal & Compliance", "Legal"),
    ("Product", "Product Management"),
    ("PMO", "Program and Project Management"),
    ("Account Executive", "Sales"),
    ("PR", "Media and Communication"),
    ("Founder", "Entrepreneurship"),
]

# Negative: abbreviations that name two functions are left as they were.
JOB_FUNCTIONS_UNREAD = ["PM", "Analytics", "Security", "CS", "Growth"]

# Convention (seniority): LinkedIn's levels as data providers name them.
SENIORITIES = [
    ("CEO", "C-Level"),
    ("CXO", "C-Level"),
    ("C-Suite", "C-Level"),
    ("Vice President", "VP"),
    ("SVP", "VP"),
    ("EVP", "VP"),
    ("Dir.", "Director"),
    ("Sr. Director", "Director"),
    ("Mgr", "Manager"),
    ("Sr", "Senior"),
    ("Junior", "Entry"),
    ("Entry level", "Entry"),
    ("Internship", "Intern"),
    ("Trainee", "Intern"),
    ("Co-Founder", "Owner"),
    ("Managing Partner", "Partner"),
]

# Negative: titles that are a different level at different companies.
SENIORITIES_UNREAD = ["Associate", "Head", "Lead", "Principal", "AVP", "Managing Director"]

# Convention (lead_status): Salesforce's statuses; HubSpot's with one counterpart.
LEAD_STATUSES = [
    ("New", "Open - Not Contacted"),
    ("open", "Open - Not Contacted"),
    ("Attempted to Contact", "Working - Contacted"),
    ("In progress", "Working - Contacted"),
    ("Connected", "Working - Contacted"),
    ("Converted", "Closed - Converted"),
    ("Unqualified", "Closed - Not Converted"),
    ("Not qualified", "Closed - Not Converted"),
    ("closed - not converted", "Closed - Not Converted"),
]

# Negative: HubSpot statuses with no one Salesforce counterpart, and vague words.
LEAD_STATUSES_UNREAD = ["Open Deal", "Bad Timing", "Qualified", "Lost", "Nurturing"]

# Convention (salutation): case and punctuation ignored; written-out words and other
# languages' forms.
SALUTATIONS = [
    ("MR", "Mr."),
    ("mr", "Mr."),
    ("Mister", "Mr."),
    ("Herr", "Mr."),
    ("Monsieur", "Mr."),
    ("Ms", "Ms."),
    ("MRS", "Mrs."),
    ("Señora", "Mrs."),
    ("miss", "Miss"),
    ("Mlle", "Miss"),
    ("Mx", "Mx."),
    ("Dr", "Dr."),
    ("Doctor", "Dr."),
    ("Prof", "Prof."),
    ("Professor", "Prof."),
]

# Negative: titles that stand for Ms. in one usage and Mrs. in another.
SALUTATIONS_UNREAD = ["Frau", "Madame", "Sir"]

TYPO_CLOSE = {"Qualified"}
"""
Unlisted words the default typo correction reads as a listed synonym (Unqualified).
"""

READ = [
    *(pytest.param("lead_source", raw, expected, id=f"lead_source:{raw}")
      for raw, expected in LEAD_SOURCES),
    *(pytest.param("industry", raw, expected, id=f"industry:{raw}")
      for raw, expected in INDUSTRIES),
    *(pytest.param("job_function", raw, expected, id=f"job_function:{raw}")
      for raw, expected in JOB_FUNCTIONS),
    *(pytest.param("seniority", raw, expected, id=f"seniority:{raw}")
      for raw, expected in SENIORITIES),
    *(pytest.param("lead_status", raw, expected, id=f"lead_status:{raw}")
      for raw, expected in LEAD_STATUSES),
    *(pytest.param("salutation", raw, expected, id=f"salutation:{raw}")
      for raw, expected in SALUTATIONS),
]  # fmt: skip

UNREAD = [
    *(pytest.param("lead_source", raw, id=f"lead_source:{raw}") for raw in LEAD_SOURCES_UNREAD),
    *(pytest.param("industry", raw, id=f"industry:{raw}") for raw in INDUSTRIES_UNREAD),
    *(pytest.param("job_function", raw, id=f"job_function:{raw}") for raw in JOB_FUNCTIONS_UNREAD),
    *(pytest.param("seniority", raw, id=f"seniority:{raw}") for raw in SENIORITIES_UNREAD),
    *(pytest.param("lead_status", raw, id=f"lead_status:{raw}") for raw in LEAD_STATUSES_UNREAD),
    *(pytest.param("salutation", raw, id=f"salutation:{raw}") for raw in SALUTATIONS_UNREAD),
]  # fmt: skip


class TestReading:
    """
    What people write becomes the vocabulary's value, and ambiguous spellings do not.
    """

    @pytest.mark.parametrize(("name", "raw", "expected"), READ)
    def test_read(self, name: str, raw: str, expected: str) -> None:
        """A listed synonym or spelling gives its canonical value."""
        assert expected == _read(name, raw)

    @pytest.mark.parametrize(("name", "raw"), UNREAD)
    def test_ambiguous_left_alone(self, name: str, raw: str) -> None:
        """A spelling that could mean two values comes back unchanged.

        Read exactly, the vocabulary lists none of them; with the picklist's default typo
        correction too, except "Qualified", which is one letter-pair from "Unqualified".
        """
        assert raw == _read(name, raw, exact=True)
        if raw not in TYPO_CLOSE:
            assert raw == _read(name, raw)

    @pytest.mark.parametrize("name", VOCABULARIES)
    def test_through_a_normalizer(self, name: str) -> None:
        """The picklist normalizer built from a vocabulary reads every value and synonym."""
        p = vocabulary(name)
        rule = Normalizers.picklist(p.values, p.synonyms)
        for canonical, spellings in p.synonyms:
            assert (canonical, False) == rule.normalize(canonical)
            for spelling in spellings:
                assert canonical == rule.normalize(spelling)[0], spelling


class TestData:
    """
    Every vocabulary file is well formed and unambiguous once spellings are folded.
    """

    def test_files_match_the_names(self) -> None:
        """VOCABULARIES lists exactly the shipped files, sorted."""
        folder = resources.files("recordkit.schema").joinpath("data").joinpath("vocabularies")
        files = sorted(
            f.name.removesuffix(".yaml") for f in folder.iterdir() if f.name.endswith(".yaml")
        )
        assert files == list(VOCABULARIES)
        assert sorted(VOCABULARIES) == list(VOCABULARIES)

    @pytest.mark.parametrize("name", VOCABULARIES)
    def test_no_folded_spelling_means_two_values(self, name: str) -> None:
        """No two values, nor a synonym and another value, fold to the same key."""
        owners: dict[str, str] = {}
        clashes = []
        p = vocabulary(name)
        for canonical, spellings in p.synonyms:
            for spelling in (canonical, *spellings):
                key = fold_key(spelling)
                assert key, spelling
                if owners.setdefault(key, canonical) != canonical:
                    clashes.append((spelling, owners[key], canonical))
        assert [] == clashes

    @pytest.mark.parametrize("name", VOCABULARIES)
    def test_every_value_has_a_synonym_entry(self, name: str) -> None:
        """Each value appears once in the synonyms, in the order of the values."""
        p = vocabulary(name)
        assert p.values == tuple(c for c, _ in p.synonyms)

    def test_sizes(self) -> None:
        """The vocabularies hold the standard lists and several hundred synonyms."""
        sizes = {n: len(vocabulary(n).values) for n in VOCABULARIES}
        assert {"industry": 32, "job_function": 26, "lead_source": 15, "lead_status": 4,
                "salutation": 7, "seniority": 9} == sizes  # fmt: skip
        assert sum(len(vocabulary(n).synonym_map) for n in VOCABULARIES) >= 600


class TestVocabularyFunction:
    """
    vocabulary() returns a fresh-equal Picklist and refuses bad arguments.
    """

    def test_returns_a_picklist(self) -> None:
        """A vocabulary is a restricted Picklist unless asked otherwise."""
        p = vocabulary("industry")
        assert isinstance(p, Picklist)
        assert p.restricted is True
        assert vocabulary("industry", restricted=False).restricted is False
        assert p == vocabulary("industry")

    @pytest.mark.parametrize("name", ["lead_sources", "Industry", "", None, 3, ["industry"]])
    def test_unknown_name(self, name: object) -> None:
        """An unknown name raises a SchemaError at path name, with suggestions."""
        with pytest.raises(SchemaError) as caught:
            vocabulary(name)  # type: ignore[arg-type]
        assert "name" == caught.value.path
        if name == "lead_sources":
            assert ("lead_source",) == caught.value.suggestions[:1]

    @pytest.mark.parametrize("restricted", [None, 1, "yes", 0.0])
    def test_bad_restricted(self, restricted: object) -> None:
        """restricted must be a bool."""
        with pytest.raises(SchemaError) as caught:
            vocabulary("industry", restricted=restricted)  # type: ignore[arg-type]
        assert "restricted" == caught.value.path

    @settings(max_examples=200)
    @given(name=st.sampled_from(VOCABULARIES), raw=messy_text())
    def test_reading_is_idempotent(self, name: str, raw: str) -> None:
        """Reading a value twice gives what reading it once gave."""
        once = _read(name, raw)
        assert once == _read(name, once)  # type: ignore[arg-type]
