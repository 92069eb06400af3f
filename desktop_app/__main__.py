"""`python -m desktop_app` does what the `saldo` command does."""

import sys

from desktop_app.cli import main

sys.exit(main())
