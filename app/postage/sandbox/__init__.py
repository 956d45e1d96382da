"""Offline EasyPost-compatible HTTP server for training, demos and tests.

    from app.postage.sandbox.server import SandboxServer
    with SandboxServer(state_path) as sandbox:          # 127.0.0.1, a free port, daemon threads
        client = easypost.EasyPostClient("any key", api_base=sandbox.api_base)

server.py has the routes and the /_sandbox control endpoints, faults.py the fault spec syntax,
clock.py the simulated timings, store.py the state file (snapshot + journal).
"""
