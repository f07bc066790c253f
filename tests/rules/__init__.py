"""Tests of rules: normalizers, validators, rule sets and batch runs."""
