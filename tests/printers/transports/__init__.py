"""Transport tests: real pyusb code paths against emulated devices, real loopback sockets."""
