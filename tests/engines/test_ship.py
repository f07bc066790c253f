"""
What the in-process engine's workers are sent and send back: equal values, nothing lost.
"""

from __future__ import annotations

import io
from functools import cache

import attrs
import numpy as np

from recordkit.engines import InProcess, RoadResult
from recordkit.engines._ship import dump_light, dumps, light, load_light, loads
from recordkit.match import Matcher
from tests.engines.data import AT, contact_rows, contact_rules


@cache
def road() -> RoadResult:
    """The road in one process over a few hundred contacts."""
    return InProcess(workers=1).run(contact_rows(600), contact_rules(), at=AT)


class TestPickles:
    def test_merge_plans_come_back_equal(self) -> None:
        """Merge plans (records with read-only values, lineage) come back equal to the originals."""
        plans = list(road().merges)
        assert plans
        back = loads(dumps(plans))
        assert plans == back
        assert [p.survivor.values for p in plans] == [p.survivor.values for p in back]
        assert [hash(p.survivor) for p in plans] == [hash(p.survivor) for p in back]

    def test_prepared_records_travel_with_their_factored_columns(self) -> None:
        """`load_light` gives what `light` keeps: the features and the factored columns."""
        ran = road().match.prepared
        matcher = Matcher.for_schema(contact_rules().schema)
        # a cache entry that cannot travel stays behind
        factored = {**ran.memo["factored"], "made on the fly": lambda: None}
        prepared = attrs.evolve(ran, memo={**ran.memo, "factored": factored})
        f = io.BytesIO()
        dump_light(prepared, matcher, f)
        f.seek(0)
        back, extra = load_light(f)
        kept = light(prepared).memo["factored"]
        assert matcher == extra
        assert "made on the fly" not in kept
        assert kept.keys() == back.memo["factored"].keys()
        assert {"email", "phone"} <= set(kept)
        for key, column in kept.items():
            assert np.array_equal(column.codes, back.memo["factored"][key].codes)
            assert list(column.uniques) == list(back.memo["factored"][key].uniques)
        assert prepared.features.keys() == back.features.keys()
        assert list(prepared.ids) == list(back.ids)
