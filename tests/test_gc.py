"""The collector pause: one process-wide helper, safe across threads and nested blocks."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

import recordkit as rk
from recordkit._gc import collector_paused


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:  # pragma: no cover - the suite runs with the collector on
        gc.disable()


class TestCollectorPaused:
    def test_pauses_and_resumes(self) -> None:
        """The collector is off inside the block and back on after it."""
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled()

    def test_resumes_after_an_exception(self) -> None:
        """A block that raises still gives the collector back."""
        with pytest.raises(ZeroDivisionError), collector_paused():
            1 / 0  # noqa: B018 - the point is the exception
        assert gc.isenabled()

    def test_leaves_an_off_collector_off(self) -> None:
        """A collector the caller switched off stays off afterwards."""
        gc.disable()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()

    @given(st.lists(st.booleans(), min_size=1, max_size=8))
    def test_nested_blocks_resume_only_at_the_end(self, shape: list[bool]) -> None:
        """However blocks nest, the collector comes back only when the outermost ends."""
        gc.enable()

        def nest(depth: int) -> None:
            if depth == len(shape):
                return
            with collector_paused():
                assert not gc.isenabled()
                nest(depth + 1)
                assert not gc.isenabled()

        nest(0)
        assert gc.isenabled()

    def test_threads_never_resume_under_one_another(self) -> None:
        """A thread that finishes first does not switch the collector on under another."""
        inside = threading.Barrier(2)
        first_done = threading.Event()
        seen: list[bool] = []

        def short() -> None:
            with collector_paused():
                inside.wait()
            first_done.set()

        def long() -> None:
            with collector_paused():
                inside.wait()
                first_done.wait(5)
                seen.append(gc.isenabled())

        threads = [threading.Thread(target=short), threading.Thread(target=long)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert [False] == seen
        assert gc.isenabled()


class TestCollectorPause:
    def test_off_leaves_the_collector_alone(self) -> None:
        """Under ``collector_pause(False)`` batch steps never switch the collector off."""
        with rk.collector_pause(False), collector_paused():
            assert gc.isenabled()

    def test_setting_is_scoped_to_the_block(self) -> None:
        """The setting ends with its block; blocks nest."""
        with rk.collector_pause(False):
            with rk.collector_pause(True), collector_paused():
                assert not gc.isenabled()
            with collector_paused():
                assert gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()

    @pytest.mark.parametrize("allowed", [True, False])
    def test_batch_runs_respect_it(self, allowed: bool) -> None:
        """A batch capture pauses the collector unless ``collector_pause(False)`` says not."""
        seen: list[bool] = []

        def spy(value: object) -> object:
            seen.append(gc.isenabled())
            return value

        schema = rk.bundled_schema("contact")
        rules = rk.RuleSet.for_schema(
            schema, extend={"last_name": [rk.normalizer(spy, id="spy")]}
        )
        steward = rk.Steward(schema, rules=rules)
        rows = [{"first_name": "Ada", "last_name": f"L{i}"} for i in range(3)]
        with rk.collector_pause(allowed):
            steward.capture_many(rows, source="crm")
        assert seen
        assert {not allowed} == set(seen)
        assert gc.isenabled()

    @pytest.mark.parametrize("value", [None, 1, "no", 0.0])
    def test_refuses_what_is_not_a_bool(self, value: object) -> None:
        """Only True or False are taken."""
        with pytest.raises(rk.RecordkitError, match="collector_pause"), rk.collector_pause(
            value  # type: ignore[arg-type]
        ):
            pass  # pragma: no cover
