"""Local development: DEBUG on, the embedded default unless DATABASE_URL/REDIS_URL are set."""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403

DEBUG = True
