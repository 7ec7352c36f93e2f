"""Settings for publishing: absolute URLs. Build with `make publish`."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
