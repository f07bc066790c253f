"""
A normalizer that kills the worker process running it: a worker dying mid-job, for real.
"""

from __future__ import annotations

import multiprocessing
import os
import signal

from recordkit.rules import RuleSet, normalizer


def die_in_worker(value: object) -> object:
    """Kill this process with SIGKILL on the value ``"die"`` when it is a worker."""
    if value == "die" and multiprocessing.parent_process() is not None:
        os.kill(os.getpid(), signal.SIGKILL)
    return value


def deadly_rules(base: RuleSet) -> RuleSet:
    """*base*'s rules with `die_in_worker` added to the company field."""
    rule = normalizer(die_in_worker, id="test.die_in_worker")
    return RuleSet.for_schema(base.schema, extend={"company": [rule]})
