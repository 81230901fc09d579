"""The Jupyter kernels the runner executes notebooks in.

The kernel is the running interpreter itself: its spec is built here from `sys.executable`,
so `mailposture demo` works in any virtualenv right after `pip install` (and with pipx)
without a registered kernelspec, and no kernel installed elsewhere under the same name can
take its place. JupyterLab users get the same kernel from the wheel's shared data.

Each notebook gets a fresh kernel of its own (no state carries from one notebook to the
next), but it may be started early: `NotebookKernel.start` launches the process and returns
at once, and the kernel imports the modules its notebook will use while the previous
notebook still runs (see `assessment.run.run_assessment` and bench/demo_timeline.py).
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import json
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import IO, Any, Final

KERNEL_NAME: Final = "mailposture"
DISPLAY_NAME: Final = "Python 3 (mailposture)"
START_TIMEOUT_S: Final = 120


def preload_modules(notebook: Path, public: Mapping[str, tuple[str, str]]) -> list[str]:
    """The modules behind the public names a notebook uses, for its kernel to import while it
    starts: ``mp.findings_table`` -> ``assessment.tables``, and the modules the function
    itself imports when called (the layers load lazily: ``mp.write_report`` imports the
    renderer and WeasyPrint, ~1 s, only when it runs).

    `public` maps each public name to (module, attribute) (`assessment._LAZY`).
    """
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return []
    used: dict[str, None] = {}
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        raw = cell.get("source", "")
        source = "".join(raw) if isinstance(raw, list) else str(raw)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in public:
                used[node.attr] = None
            elif isinstance(node, ast.ImportFrom) and node.module == "assessment":
                used.update((a.name, None) for a in node.names if a.name in public)
    modules: dict[str, None] = {}
    for name in used:
        module, attribute = public[name]
        modules[module] = None
        modules.update((m, None) for m in _imports_inside(module, attribute))
    return list(modules)


def _imports_inside(module: str, function: str) -> list[str]:
    """Modules of the kit a module-level function imports in its body (read, not run)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return []
    try:
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return []
    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith(
                    "assessment."
                ):
                    found.append(inner.module or "")
                elif isinstance(inner, ast.Import):
                    found += [a.name for a in inner.names if a.name.startswith("assessment.")]
    return found


WARM_UP: Final = "kernel_warm_up"
"""A module-level function a preloaded module may define: run once while the kernel starts,
for a first-call cost that importing alone does not pay (e.g. starting vl-convert's engine)."""


def _preload_line(modules: Iterable[str]) -> str:
    # `__import__` binds no name: the notebook's namespace stays exactly its own.
    names = list(modules)
    if not names:
        return ""
    return f"__import__('assessment.kernel', fromlist=['preload']).preload({names!r})"


def preload(modules: Sequence[str]) -> None:
    """Run in a starting kernel: import `modules`, then the `kernel_warm_up()` of every module
    of the kit now loaded (those imported along with them too)."""
    for name in modules:
        importlib.import_module(name)
    loaded = [
        module for name, module in list(sys.modules.items()) if name.startswith("assessment.")
    ]
    for module in loaded:
        warm_up = getattr(module, WARM_UP, None)
        if callable(warm_up):
            # Only ever saves time: a warm-up that fails leaves the cost (and the error) to
            # the notebook's own first call, where it is reported properly.
            with suppress(Exception):
                warm_up()


@functools.cache
def _quick_ready_client() -> type:
    """jupyter_client's async client, with a readiness check that does not end by waiting
    for 0.2 s of IOPub silence (nbclient checks readiness once per notebook: 0.2 s each).

    Kept from jupyter_client's check: the kernel_info reply, and one IOPub message after
    it, so the IOPub subscription is known to be live and no first output can be lost.
    Dropped: the silence wait, which only discards status messages that nbclient ignores
    anyway (it reads only the messages whose parent is the cell it runs).
    """
    from queue import Empty

    from jupyter_client.asynchronous.client import AsyncKernelClient

    class QuickReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    pass
                else:
                    if reply["msg_type"] == "kernel_info_reply":
                        try:
                            await self.iopub_channel.get_msg(timeout=0.2)
                        except Empty:
                            pass  # IOPub not subscribed yet: ask again
                        else:
                            self._handle_kernel_info_reply(reply)
                            return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    return QuickReadyClient


class NotebookKernel:
    """One kernel for one notebook: IPC sockets in a private folder, output to a log.

    Over TCP, ipykernel warns on every start that the channel is unencrypted; over IPC the
    channel is a private socket file, also the better choice on a shared machine.
    jupyter_client interrupts the kernel on every shutdown and ipykernel logs that as an
    error: kernel chatter belongs in a log, quoted only if the kernel really fails.
    """

    def __init__(self, cwd: Path, preload: Iterable[str] = ()) -> None:
        from jupyter_client.kernelspec import KernelSpec
        from jupyter_client.manager import AsyncKernelManager

        self._folder = tempfile.TemporaryDirectory(prefix="mailposture-kernel-")
        self.log_path = Path(self._folder.name) / "kernel.log"
        self._log: IO[bytes] = self.log_path.open("wb")
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        line = _preload_line(preload)
        if line:
            argv.append(f"--IPKernelApp.exec_lines={json.dumps([line])}")
        spec = KernelSpec(argv=argv, display_name=DISPLAY_NAME, language="python")
        log = self._log
        sockets = Path(self._folder.name) / "kernel"
        # nbclient leaves its client's channels open when it does not own the manager (it
        # does not here: the kernel was started ahead); they are closed with the kernel.
        clients: list[Any] = []
        self._clients = clients
        # The client papermill will use, made when the kernel is launched (see `start`).
        spare: list[Any] = []
        self._spare = spare

        class Manager(AsyncKernelManager):
            def __init__(self, **kwargs: Any) -> None:
                super().__init__(kernel_name=KERNEL_NAME, **kwargs)
                self.client_factory = _quick_ready_client()
                self._kernel_spec = spec
                self.transport = "ipc"
                self.ip = str(sockets)

            async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
                kw["stdout"] = log
                kw["stderr"] = log
                await super()._async_launch_kernel(kernel_cmd, **kw)

            def client(self, **kwargs: Any) -> Any:
                if spare and not kwargs:
                    return spare.pop()
                made = super().client(**kwargs)
                clients.append(made)
                return made

        self.manager = Manager()
        self._cwd = cwd

    def start(self) -> NotebookKernel:
        """Launch the kernel process; returns without waiting for it to be ready."""
        from jupyter_core.utils import run_sync

        run_sync(self.manager._async_start_kernel)(cwd=str(self._cwd))
        # Connected now, while the kernel starts: a client connected only when its notebook
        # begins misses the kernel's first IOPub messages (a SUB socket receives nothing
        # until its subscription has reached the publisher), and its readiness check then
        # waits out a 0.2 s timeout and asks again: 0.2 s lost per notebook. Heartbeat is
        # left to the client's user (its thread can be started only once).
        early = self.manager.client()
        early.start_channels(hb=False)
        self._spare.append(early)
        return self

    def wait_ready(self) -> None:
        """Block until the kernel answers (its imports are done); RuntimeError if it died."""
        from jupyter_core.utils import run_sync

        async def ready() -> None:
            if not self._spare:
                raise RuntimeError("the kernel was not started, or its notebook already ran")
            # The early client (see `start`) stays connected for the notebook's run.
            await self._spare[0].wait_for_ready(timeout=START_TIMEOUT_S)

        run_sync(ready)()

    def tail(self, lines: int = 5) -> str:
        """The kernel's last words, for an error message."""
        with suppress(OSError):
            self._log.flush()
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""
        return " | ".join(text.splitlines()[-lines:])

    def close(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            for client in self._clients:
                client.stop_channels()
            if self.manager.has_kernel:
                run_sync(self.manager._async_shutdown_kernel)(now=True)
        except (RuntimeError, OSError):
            pass
        finally:
            with suppress(OSError):
                self._log.close()
            self._folder.cleanup()

    def __enter__(self) -> NotebookKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
