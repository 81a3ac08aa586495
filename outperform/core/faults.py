"""Fault-injection points for the crash tests (tests/faults/test_kill.py).

A long write announces that it has reached a named point, half-way through its transaction, and
waits there to be killed — but only when the environment asks for that point. In normal runs
`checkpoint` is one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def checkpoint(name: str) -> None:
    if os.environ.get("OUTPERFORM_FAULT_POINT") != name:
        return
    Path(os.environ["OUTPERFORM_FAULT_FILE"]).write_text(name)
    time.sleep(float(os.environ.get("OUTPERFORM_FAULT_WAIT", "120")))
