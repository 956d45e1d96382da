"""The list of command modules; each has `register(subparsers)` and sets `func(args, ctx) -> int`.

Add one line per module, so that independent work touches independent files.
"""

from __future__ import annotations

COMMAND_MODULES: tuple[str, ...] = (
    "app.cli.demo_cmd",
    "app.cli.import_cmd",
    "app.cli.skus_cmd",
    "app.cli.package_types_cmd",
    "app.cli.status_cmd",
    "app.cli.orders_cmd",
    "app.cli.groups_cmd",
    "app.cli.ship_from_cmd",
    "app.cli.postage_cmd",
    "app.cli.sandbox_cmd",
    "app.cli.demo_seed_cmd",
    "app.cli.estimate_cmd",
    "app.cli.buy_cmd",
    "app.cli.printers_cmd",
    "app.cli.print_cmd",
    "app.cli.scan_cmd",
    "app.cli.scanform_cmd",
    "app.cli.refund_cmd",
    "app.cli.pickup_cmd",
    "app.cli.track_cmd",
    "app.cli.batches_cmd",
    "app.cli.setup_cmd",
    "app.cli.relabel_cmd",
    "app.cli.report_cmd",
    "app.cli.slips_cmd",
    "app.cli.export_cmd",
    "app.cli.ship_cmd",
    "app.cli.email_cmd",
    "app.cli.insurance_cmd",
    "app.cli.tax_ids_cmd",
    "app.cli.intl_cmd",
    "app.cli.address_cmd",
    "app.cli.self_test_cmd",
    "app.cli.db_cmd",
)
