"""
Write messy CRM contacts with ground truth; the generator is the ``scripts.contacts`` package.

The bundled sample is the output of exactly this command::

    python scripts/make_contacts.py --rows 2400 --seed 7 --dup-rate 0.15 \\
        --out src/recordkit/data/contacts.csv --truth src/recordkit/data/contacts_truth.csv

``python -m scripts.contacts`` (from the repository root) takes the same options.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from scripts.contacts.cli import main

    raise SystemExit(main())
