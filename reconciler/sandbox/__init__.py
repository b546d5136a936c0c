"""The sandbox: a local stand-in for ConnectWise Manage and the MSP360 Management Console.

It emulates exactly the API slice cwbill uses (docs/sandbox.md says what and how faithfully), so the
demo, the end-to-end tests, the reliability tests and the benchmark run without a real tenant. A
framework-free core (`core.Sandbox`) maps a request to a response; two adapters share it: an httpx
transport for in-process tests (`transport`) and a stdlib HTTP server (`server`). The product never
imports this package: only the `cwbill sandbox` command and the tests do.
"""

from reconciler.sandbox.core import Sandbox
from reconciler.sandbox.credentials import DEMO_CREDENTIALS, Credentials
from reconciler.sandbox.cw_routes import API_PATH
from reconciler.sandbox.faults import FaultSettings
from reconciler.sandbox.server import serve_in_thread
from reconciler.sandbox.transport import AsyncSandboxTransport, SandboxTransport

__all__ = [
    "API_PATH",
    "DEMO_CREDENTIALS",
    "AsyncSandboxTransport",
    "Credentials",
    "FaultSettings",
    "Sandbox",
    "SandboxTransport",
    "serve_in_thread",
]
