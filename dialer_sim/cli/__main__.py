"""``python -m dialer_sim.cli``: the ``dialer-sim`` command."""

import sys

from ._main import main

sys.exit(main())
