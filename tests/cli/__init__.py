"""Tests of the `recordkit` command."""
