"""A tiny echo web server (Python standard library only), the course's version of the book's Go echo app.

It answers every GET with "Hello Docker!!" and logs each request to standard output.
Settings come from environment variables (chapter 3.3): ECHO_PORT (8080) and ECHO_MESSAGE.
"""

import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("ECHO_PORT", "8080"))
MESSAGE = os.environ.get("ECHO_MESSAGE", "Hello Docker!!")


class EchoHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = (MESSAGE + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt: str, *args) -> None:
        print(f"received request: {self.command} {self.path} from {self.client_address[0]}", flush=True)


def _stop(signum, frame) -> None:
    # As PID 1 in a container, a process without a handler ignores SIGTERM, and `docker container stop`
    # would wait 10 s and then kill it. Exiting on SIGTERM (docker container stop) and SIGINT (Ctrl+C, which
    # `docker container run` passes on to the container) makes both immediate and quiet.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not print or raise again
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print("stop server", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"start server on :{PORT}", flush=True)
    sys.stdout.flush()
    ThreadingHTTPServer(("0.0.0.0", PORT), EchoHandler).serve_forever()
