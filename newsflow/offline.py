"""Nothing in newsflow reaches the network on its own: libraries that would are told not to.

Each default is set in the environment (so child processes inherit it) before the library
reads it, and only when the user has not chosen a value.
"""

from __future__ import annotations

import os

# Variable → value that keeps a library from downloading or reporting at run time.
OFFLINE_DEFAULTS: dict[str, str] = {
    # tldextract, through Scrapy's cookie middleware, downloads the public suffix list on the
    # first Set-Cookie unless this is empty; it then uses the snapshot bundled with it.
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
    # Prefect sends SDK usage events on import and on first runs unless DO_NOT_TRACK is set,
    # and its server (the ephemeral one too) sends a telemetry heartbeat unless told not to.
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}


def keep_offline() -> None:
    """Set the offline defaults above, leaving any value the user has set."""
    for name, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(name, value)
