"""Gather at network speed: our wall time beside checkdmarc's on the same sandbox, same run.

The sandbox (bench/sandbox_domains.py, generated fresh) plays a network with `--latency`
seconds of one-way delay (default 0.05: a 100 ms round trip) on every DNS answer, TCP accept
and TLS/SMTP/HTTP response. It runs in a child process on the standard ports (DNS 53, SMTP 25,
HTTPS 443) so checkdmarc, which cannot be given other ports, reaches the very same servers.

Both tools do the same kind of work: DNS for SPF (with includes), DMARC, MTA-STS and TLS-RPT,
the MTA-STS policy fetch over HTTPS, and an SMTP STARTTLS probe of every MX (checkdmarc with
--check-mx-tls). Ours is `gather` plus `run_checks`, in process; checkdmarc is its command
line, as a user runs it.

Nothing may reach the internet, so the benchmark only runs inside a loopback-only network
namespace: started outside one, it re-runs itself under `unshare -n` (root) or `unshare -rn`.
Install checkdmarc with `.venv/bin/pip install -e '.[bench]'`.

    .venv/bin/python bench/gather_latency.py [--latency 0.05] [--sizes 1,34,500]
        [--checkdmarc-max 34]

checkdmarc checks one domain after another (about 7 s each at this delay), so by default it
is timed on up to 34 domains and its time for more is extrapolated from its per-domain mean,
and printed as such; `--checkdmarc-max 500` measures it in full (about an hour).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sandbox_domains import STALLED, write_scenario

from assessment.checks.registry import run_checks
from assessment.gather import gather
from assessment.model import Endpoint, NetworkProfile

_REEXEC = "GATHER_LATENCY_ISOLATED"
TARGET_RATIO_34 = 1.5
TARGET_SECONDS_500 = 15.0


def loopback_only() -> bool:
    """True inside a network namespace whose only interface is loopback."""
    return [name for _, name in socket.if_nameindex()] == ["lo"]


def own_mounts() -> bool:
    """True in a mount namespace of our own (`unshare -m` makes it private): not the one of
    the process that started us, so a bind mount here cannot reach the rest of the machine."""
    try:
        parent = os.readlink(f"/proc/{os.getppid()}/ns/mnt")
        return os.readlink("/proc/self/ns/mnt") != parent
    except OSError:
        return False


def reexec_isolated() -> None:
    lo_up = "ip link set lo up"
    # -m: a private mount namespace too, for the /etc/hosts of `point_hosts`.
    for command in (["unshare", "-nm"], ["unshare", "-rnm"]):
        if subprocess.run([*command, "true"], capture_output=True).returncode == 0:
            script = f'{lo_up} && exec "$@"'
            argv = [*command, "sh", "-c", script, "sh", sys.executable, *sys.argv]
            os.environ[_REEXEC] = "1"
            os.execvp(argv[0], argv)
    sys.exit("cannot create a loopback-only network namespace (unshare); refusing to run")


def point_hosts(folder: Path, work: Path) -> str:
    """Bind-mount an /etc/hosts naming every MX and policy host, in this mount namespace only.

    checkdmarc asks its nameservers for records, but opens its HTTPS and SMTP connections
    by host name through the system resolver; without this it would fail those at once and
    look faster than it is.
    """
    from assessment.sandbox.scenario import load_scenario
    from assessment.sandbox.zones import ZoneSet

    scenario = load_scenario(folder)
    zones = ZoneSet.load(scenario.zones_dir)
    hosts = [h.host for h in scenario.https] + [h.host for h in scenario.smtp]
    lines = ["127.0.0.1 localhost"]
    lines += [f"{zones.addresses(host)[0]} {host}" for host in hosts if zones.addresses(host)]
    if not own_mounts():
        return "/etc/hosts left alone: no private mount namespace"
    table = work / "hosts"
    table.write_text("\n".join(lines) + "\n")
    done = subprocess.run(["mount", "--bind", str(table), "/etc/hosts"], capture_output=True)
    if done.returncode != 0:
        return f"could not point /etc/hosts at the sandbox ({done.stderr.decode().strip()})"
    return f"/etc/hosts names the sandbox's {len(lines) - 1} hosts (this namespace only)"


def serve(folder: str, latency: float, conn: Connection) -> None:
    """Child process: the sandbox on the standard ports until the parent says stop."""
    from assessment.sandbox import Sandbox

    with Sandbox(
        Path(folder), dns_port=53, smtp_port=25, https_port=443, latency=latency
    ) as sandbox:
        sandbox.issue_certificates()
        conn.send(str(sandbox.ca_bundle_path))
        conn.recv()


CPU = {"ours": 0.0}
"""CPU seconds of the last `ours` call: on a shared machine the wall time also measures the
neighbours, this does not."""


def ours(domains: list[str], profile: NetworkProfile) -> float:
    started, cpu = time.monotonic(), time.process_time()
    run_checks(gather("bench", domains, profile, ["s1"]))
    CPU["ours"] = time.process_time() - cpu
    return time.monotonic() - started


def checkdmarc(domains: list[str], ca_bundle: str, out: Path) -> tuple[float, str]:
    """checkdmarc's wall time on `domains`, and how many SPF/DMARC/MTA-STS it read, to show
    it really worked against the sandbox."""
    tool = Path(sys.executable).with_name("checkdmarc")
    if not tool.exists():
        return float("nan"), "checkdmarc is not installed (pip install -e '.[bench]')"
    listing = out / "domains.txt"
    listing.write_text("\n".join(domains) + "\n")
    result = out / "checkdmarc.json"
    env = {**os.environ, "REQUESTS_CA_BUNDLE": ca_bundle, "SSL_CERT_FILE": ca_bundle}
    started = time.monotonic()
    subprocess.run(
        [str(tool), str(listing), "-n", "127.0.0.1", "--check-mx-tls", "-o", str(result)],
        env=env,
        capture_output=True,
        check=False,
    )
    elapsed = time.monotonic() - started
    try:
        found = json.loads(result.read_text())
    except (OSError, ValueError):
        return elapsed, "no output"
    rows = found if isinstance(found, list) else [found]

    def valid(key: str) -> int:
        return sum(1 for row in rows if (row.get(key) or {}).get("valid"))

    return elapsed, (
        f"{len(rows)} domains: SPF valid {valid('spf')}, DMARC valid {valid('dmarc')}, "
        f"MTA-STS valid {valid('mta_sts')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--sizes", default="1,34,500")
    parser.add_argument("--checkdmarc-max", type=int, default=34)
    args = parser.parse_args()
    if not (loopback_only() and own_mounts()) and not os.environ.get(_REEXEC):
        reexec_isolated()
    if not loopback_only():
        sys.exit("not in a loopback-only network namespace; refusing to run")
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="gather-latency-"))
    try:
        run(work, sizes, args.latency, args.checkdmarc_max)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, sizes: list[str] | list[int], latency: float, checkdmarc_max: int) -> None:
    domains = write_scenario(work / "scenario", max(int(s) for s in sizes), planted_timeout=True)
    book = [d for d in domains if d != STALLED]
    print(point_hosts(work / "scenario", work))
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=serve, args=(str(work / "scenario"), latency, child))
    server.start()
    try:
        ca_bundle = parent.recv()
        profile = NetworkProfile(
            resolvers=(Endpoint("127.0.0.1", 53),),
            ca_bundle=ca_bundle,
            use_system_trust=False,
            lab=True,
        )
        report(book, profile, ca_bundle, work, sizes, latency, checkdmarc_max)
    finally:
        parent.send("stop")
        server.join(timeout=30)


def report(
    book: list[str],
    profile: NetworkProfile,
    ca_bundle: str,
    work: Path,
    sizes: list[str] | list[int],
    latency: float,
    checkdmarc_max: int,
) -> None:
    print(
        f"gather at {latency * 1000:g} ms one-way delay ({latency * 2000:g} ms round trip); "
        f"profile timeouts: DNS {profile.dns_timeout:g} s, connect {profile.connect_timeout:g} s,"
        f" io {profile.io_timeout:g} s; {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at start"
    )
    # Warm-up, untimed: imports and trust store here; in the sandbox, the certificates and
    # its answer cache, so its own Python CPU (about 1 ms per fresh DNS answer) does not pass
    # for network time. checkdmarc gets the same warmed sandbox.
    warm = ours(book, profile)
    print(f"warm-up run over all {len(book)} domains: {warm:.2f} s (not counted)")
    singles = [ours([d], profile) for d in book[:34]]
    slowest = max(singles)
    print(
        f"single domains (first 34, each alone): median {statistics.median(singles):.2f} s, "
        f"slowest {slowest:.2f} s"
    )
    per_domain: list[float] = []
    print(f"{'domains':>7}  {'ours':>8}  {'checkdmarc':>12}  {'ratio':>6}")
    for size in (int(s) for s in sizes):
        chosen = book[:size]
        mine = ours(chosen, profile)
        if size <= checkdmarc_max:
            theirs, worked = checkdmarc(chosen, ca_bundle, work)
            per_domain.append(theirs / size)
            shown = f"{theirs:10.1f} s"
            print(f"         checkdmarc read {worked}")
        elif per_domain:
            theirs = statistics.mean(per_domain) * size
            shown = f"~{theirs:9.0f} s*"
        else:
            theirs, shown = float("nan"), "not run"
        ratio = f"{theirs / mine:5.0f}x" if theirs == theirs else "   -"
        print(
            f"{size:7d}  {mine:6.2f} s  {shown:>12}  {ratio}   (our CPU {CPU['ours']:.2f} s, "
            f"load average {os.getloadavg()[0]:.1f})"
        )
        if size == 34:
            verdict = "met" if mine <= TARGET_RATIO_34 * slowest else "NOT met"
            print(
                f"         34 together / slowest single = {mine / slowest:.2f} "
                f"(target <= {TARGET_RATIO_34}: {verdict})"
            )
        if size == 500:
            verdict = "met" if mine <= TARGET_SECONDS_500 else "NOT met"
            print(
                f"         500 domains in {mine:.1f} s "
                f"(target <= {TARGET_SECONDS_500:g} s: {verdict})"
            )
    if per_domain and any(int(s) > checkdmarc_max for s in sizes):
        print("* checkdmarc extrapolated from its mean per domain above (it checks one at a time)")
    alone = ours([STALLED], profile)
    with_book = ours([STALLED, *book[:34]], profile)
    print(
        f"planted timeout ({STALLED}: SPF include and DKIM selector never answer, "
        f"DNS timeout {profile.dns_timeout:g} s): alone {alone:.2f} s, "
        f"with 34 others {with_book:.2f} s"
    )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
