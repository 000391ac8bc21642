"""A fork server for the SIGKILL harness: imports the ``hsdash`` command line once, then for each request forks a
child that runs one real command (``main(argv)``, exactly what ``hsdash …`` runs after interpreter start-up) and
SIGKILLs it after ``kill_after`` seconds unless it finished first. Saves the 1.5 s of imports per run, so the
random kill moments land inside the refresh itself rather than in Python's start-up.

Protocol: one JSON request per stdin line ``{"argv": [...], "out": path, "kill_after": s|null, "timeout": s}``;
two JSON lines back per request: ``{"started": pid}`` at once, then ``{"pid", "killed", "exit", "signal", "elapsed"}``
when the child is gone (killed by us, by the caller, or finished).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback

from etl.cli import main, preload  # noqa: E402

preload()  # the whole CLI (plugins and the refresh machinery: the CLI itself imports them lazily) before any fork


def _child(argv: list[str], out: str) -> None:
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    code = 0
    try:
        main(args=argv, prog_name="hsdash", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 — report it like an uncaught exception would be
        traceback.print_exc()
        code = 99
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def serve() -> None:
    for line in sys.stdin:
        req = json.loads(line)
        sys.stdout.flush()
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            _child(req["argv"], req["out"])
        sys.stdout.write(json.dumps({"started": pid}) + "\n")  # the caller may kill it itself
        sys.stdout.flush()
        kill_after, timeout = req.get("kill_after"), float(req.get("timeout", 120))
        killed = False
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            elapsed = time.monotonic() - t0
            if (kill_after is not None and elapsed >= kill_after) or elapsed >= timeout:
                os.kill(pid, signal.SIGKILL)
                killed = True
                _, status = os.waitpid(pid, 0)
                break
            time.sleep(0.0005)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL  # else it finished just before
        reply = {"pid": pid, "killed": killed, "elapsed": time.monotonic() - t0,
                 "exit": os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else None,
                 "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                 "timed_out": killed and kill_after is None}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
