"""Output files of ``hsdash export``: where a file may go, and writing it so that a failure never costs the last good
one.

* ``check_directory(path, create=False)`` — before any work: the directory exists (``create``: made, one level, when
  its parent exists), is a directory and not a regular file, and can be written;
* ``check_target(path)`` — an existing target is a regular file (never a device such as ``/dev/full``, a FIFO or a
  socket: replacing one would swap the device node for a file);
* ``write_atomic(path, data)`` — a temporary file in the same directory, written, flushed and fsync'ed, then
  ``os.replace``d over the target and the directory fsync'ed: readers see the old file or the new one, never half of
  one; when the write fails (disk full, file-size limit, I/O error) the previous file is left as it was and the
  temporary file is removed. A symbolic link is followed: the file it points to is replaced, the link stays.

Every failure raises ``OutputError`` with one line a person can act on (what, where, why).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large for the file-size limit in force (ulimit -f) or the file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
    errno.ENOTDIR: "a part of the path is a regular file, not a directory",
    errno.ENOENT: "the directory does not exist",
    errno.EIO: "input/output error",
}


class OutputError(Exception):
    """The export cannot be written where asked; ``str(exc)`` is a one-line reason."""


def reason(exc: OSError) -> str:
    return REASONS.get(exc.errno, exc.strerror or str(exc))


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _what(path: Path) -> str:
    return "a regular file" if path.is_file() else _kind(path.stat().st_mode)


def check_directory(path: Path, create: bool = False, file: Path | None = None) -> Path:
    """``path`` as a directory that exists (or was just created, one level) and can be written; messages name
    ``file`` when the directory is checked for that file."""
    path = Path(path)
    subject = f"cannot write {file}" if file is not None else f"cannot write into {path}"
    if path.exists():
        if not path.is_dir():
            raise OutputError(f"{subject}: {path} is {_what(path)}, not a directory")
    else:
        blocker = next((p for p in path.parents if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            raise OutputError(f"{subject}: {blocker} is {_what(blocker)}, not a directory")
        if not create or not path.parent.is_dir():
            missing = path if not create else path.parent
            raise OutputError(f"{subject}: the directory {missing} does not exist (create it first)")
        try:
            path.mkdir()
        except FileExistsError:
            pass
        except OSError as exc:
            raise OutputError(f"cannot create the directory {path}: {reason(exc)}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"{subject}: the directory {path} is not writable (permission denied)")
    return path


def check_target(path: Path) -> None:
    """An existing ``path`` must be a regular file (after symbolic links)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {reason(exc)}") from None
    if not stat.S_ISREG(mode):
        raise OutputError(f"cannot write {path}: it is {_kind(mode)}, not a regular file (refusing to replace it)")


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)  # keep the permissions of the file being replaced
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see the module docstring); returns ``path``."""
    path = Path(path)
    check_target(path)
    target = Path(os.path.realpath(path))
    existed = target.exists()
    check_directory(target.parent, file=path)
    kept = "; the previous file is unchanged" if existed else ""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {reason(exc)}{kept}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write {path}: {reason(exc)}{kept}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # the rename is durable once the directory is on disk
        dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return path
