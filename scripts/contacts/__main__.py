"""``python -m scripts.contacts``: the same command as ``python scripts/make_contacts.py``."""

from .cli import main

raise SystemExit(main())
