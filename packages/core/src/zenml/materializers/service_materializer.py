"""Model-deployer services as ``service.json`` (a step can return the service it deployed)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from zenml.materializers.base import BaseMaterializer

__all__ = ["ServiceMaterializer"]


class ServiceMaterializer(BaseMaterializer):
    """Any :class:`zenml.model_deployers.service.BaseService`, as its JSON record.

    Reading it back gives a live service object: its record is refreshed
    from the deployer's registry when the deployer still knows it (so a
    service updated or restarted since the run reports its current address),
    and its status is always observed anew.
    """

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (
        "zenml.model_deployers.service.BaseService",)
    FILE = "service.json"

    def handle_return(self, data: Any) -> None:
        """Write the service's record."""
        with self.open(self.FILE, "w") as handle:
            json.dump(data.to_record(), handle, indent=2, sort_keys=True)

    def handle_input(self, data_type: type) -> Any:
        """Rebuild the service (importing its class) and refresh it."""
        from zenml.model_deployers.service import BaseService

        with self.open(self.FILE, "r") as handle:
            record = json.load(handle)
        service = BaseService.from_record(record)
        service.refresh()
        return service
