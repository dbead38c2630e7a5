"""Reaching a Dask scheduler: check the address and probe it before handing it to Dask.

``distributed.Client`` on its own copes badly with a wrong address: a port that speaks
HTTP can hang it for minutes, an HTTP reply is read as a frame length of exabytes, and a
half-made client prints a traceback when it is collected. So the address is parsed here,
its host resolved and a plain socket opened with short timeouts; a Dask scheduler
speaks first on a new connection (it sends its handshake, a length-prefixed frame), so
reading that frame tells a scheduler from anything else. Only then is a Client made.
Every failure becomes one :class:`~hikisim.errors.InputError` line within
:data:`CONNECT_BUDGET_S` seconds.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any

from hikisim.errors import InputError

OPTION = "--scheduler"
#: Seconds the whole check and connection may take before the address is refused.
CONNECT_BUDGET_S = 12.0
#: Seconds to wait for the scheduler's handshake once the socket is open.
HANDSHAKE_TIMEOUT_S = 4.0
#: A scheduler's handshake is a small dict; anything claiming more is not Dask.
MAX_HANDSHAKE_BYTES = 1 << 20
PROBED_SCHEMES = ("tcp",)
SCHEMES = ("tcp", "tls")
ADDRESS_HELP = "expected tcp://HOST:PORT or HOST:PORT"


@dataclass(frozen=True)
class SchedulerAddress:
    """A parsed scheduler address.

    Attributes:
        scheme: ``tcp`` or ``tls``.
        host: Host name or IP address (IPv6 without brackets).
        port: TCP port.
    """

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def parse_address(text: str) -> SchedulerAddress:
    """Parse ``tcp://HOST:PORT``, ``tls://HOST:PORT`` or ``HOST:PORT``.

    Args:
        text: The address as the user gave it.

    Returns:
        The parsed address.

    Raises:
        InputError: If the address is malformed.
    """
    stripped = text.strip()
    scheme, separator, rest = stripped.partition("://")
    if not separator:
        scheme, rest = "tcp", stripped
    if scheme not in SCHEMES:
        raise InputError(f"unsupported scheme {scheme!r} in {text!r}; {ADDRESS_HELP}", OPTION)
    host, colon, port_text = rest.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or "/" in rest or not port_text.isdigit():
        raise InputError(f"malformed address {text!r}; {ADDRESS_HELP}", OPTION)
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise InputError(f"port must be 1-65535, got {port} in {text!r}", OPTION)
    return SchedulerAddress(scheme, host, port)


def _resolve(address: SchedulerAddress, timeout: float) -> list[Any]:
    # getaddrinfo has no timeout of its own and a broken resolver can stall it, so it
    # runs in a daemon thread that is abandoned if it is late.
    outcome: dict[str, Any] = {}

    def lookup() -> None:
        try:
            outcome["infos"] = socket.getaddrinfo(
                address.host, address.port, type=socket.SOCK_STREAM
            )
        except OSError as error:
            outcome["error"] = error

    worker = threading.Thread(target=lookup, daemon=True, name="hikisim-resolve")
    worker.start()
    worker.join(timeout)
    if "infos" in outcome:
        return outcome["infos"]
    reason = outcome.get("error", f"no answer within {timeout:.0f} s")
    raise InputError(f"cannot resolve host {address.host!r}: {reason}", OPTION)


def _read_exactly(sock: socket.socket, count: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < count:
        chunk = sock.recv(count - len(chunks))
        if not chunk:
            break
        chunks += chunk
    return bytes(chunks)


def probe(address: SchedulerAddress, budget: float = CONNECT_BUDGET_S) -> None:
    """Check that a Dask scheduler answers at ``address``, within ``budget`` seconds.

    For ``tcp`` the scheduler's handshake frame is read and its length checked; for
    ``tls`` only the TCP connection is checked (the handshake is encrypted).

    Args:
        address: The parsed address.
        budget: Seconds for resolution, connection and handshake together.

    Raises:
        InputError: If nothing listens there, it is not a Dask scheduler, or it is slow.
    """
    started = time.monotonic()
    deadline = started + budget
    infos = _resolve(address, budget / 2)
    family, kind, proto, _, sockaddr = infos[0]
    where = str(address)
    try:
        with socket.socket(family, kind, proto) as sock:
            sock.settimeout(max(deadline - time.monotonic(), 0.5))
            sock.connect(sockaddr)
            if address.scheme not in PROBED_SCHEMES:
                return
            sock.settimeout(min(HANDSHAKE_TIMEOUT_S, max(deadline - time.monotonic(), 0.5)))
            header = _read_exactly(sock, 8)
            if len(header) < 8:
                raise InputError(
                    f"{where} closed the connection; it is not a Dask scheduler", OPTION
                )
            (length,) = struct.unpack("<Q", header)
            if not 0 < length <= MAX_HANDSHAKE_BYTES:
                raise InputError(
                    f"{where} answered, but not as a Dask scheduler (is it another service?)",
                    OPTION,
                )
    except TimeoutError:
        waited = time.monotonic() - started
        raise InputError(
            f"{where} did not answer as a Dask scheduler within {waited:.0f} s "
            "(is it another service, or behind a firewall?)",
            OPTION,
        ) from None
    except ConnectionRefusedError:
        raise InputError(
            f"nothing is listening at {where}; start one with `dask scheduler`", OPTION
        ) from None
    except OSError as error:
        raise InputError(f"cannot connect to {where}: {error.strerror or error}", OPTION) from None


def connect(text: str, budget: float = CONNECT_BUDGET_S) -> Any:
    """A ``distributed.Client`` for the scheduler at ``text``, or one InputError line.

    Args:
        text: The address as given to ``--scheduler``.
        budget: Seconds the check and the connection may take.

    Returns:
        A connected client (not set as the default client).

    Raises:
        InputError: If the address is malformed or no scheduler answers there.
    """
    from distributed import Client

    address = parse_address(text)
    started = time.monotonic()
    probe(address, budget)
    remaining = max(budget - (time.monotonic() - started), 2.0)
    try:
        return Client(str(address), timeout=remaining, set_as_default=False)
    except Exception as error:  # Dask raises OSError, TimeoutError or its own errors
        raise InputError(f"cannot connect to {address}: {error}", OPTION) from None
