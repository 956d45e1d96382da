"""Offline EasyPost-compatible HTTP server for training, demos and tests.

    from app.postage.sandbox.server import SandboxServer
    with SandboxServer(state_path) as sandbox:          # 127.0.0.1, a free port, daemon threads
        client = easypost.EasyPostClient("any key", api_base=sandbox.api_base)

server.py has the routes and the /_sandbox control endpoints; the handlers stack up in api.py
(addresses, parcels, customs), shipments.py, refunds.py, workflows.py (batches, SCAN forms),
pickups.py and handlers.py (trackers); rates.py is the rate model, faults.py the fault spec,
clock.py the simulated timings, store.py the state file (snapshot + journal).
"""
