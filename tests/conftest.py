"""Test configuration shared by the whole suite: hypothesis profiles."""

import os

from hypothesis import HealthCheck, settings

# "default" keeps the whole run fast; "thorough" (RECORDKIT_HYPOTHESIS=thorough) digs deeper.
settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
# CI replays a fixed sequence of examples, so a run is reproducible; developers' runs (and
# the thorough profile) keep exploring new ones.
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
_default = "ci" if os.environ.get("CI") == "true" else "default"
settings.load_profile(os.environ.get("RECORDKIT_HYPOTHESIS", _default))
# Modules with a hundred properties or more run a fifth of the loaded profile's examples
# each, so the suite stays quick; under "thorough" that is still hundreds each.
settings.register_profile("quick", max_examples=max(12, settings().max_examples // 5))
