"""A proxy on 127.0.0.1 that forwards nothing: it logs the first line of
each request a client sends it (`CONNECT host:443 HTTP/1.1` for https, the
absolute form `POST http://host:port/ HTTP/1.1` for plain http) and
answers 502, so that which host a client would reach, and through which
proxy settings, shows without any traffic leaving the machine.

    with ConnectProxy() as p:
        env = {"HTTPS_PROXY": p.url, ...}
        ... run the extension or boto3 with env ...
        p.lines  -> ["CONNECT dynamodb.eu-west-1.amazonaws.com:443 HTTP/1.1", ...]
        p.targets() -> ["dynamodb.eu-west-1.amazonaws.com:443", ...]

Only the request line is read (and the headers, which it discards).
"""

import socketserver
import threading


class ConnectProxy:
    def __init__(self):
        self.lines = []
        self._lock = threading.Lock()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                line = self.rfile.readline(8192).decode("latin-1").rstrip("\r\n")
                if not line:
                    return
                while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                    pass
                with outer._lock:
                    outer.lines.append(line)
                self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    def targets(self):
        """The host:port of each request: CONNECT's, or the absolute URL's."""
        out = []
        with self._lock:
            for line in self.lines:
                parts = line.split()
                if len(parts) < 2:
                    continue
                target = parts[1]
                if "://" in target:
                    target = target.split("://", 1)[1].split("/", 1)[0]
                out.append(target)
        return out

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
