"""A real waitress server on 127.0.0.1 and a free port, run in a thread, for end-to-end tests."""

from __future__ import annotations

import threading

from waitress import wasyncore
from waitress.server import create_server


class LiveServer:
    """Serve until `close()`; `url` is the base URL."""

    def __init__(self, server):
        self.server = server
        self.url = f"http://127.0.0.1:{server.effective_port}"
        self.thread = threading.Thread(target=server.run, daemon=True)
        self.thread.start()

    @classmethod
    def for_app(cls, app) -> LiveServer:
        return cls(create_server(app, host="127.0.0.1", port=0, threads=4))

    def close(self) -> None:
        # Close every socket from inside the server's own loop (a thunk of its trigger): closing them from this
        # thread races its select(), and keep-alive connections (Chromium keeps some) would keep it running.
        def stop() -> None:
            wasyncore.close_all(self.server._map)

        try:
            self.server.trigger.pull_trigger(stop)
        except OSError:
            # Seen once in CI (EBADF): the trigger's pipe had been closed under it, an fd number recycled and
            # closed again elsewhere in the test process. Closing from this thread races select(), but select()
            # then fails on the closed sockets and the loop ends, which is all a test needs.
            stop()
        self.thread.join(timeout=10)
        self.server.task_dispatcher.shutdown()
        assert not self.thread.is_alive(), "the server did not stop"
