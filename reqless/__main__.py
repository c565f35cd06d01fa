"""`python -m reqless ...` runs the `reqless` command."""

import sys

from reqless.cli.main import main

sys.exit(main())
