"""Infrastructure: paths, settings, secrets (keyring) and logging."""
