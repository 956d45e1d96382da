"""Use cases, Qt-free: driven alike by the CLI, the GUI and tests."""
