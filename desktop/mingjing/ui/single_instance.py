"""One window per data folder: a second start hands its file to the first.

A double-click on a package file while 明镜 is open starts a second
process. That process cannot open the database (the first holds its lock),
so before it tries, it asks the running window — through a local socket
named after the data folder — to take the file and come to the front, and
exits. Two data folders (``--data-dir``) are two independent windows.

The message is one line of UTF-8: ``OPEN <path>`` or ``SHOW``; the window
answers ``OK`` once it has the request, so the second process never exits
before the file is handed over.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from mingjing.config import DataLocation

log = logging.getLogger(__name__)

TIMEOUT_MS = 3_000
MAX_MESSAGE = 64 * 1024


def server_name(location: DataLocation) -> str:
    """Per user and data folder; short enough for a Unix socket path."""
    try:
        user = str(os.getuid())  # type: ignore[attr-defined,unused-ignore]
    except AttributeError:  # Windows: named pipes are per session, the name per user
        user = os.environ.get("USERNAME", "")
    folder = str(location.data_dir.resolve())
    digest = hashlib.sha256(f"{user}\0{folder}".encode()).hexdigest()[:20]
    return f"mingjing-{digest}"


def hand_over(location: DataLocation, package: Path | None) -> bool:
    """Give ``package`` (or just a wake-up) to a window already open on this data folder.

    True when a running window took it; False when none answers (then this
    process is the first, or the other one is stuck and the database lock
    will say so).
    """
    socket = QLocalSocket()
    socket.connectToServer(server_name(location))
    if not socket.waitForConnected(TIMEOUT_MS):
        return False
    message = f"OPEN {package.resolve()}" if package is not None else "SHOW"
    socket.write((message + "\n").encode("utf-8"))
    if not socket.waitForBytesWritten(TIMEOUT_MS):
        socket.abort()
        return False
    answered = socket.waitForReadyRead(TIMEOUT_MS) and bytes(socket.readAll().data()).startswith(
        b"OK"
    )
    socket.disconnectFromServer()
    return answered


class InstanceServer(QObject):
    """Listens for a second start; emits the file it brought, or ``None`` to come forward."""

    requested = Signal(object)  # Path | None

    def __init__(self, location: DataLocation, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self.name = server_name(location)

    def listen(self) -> bool:
        """Start listening; a socket file left by a crashed window is removed first.

        The caller holds the database lock, so no live window owns the name.
        """
        QLocalServer.removeServer(self.name)
        if not self._server.listen(self.name):
            log.warning(
                "single instance: cannot listen on %s: %s", self.name, self._server.errorString()
            )
            return False
        log.info("single instance: listening as %s", self.name)
        return True

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(self._read)
            socket.disconnected.connect(socket.deleteLater)

    def _read(self) -> None:
        socket = self.sender()
        if not isinstance(socket, QLocalSocket):
            return
        if not socket.canReadLine():
            if socket.bytesAvailable() > MAX_MESSAGE:
                socket.abort()
            return
        line = bytes(socket.readLine(MAX_MESSAGE).data()).decode("utf-8", errors="replace").strip()
        if line == "SHOW":
            request: Path | None = None
        elif line.startswith("OPEN "):
            request = Path(line[5:])
        else:
            socket.abort()
            return
        socket.write(b"OK\n")
        socket.flush()
        log.info(
            "single instance: another start asked to %s", f"open {request}" if request else "show"
        )
        self.requested.emit(request)
