"""What `newsflow browse` shows in Datasette: metadata, canned queries and a small plugin.

``metadata`` and ``queries`` are data (the tests read them without a server); ``plugin`` holds
the hooks and imports Datasette, so only a running browse loads it.
"""

from pathlib import Path

TEMPLATES = Path(__file__).with_name("templates")
