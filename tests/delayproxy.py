#!/usr/bin/python3
"""A TCP proxy on 127.0.0.1 that makes a local DynamoDB look as far away as
a real region: every request reaches the server `delay_ms` after the client
sent it, and a new connection costs one more `delay_ms` before its first
byte goes through (the TCP handshake of a real link). Responses pass at
once, so each round trip costs `delay_ms`, as a link with that round-trip
time would. Connections stay open as long as both sides keep them, like a
real endpoint's keep-alive.

Byte-level: it knows nothing of HTTP, so it adds no parsing and no
buffering of its own. Both of its sockets have TCP_NODELAY, and what one
side sends in one write goes on in one write: otherwise Nagle's algorithm
against the client's delayed ACK would add about 40 ms to some requests,
which no real endpoint does.

Standard library only (Debian's /usr/bin/python3 or pyenv's python3).

In Python:

    from delayproxy import DelayProxy
    with DelayProxy("http://127.0.0.1:8000", delay_ms=20) as p:
        ... point the client at p.url ...
        p.stats()   # {"connections": n, "requests": writes forwarded upstream}

As a command (prints its port on stdout, then serves until SIGTERM/SIGINT):

    python3 tests/delayproxy.py --upstream http://127.0.0.1:8000 --delay-ms 20
"""

import argparse
import asyncio
import signal
import socket
import sys
import threading
import urllib.parse


def _nodelay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


class _Proxy:
    def __init__(self, host, port, delay_ms):
        self.host = host
        self.port = port
        self.delay = delay_ms / 1000.0
        self.connections = 0
        self.requests = 0
        self.server = None

    async def _pump(self, reader, writer, delay, count):
        """Copy reader to writer; each chunk goes on `delay` seconds after it
        arrived (order kept: chunks wait in a queue with their due times)."""
        loop = asyncio.get_running_loop()
        queue = asyncio.Queue()

        async def send():
            while True:
                due, data = await queue.get()
                if data is None:
                    break
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()

        sender = asyncio.ensure_future(send()) if delay > 0 else None
        try:
            while True:
                data = await reader.read(1 << 20)
                if not data:
                    break
                if count:
                    self.requests += 1
                if sender is None:
                    writer.write(data)
                    await writer.drain()
                else:
                    queue.put_nowait((loop.time() + delay, data))
        except (ConnectionError, OSError):
            pass
        finally:
            if sender is not None:
                queue.put_nowait((0, None))
                try:
                    await sender
                except (ConnectionError, OSError):
                    pass
            try:
                writer.write_eof()
            except (OSError, RuntimeError, AttributeError):
                pass

    async def _serve(self, creader, cwriter):
        self.connections += 1
        _nodelay(cwriter)
        try:
            await asyncio.sleep(self.delay)  # the handshake of a real link
            sreader, swriter = await asyncio.open_connection(self.host, self.port)
        except OSError:
            cwriter.close()
            return
        _nodelay(swriter)
        try:
            await asyncio.gather(self._pump(creader, swriter, self.delay, True),
                                 self._pump(sreader, cwriter, 0, False),
                                 return_exceptions=True)
        finally:
            for w in (swriter, cwriter):
                try:
                    w.close()
                except OSError:
                    pass

    async def start(self, port=0):
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        return self.server.sockets[0].getsockname()[1]


class DelayProxy:
    """The proxy on its own thread and event loop."""

    def __init__(self, upstream_url, delay_ms=20):
        u = urllib.parse.urlsplit(upstream_url)
        if u.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the upstream must be on loopback: %s" % upstream_url)
        self._proxy = _Proxy(u.hostname, u.port or 80, delay_ms)
        self._loop = asyncio.new_event_loop()
        self._thread = None
        self.port = None
        self.url = None

    def start(self):
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self._loop)
            self.port = self._loop.run_until_complete(self._proxy.start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        self.url = "http://127.0.0.1:%d" % self.port
        return self

    def stats(self):
        return {"connections": self._proxy.connections, "requests": self._proxy.requests}

    def close(self):
        if self._thread is None:
            return

        async def stop():
            self._proxy.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--delay-ms", type=float, default=20)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    u = urllib.parse.urlsplit(args.upstream)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("delayproxy: the upstream must be on loopback")
    proxy = _Proxy(u.hostname, u.port or 80, args.delay_ms)
    loop = asyncio.new_event_loop()
    port = loop.run_until_complete(proxy.start(args.port))
    print(port, flush=True)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    loop.run_forever()


if __name__ == "__main__":
    main()
