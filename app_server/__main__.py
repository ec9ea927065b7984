"""`python -m app_server` runs the `app-server` command line."""

import sys

from app_server.cli import main

sys.exit(main())
