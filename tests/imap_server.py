"""A real Dovecot on 127.0.0.1 with a throwaway CA, for the IMAP import tests."""

from __future__ import annotations

import contextlib
import mailbox
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
needs_dovecot = pytest.mark.skipif(
    not Path(DOVECOT).exists(),
    reason="dovecot is not installed (.ci/services.sh installs dovecot-imapd)",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Dovecot:
    port: int
    ca: Path
    maildir: Path


def login_user(user: str) -> str:
    """imap-login refuses to run as root; Debian's package provides ``dovenull`` for it."""
    if os.getuid() != 0:
        return user
    for candidate in ("dovenull", "nobody"):
        try:
            pwd.getpwnam(candidate)
        except KeyError:
            continue
        return candidate
    pytest.skip("running as root and no unprivileged user for dovecot's imap-login")


def mail_owner() -> tuple[int, int]:
    """Dovecot refuses uid 0 for mail users; as root, mail is owned by ``dovecot``/nobody."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    for candidate in ("dovecot", "nobody"):
        try:
            entry = pwd.getpwnam(candidate)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    pytest.skip("running as root and no unprivileged user to own the test mailbox")


def write_config(root: Path, run_dir: Path, port: int, pem: Path) -> Path:
    uid, gid = mail_owner()
    user = pwd.getpwuid(os.getuid()).pw_name
    home = run_dir / "home"
    (root / "passwd").write_text(f"tester:{{PLAIN}}s3cret:{uid}:{gid}::{home}::\n")
    config = root / "dovecot.conf"
    # Everything lives in temp dirs and runs as the current user, except imap-login
    # (never root), which needs a traversable base_dir; no chroots.
    config.write_text(
        f"""
base_dir = {run_dir}
state_dir = {root / "state"}
log_path = {root / "dovecot.log"}
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{pem}
ssl_key = <{pem}
default_internal_user = {user}
default_internal_group = {user}
default_login_user = {login_user(user)}
first_valid_uid = {min(uid, 1)}
first_valid_gid = {min(gid, 1)}
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root / "passwd"}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root / "passwd"}
}}
mail_location = maildir:{run_dir / "mail"}/%u
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""
    )
    return config


@contextlib.contextmanager
def running_dovecot(tmp_path: Path, messages: list[bytes]) -> Iterator[Dovecot]:
    """A Dovecot serving ``messages`` in tester's INBOX over imaps on 127.0.0.1."""
    ca = trustme.CA()
    pem = tmp_path / "server.pem"
    ca.issue_cert("127.0.0.1", "localhost").private_key_and_cert_chain_pem.write_to_path(pem)
    ca_path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(ca_path)
    port = free_port()
    run_dir = Path(tempfile.mkdtemp(prefix="mailposture-dovecot-"))
    run_dir.chmod(0o755)
    maildir_path = run_dir / "mail" / "tester"
    maildir_path.parent.mkdir(parents=True)
    box = mailbox.Maildir(maildir_path)
    for message in messages:
        box.add(message)
    box.close()
    uid, gid = mail_owner()
    for path in [run_dir / "mail", *(run_dir / "mail").rglob("*")]:
        os.chown(path, uid, gid)
    config = write_config(tmp_path, run_dir, port, pem)
    server = subprocess.Popen([DOVECOT, "-F", "-c", str(config)])
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    log = (tmp_path / "dovecot.log").read_text(errors="replace")
                    pytest.fail(f"dovecot did not start:\n{log}")
                time.sleep(0.05)
        yield Dovecot(port, ca_path, maildir_path)
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(run_dir, ignore_errors=True)
