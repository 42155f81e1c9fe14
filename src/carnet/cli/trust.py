"""`carnet trust FILE [FILE ...]`: sign notebooks, as `jupyter trust` does.

The signature goes into the database in the Jupyter data dir (``nbsignatures.db``, key in
``notebook_secret``), where `jupyter trust`, jupyter_server and the carnet server look.
Exit code 0 when every file is signed (or already was), 1 otherwise, 2 without a file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from carnet.contents.trust import Notary, TrustError


def trust_notebooks(paths: list[str]) -> int:
    if not paths:
        print("carnet trust: error: name the notebooks to trust: carnet trust FILE [FILE ...]",
              file=sys.stderr)  # fmt: skip
        return 2
    notary = Notary()
    status = 0
    for name in paths:
        path = Path(name)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            print(f"Notebook missing: {name}", file=sys.stderr)
            status = 1
            continue
        except OSError as e:
            print(f"Cannot read {name}: {e.strerror or e}", file=sys.stderr)
            status = 1
            continue
        try:
            nb = notary.parse(data)
            if notary.is_signed(nb):
                print(f"Notebook already signed: {name}")
                continue
            print(f"Signing notebook: {name}")
            notary.sign(nb)
        except TrustError as e:
            print(f"Cannot trust {name}: it is {e}", file=sys.stderr)
            status = 1
        except OSError as e:
            print(f"Cannot sign {name}: {e.strerror or e}", file=sys.stderr)
            status = 1
    return status
