"""The course endpoint: one guarded path from notebooks and terminals to the Docker Engine.

A Docker Engine API proxy on a Unix socket the course owns. It labels what is created (with a marker only
it sets), binds published ports to 127.0.0.1, narrows prunes and listings to the course's objects, refuses
to touch what the course did not create, and can record every exchange. Modules:

- :mod:`~dockhelpers.endpoint.settings`: socket, state folder, upstream engine, environment settings.
- :mod:`~dockhelpers.endpoint.http`: HTTP/1.1 framing (heads parsed, bodies streamed).
- :mod:`~dockhelpers.endpoint.rules`: the rule table.
- :mod:`~dockhelpers.endpoint.marker`: the creation marker and the course's pulled images.
- :mod:`~dockhelpers.endpoint.record`: JSON-lines recording.
- :mod:`~dockhelpers.endpoint.server`: the proxy.
- :mod:`~dockhelpers.endpoint.replay`: answering from recordings instead (Binder, ``DOCKHELPERS_MODE=replay``).
- :mod:`~dockhelpers.endpoint.daemon`: start/stop/status in the background.
- :mod:`~dockhelpers.endpoint.client`: a kernel's SDK headers and CLI ``DOCKER_CONFIG`` (chapter, session).

CLI: ``python -m dockhelpers endpoint start|stop|status|run [--record DIR] [--replay DIR]``.
"""

from dockhelpers.endpoint.settings import docker_host, socket_path

__all__ = ["docker_host", "socket_path"]
