"""
``python -m recordkit``: the command line (see `recordkit.cli`).
"""

from recordkit.cli import main

raise SystemExit(main())
