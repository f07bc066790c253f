"""Tests of schemas: field types, fields, records and schema documents."""
