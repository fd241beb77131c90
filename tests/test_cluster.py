"""Rendering on a Dask cluster (`build --executor dask`): a real LocalCluster on 127.0.0.1, a
scheduler and worker processes; the PDFs are those of the local pool, byte for byte.

Also: the sandbox's rules hold on a worker, a worker that would draw other bytes (no pressgen,
other fonts) or a cluster that cannot be reached is one clear error, and a worker that dies is
either replaced (Dask renders its document again) or named in the error.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dask
import pytest
from distributed import Client, LocalCluster

from conftest import SLUG, Cli, add_journalist_release, publish_all, tree_digest
from pressgen.build import build
from pressgen.config import load_config
from pressgen.options import BuildOptions

pytestmark = pytest.mark.slow  # a real Dask LocalCluster

# A release long enough (about 20 pages) that it is still rendering when the test kills its worker.
LONG_SLUG = "2024-06-10-long-briefing"


def start_cluster(workers: int = 2) -> LocalCluster:
    """Start a scheduler and `workers` worker processes on 127.0.0.1 (one thread each, as the docs say)."""
    return LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
    )


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A cluster of two worker processes, shared by the tests that leave it as it was."""
    with start_cluster() as cluster:
        yield cluster.scheduler_address


def dask_build(project: Path, scheduler: str, *args: str) -> list[str]:
    return ["build", "--executor", "dask", "--scheduler", scheduler, *args]


def add_logo(project: Path) -> None:
    from PIL import Image

    Image.new("RGB", (120, 60), (0, 58, 112)).save(project / "templates" / "logo.png")
    config = project / "pressgen.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[organisation]\n", '[organisation]\nlogo = "logo.png"\n'), encoding="utf-8")


def progress_of(project: Path, options: BuildOptions) -> list[str]:
    """Build through the API and return its progress lines, without the slowest documents' times."""
    lines: list[str] = []
    build(load_config(project), options, progress=lines.append)
    return [line.split("  slowest:")[0] for line in lines]


@pytest.mark.parametrize("picture", [False, True], ids=["bundled project", "a picture and a logo"])
def test_a_cluster_renders_the_same_pdfs_as_the_local_pool(
    picture: bool, project: Path, cli: Cli, scheduler: str
) -> None:
    if picture:
        add_journalist_release(project)
        add_logo(project)
    publish_all(cli, project)
    versions = 6 if picture else 3
    local = progress_of(project, BuildOptions(out=project / "local", jobs=2))
    shutil.rmtree(project / ".pressgen-cache")  # render again, do not copy from the cache
    if picture:  # chosen in pressgen.toml
        with (project / "pressgen.toml").open("a", encoding="utf-8") as config:
            config.write(f'\n[build]\nexecutor = "dask"\nscheduler = "{scheduler}"\n')
        remote = progress_of(project, BuildOptions(out=project / "remote"))
    else:  # chosen on the command line
        remote = progress_of(project, BuildOptions(out=project / "remote", executor="dask", scheduler=scheduler))

    assert remote == local  # the same progress, document by document
    assert remote[-1] == f"PDFs [########################] {versions}/{versions}"
    first, second = tree_digest(project / "local"), tree_digest(project / "remote")
    assert first == second
    assert sum(1 for name in first if name.endswith(".pdf")) == versions


def test_the_command_line_renders_on_the_cluster(project: Path, cli: Cli, scheduler: str) -> None:
    publish_all(cli, project)
    result = cli(project, *dask_build(project, scheduler))
    assert result.code == 0, result.err
    assert "3 PDFs (3 rendered, 0 unchanged)" in result.out
    assert result.err == ""


@pytest.mark.parametrize(
    ("stylesheet", "error"),
    [
        (
            f'url("../releases/{SLUG}/release.md")',
            f"refused to read 'releases/{SLUG}/release.md': a PDF reads only its release's pictures and templates/",
        ),
        ('url("leak.png")', "refused to read 'templates/leak.png': it leads out of templates/"),
        (
            'url("file:///etc/hostname")',
            "refused to fetch 'file:///etc/hostname': only files inside the project are read",
        ),
    ],
    ids=["a file of the release that is no picture", "a link out of templates/", "a file: URL"],
)
def test_a_worker_reads_only_what_the_sandbox_allows_here(
    stylesheet: str, error: str, project: Path, cli: Cli, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    publish_all(cli, project)
    assert cli(project, "build").code == 0
    before = tree_digest(project / "public")
    (project / "templates" / "leak.png").symlink_to("/etc/hostname")
    css = project / "templates" / "pdf.css"
    css.write_text(css.read_text(encoding="utf-8") + f"\nbody {{ background: {stylesheet}; }}\n", encoding="utf-8")
    expected = [f"releases/{SLUG}/release.md: error: {error}"]
    for command in (["build"], dask_build(project, scheduler)):
        result = cli(project, *command)
        assert (result.code, result.err.splitlines()) == (1, expected), command
        assert tree_digest(project / "public") == before


def free_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port: int = listener.getsockname()[1]
    return port


def test_a_scheduler_that_cannot_be_reached_is_one_error(project: Path, cli: Cli) -> None:
    publish_all(cli, project)
    assert cli(project, "build").code == 0
    before = tree_digest(project / "public")
    with (project / "releases" / SLUG / "release.md").open("a", encoding="utf-8") as release:
        release.write("\nAn unpublished paragraph.\n")  # a change: the build has work to do
    address = f"tcp://127.0.0.1:{free_port()}"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = cli(project, *dask_build(project, address))
    assert result.code == 1
    assert result.err.splitlines() == [
        f"error: cannot reach the Dask scheduler at {address} (Timed out trying to connect to {address} after 1 s)"
    ]
    assert tree_digest(project / "public") == before


def test_a_cluster_without_workers_is_one_error(project: Path, cli: Cli) -> None:
    publish_all(cli, project)
    with start_cluster(workers=0) as cluster, dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        address = cluster.scheduler_address
        result = cli(project, *dask_build(project, address))
    assert result.code == 1
    assert result.err.splitlines() == [
        f"error: the Dask cluster at {address} has no worker (waited 1 s): start workers with "
        f"'dask worker {address} --nthreads 1'"
    ]
    assert not (project / "public").exists()


def start_worker(address: str, env: dict[str, str] | None = None, hide_pressgen: bool = False) -> subprocess.Popen[str]:
    """Start a worker process as `dask worker` does, with its own environment (or without pressgen)."""
    hide = "sys.modules['pressgen'] = None; " if hide_pressgen else ""
    run = "runpy.run_module('distributed.cli.dask_worker', run_name='__main__')"
    code = f"import runpy, sys; {hide}sys.argv[0] = 'dask-worker'; {run}"
    command = [sys.executable, "-c", code, address, "--nthreads", "1", "--no-nanny"]
    return subprocess.Popen(
        command, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
    )


def test_workers_without_pressgen_or_with_other_fonts_are_named(project: Path, cli: Cli, tmp_path: Path) -> None:
    publish_all(cli, project)
    fonts = tmp_path / "fonts.conf"  # a machine whose fontconfig knows no font at all
    fonts.write_text(
        f'<?xml version="1.0"?>\n<fontconfig><dir>{tmp_path / "none"}</dir>'
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    with start_cluster(workers=0) as cluster, Client(cluster.scheduler_address, set_as_default=False) as client:
        address = cluster.scheduler_address
        workers = [
            start_worker(address, hide_pressgen=True),
            start_worker(address, env={"FONTCONFIG_FILE": str(fonts)}),
        ]
        try:
            client.wait_for_workers(2, timeout=60)
            by_pid = client.run(os.getpid)
            result = cli(project, *dask_build(project, address))
        finally:
            for worker in workers:
                worker.kill()
                worker.wait()
    assert result.code == 1
    lines = result.err.splitlines()
    without, fontless = (next(w for w, pid in by_pid.items() if pid == worker.pid) for worker in workers)
    assert len(lines) == 2
    assert lines[0 if without < fontless else 1].startswith(f"error: Dask worker {without} cannot run pressgen (")
    assert lines[0 if without < fontless else 1].endswith("): install pressgen 0.1.0 there")
    assert re.fullmatch(
        rf"error: Dask worker {fontless} has other fonts than this machine \(lacks \d+ fonts: .+\): "
        "install the same fonts on every worker, or its PDFs may differ",
        lines[1 if without < fontless else 0],
    )
    assert not (project / "public").exists()


def add_long_release(project: Path) -> None:
    folder = project / "releases" / LONG_SLUG
    folder.mkdir()
    (folder / "release.md").write_text(
        "---\ntitle: A long briefing\ndate: 2024-06-10\n---\n\n" + "A long paragraph of the briefing. " * 4000,
        encoding="utf-8",
    )


def kill_a_worker_while_it_renders(client: Client, build: subprocess.Popen[str]) -> str:
    """Wait until a worker renders a document of `build`, kill its process; return its address."""
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and build.poll() is None:
        busy = [
            str(w) for w, keys in client.processing().items() if any(str(k).startswith("pressgen-pdf-") for k in keys)
        ]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            return busy[0]
        time.sleep(0.05)  # the next look at the scheduler's tasks
    raise AssertionError("no worker rendered a document of the build")


def start_build(project: Path, address: str) -> subprocess.Popen[str]:
    """Start `pressgen build --executor dask` as a process of its own."""
    command = [sys.executable, "-m", "pressgen", "-C", str(project), *dask_build(project, address)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_worker_that_dies_while_rendering_is_named(project: Path, cli: Cli) -> None:
    add_long_release(project)
    publish_all(cli, project)
    assert cli(project, "build").code == 0
    before = tree_digest(project / "public")
    shutil.rmtree(project / ".pressgen-cache")  # everything renders again
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),  # Dask gives up on a document at once
        start_cluster() as cluster,
        Client(cluster.scheduler_address, set_as_default=False) as client,
    ):
        client.wait_for_workers(2, timeout=60)
        process = start_build(project, cluster.scheduler_address)
        killed = kill_a_worker_while_it_renders(client, process)
        out, err = process.communicate(timeout=300)
    assert process.returncode == 1, out + err
    assert re.fullmatch(
        rf"releases/[-\w]+/release\.md: error: [-\w]+\.pdf: the Dask worker rendering it died "
        rf"\({re.escape(killed)}; 1 worker tried\): see the worker's log, and build again\n",
        err.replace(str(project) + "/", ""),
    ), err
    assert tree_digest(project / "public") == before


def test_the_build_goes_on_when_dask_replaces_a_worker_that_died(project: Path, cli: Cli) -> None:
    add_long_release(project)
    publish_all(cli, project)
    assert cli(project, "build", "--out", str(project / "local")).code == 0
    shutil.rmtree(project / ".pressgen-cache")
    with start_cluster() as cluster, Client(cluster.scheduler_address, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)
        process = start_build(project, cluster.scheduler_address)
        kill_a_worker_while_it_renders(client, process)
        out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert "4 PDFs (4 rendered, 0 unchanged)" in out
    assert tree_digest(project / "public") == tree_digest(project / "local")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--scheduler", "tcp://127.0.0.1:8786"],
            "--scheduler is the address of a Dask scheduler: give it with --executor dask",
        ),
        (
            ["--executor", "dask"],
            "--executor dask needs the scheduler's address: --scheduler tcp://HOST:PORT, or [build] scheduler "
            "in pressgen.toml",
        ),
        (
            ["--executor", "dask", "--scheduler", "tcp://127.0.0.1:8786", "--jobs", "2"],
            "--jobs sets this machine's PDF workers: a Dask cluster renders with its own workers",
        ),
    ],
    ids=["scheduler without dask", "dask without scheduler", "jobs with dask"],
)
def test_options_that_do_not_go_together_are_usage_errors(
    args: list[str], message: str, project: Path, cli: Cli
) -> None:
    result = cli(project, "build", *args)
    assert (result.code, result.err.splitlines()) == (2, [f"error: {message}"])


@pytest.mark.parametrize(
    "address", ["http://127.0.0.1:8786", "tcp://127.0.0.1", "tcp://:8786", "tcp://h:99999", "h:port", "tcp://h:1/x"]
)
def test_a_scheduler_address_that_is_not_one_is_a_usage_error(address: str, project: Path, cli: Cli) -> None:
    result = cli(project, "build", "--executor", "dask", "--scheduler", address)
    assert result.code == 2
    assert result.err.splitlines() == [
        f"error: Invalid value for '--scheduler': '{address}' is not the address of a Dask scheduler, "
        "such as tcp://HOST:8786 (see 'pressgen build --help')"
    ]


def test_the_local_pool_does_not_import_dask(project: Path, cli: Cli) -> None:
    publish_all(cli, project)
    code = (
        "import sys; from pressgen.cli import run; "
        f"assert run(['-C', {str(project)!r}, 'build']) == 0; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"
    assert (project / "public" / "en" / SLUG / f"{SLUG}-en.pdf").is_file()
