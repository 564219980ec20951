"""The reference driver, writing down the endpoints each scenario configured it with (to
the file named by ``SIASIM_ENDPOINTS_LOG``): where the kit told it the mocks are."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from engine.driver import ReferenceDriver


class RecordsEndpoints(ReferenceDriver):
    def configure(self, endpoints):
        with open(os.environ["SIASIM_ENDPOINTS_LOG"], "a", encoding="utf-8") as log:
            ca = Path(endpoints.ca_bundle).read_text() if endpoints.ca_bundle else None
            log.write(json.dumps({**asdict(endpoints), "ca": ca}) + "\n")
        super().configure(endpoints)


def factory(workdir):
    return RecordsEndpoints(workdir)
