"""The one router every ledger operation registers on (mounted by `maque.api_root`).

The operations name their `operation_id` (`maque_ledger_api_<view>`) themselves: the ids are part
of the published OpenAPI document and must not change when a view moves between modules.
"""

from ninja import Router

router = Router(tags=["ledger"])
