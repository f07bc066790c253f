"""Developer scripts: the test-data generator (``scripts.contacts``) and its command."""
