"""A loopback TCP proxy that can misbehave on demand, for the fault runs (benchmarks/faults.py).

Modes, switched at any time with `mode`:

- ``pass``: bytes flow both ways untouched;
- ``delay``: requests reach the upstream, but each answer is held `delay` seconds before it
  is passed on (a Cognito that answers after the client's read timeout);
- ``drop``: new connections are accepted and closed at once with a reset, and open ones
  are reset too (a load balancer with no healthy target).

It stops every thread it started on `close()`; nothing here leaves loopback.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time

BUFFER = 65536


def _reset(connection: socket.socket) -> None:
    """Close with RST rather than FIN (SO_LINGER 0), as a dropped connection looks."""
    with contextlib.suppress(OSError):
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        connection.close()


class FaultProxy:
    """Listens on 127.0.0.1:`port` (0: any) and forwards to 127.0.0.1:`upstream_port`."""

    def __init__(self, upstream_port: int, *, port: int = 0, delay: float = 8.0) -> None:
        self.upstream_port = upstream_port
        self.delay = delay
        self.mode = "pass"
        self._listener = socket.create_server(("127.0.0.1", port))
        self.port = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._acceptor = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._acceptor.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_mode(self, mode: str) -> None:
        if mode not in ("pass", "delay", "drop"):
            raise ValueError(mode)
        self.mode = mode
        if mode == "drop":
            with self._lock:
                doomed, self._open = self._open, set()
            for connection in doomed:
                _reset(connection)

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self.set_mode("drop")  # resets every open connection, which ends their pumps
        self._acceptor.join(5)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == "drop":
                _reset(client)
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=2)
        except OSError:  # the emulator is down: the client sees its connection reset
            _reset(client)
            return
        upstream.settimeout(None)
        with self._lock:
            self._open.update((client, upstream))
        threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()
        self._pump(client, upstream, False)

    def _pump(self, source: socket.socket, target: socket.socket, answers: bool) -> None:
        try:
            while True:
                data = source.recv(BUFFER)
                if not data:
                    break
                if answers and self.mode == "delay":
                    time.sleep(self.delay)  # the client has given up by now
                target.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(source)
                self._open.discard(target)
            for connection in (source, target):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    connection.close()
