"""The same script on trio: nothing changes but the runner (``pip install trio``)."""

from __future__ import annotations

import trio
from script_asyncio import main  # the flow itself knows nothing of the event loop

if __name__ == "__main__":
    trio.run(main)
