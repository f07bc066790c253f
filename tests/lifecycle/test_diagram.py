"""Diagrams: one small intermediate form, rendered as Mermaid and Graphviz DOT text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import recordkit as rk
from recordkit.lifecycle import diagram
from tests.lifecycle.machines import DEAL_STAGES

LIFECYCLES = [
    pytest.param(rk.bundled_lifecycle("governance"), id="governance"),
    pytest.param(rk.bundled_lifecycle("business"), id="business"),
    pytest.param(DEAL_STAGES, id="pipeline"),
]


class TestDiagram:
    def test_every_state_edge_and_timer_is_drawn(self) -> None:
        lc = rk.bundled_lifecycle("governance")
        d = diagram(lc)
        assert (
            lc.names,
            len(lc.edges) + len(lc.timers),
            ["captured"],
            ["retired", "merged"],
        ) == (
            tuple(n.id for n in d.nodes),
            len(d.arrows),
            [n.id for n in d.nodes if n.initial],
            [n.id for n in d.nodes if n.final],
        )

    def test_guards_label_edges_and_states(self) -> None:
        lc = DEAL_STAGES.with_guards("proposal", rk.requires_fields("amount"))
        d = diagram(lc)
        assert ("requires(amount)",) == next(n for n in d.nodes if n.id == "proposal").guards

    def test_labels_cannot_break_the_syntax(self) -> None:
        lc = rk.Lifecycle(
            "l",
            [rk.State("a", label='Bad "label"\n]; x'), rk.State("b", final=True)],
            [rk.Edge("a", "b")],
        )
        text = rk.to_mermaid(lc) + rk.to_dot(lc)
        assert ('Bad "label"' not in text, "\n]" not in text) == (True, True)


class TestMermaid:
    @pytest.mark.parametrize("lc", LIFECYCLES)
    def test_shape(self, lc: rk.Lifecycle) -> None:
        text = rk.to_mermaid(lc)
        arrows = re.findall(r"^    (\w+) --> (\w+): ", text, flags=re.M)
        assert (
            "stateDiagram-v2",
            [f"    [*] --> {lc.initial.name}"],
            len(lc.edges) + len(lc.timers),
            {f"    {f} --> [*]" for f in lc.finals},
        ) == (
            text.splitlines()[0],
            [line for line in text.splitlines() if line.startswith("    [*]")],
            len(arrows),
            {line for line in text.splitlines() if line.endswith("--> [*]")},
        )

    def test_timer_is_marked(self) -> None:
        assert (
            "    active --> stale: ⏱ after 180d (entered)"
            in rk.to_mermaid(rk.bundled_lifecycle("governance")).splitlines()
        )


class TestDot:
    @pytest.mark.parametrize("lc", LIFECYCLES)
    def test_shape(self, lc: rk.Lifecycle) -> None:
        text = rk.to_dot(lc)
        assert (
            f'digraph "{lc.name}" {{',
            "}",
            len(lc.edges) + len(lc.timers) + 1,
            len(lc.finals),
        ) == (
            text.splitlines()[0],
            text.splitlines()[-1],
            text.count(" -> "),
            text.count("doublecircle"),
        )

    def test_timers_are_dashed(self) -> None:
        text = rk.to_dot(rk.bundled_lifecycle("governance"))
        assert 3 == text.count("style=dashed")

    def test_not_a_lifecycle(self) -> None:
        with pytest.raises(rk.SchemaError, match="expected a Lifecycle"):
            rk.to_dot("governance")  # type: ignore[arg-type]


class TestDocs:
    def test_docs_draw_the_bundled_lifecycles_as_they_are(self) -> None:
        page = (Path(__file__).parents[2] / "docs" / "lifecycle.md").read_text(encoding="utf-8")
        blocks = re.findall(r"```mermaid\n(.*?)```", page, flags=re.S)
        assert [
            rk.to_mermaid(rk.bundled_lifecycle("governance")),
            rk.to_mermaid(rk.bundled_lifecycle("business")),
        ] == blocks
