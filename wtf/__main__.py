"""``python -m wtf``: the ``wtf`` command."""

import sys

from .cli import main

sys.exit(main())
