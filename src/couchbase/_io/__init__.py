"""I/O drivers: each owns sockets and timers and feeds the sans-IO core."""
