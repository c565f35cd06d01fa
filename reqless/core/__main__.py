"""`python -m reqless.core` prints the assembled core script to standard output."""

import sys

from reqless.core.script import load_script

sys.stdout.write(load_script().text)
