"""The recordkit test suite: one package per concept, shared strategies in `tests.strategies`."""
