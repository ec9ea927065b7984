"""`python -m app_server` runs the `app-server` command line."""

import sys

from app_server.launch import main

sys.exit(main())
