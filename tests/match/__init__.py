"""Tests of matching: comparisons, blocking, models, clusters, the index and merges."""
