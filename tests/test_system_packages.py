"""The Debian packages: one list (requirements/debian-packages.txt), read through one script
(.ci/system-packages) by `make run`, `make test`, `.ci/run` and the Dockerfile, and what the script
does when everything is installed, when something is missing, as root or not, and without dpkg."""

import fnmatch
import os
import re
import shlex
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "requirements" / "debian-packages.txt"
SCRIPT = ROOT / ".ci" / "system-packages"
SETS = ("runtime", "local", "test", "ci")
MISSING = "amf-no-such-package"  # no Debian package has this name


def _entries(text: str) -> list[tuple[str, str]]:
    """(package, set) of each line of a package list, in order."""
    entries = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            entries.append((words[0], words[1]))
    return entries


def _packages(*sets: str) -> list[str]:
    return [package for package, in_set in _entries(LIST.read_text()) if in_set in sets]


def _script_calls(text: str) -> list[list[str]]:
    """The arguments of every call of the script in a Makefile, shell script or Dockerfile."""
    return [shlex.split(match) for match in re.findall(r"\.ci/system-packages((?: [\w-]+)+)", text)]


# --- One list, read by all three -------------------------------------------------------------------


def test_package_list_names_each_package_once_in_a_known_set_under_a_comment_saying_why():
    text = LIST.read_text()
    entries = _entries(text)

    packages = [package for package, _ in entries]
    assert len(packages) == len(set(packages))
    assert {in_set for _, in_set in entries} == set(SETS)
    # Each group of package lines follows a comment that starts with its set and says why.
    comment = ""
    for line in text.splitlines():
        if line.startswith("#"):
            comment = line
        elif line.strip():
            assert comment.startswith(f"# {line.split()[1]}: "), line
        else:
            comment = ""
    assert {"poppler-utils", "chromium"} <= set(_packages("test"))
    assert {"fonts-noto-core", "fonts-noto-cjk", "libpango-1.0-0", "fontconfig"} <= set(_packages("runtime"))


def test_make_run_and_make_test_check_their_sets_before_anything_else():
    def first_command(target: str) -> str:
        dry_run = subprocess.run(
            ["make", "--dry-run", "--no-print-directory", target, "VENV=/nonexistent/.venv"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return dry_run.stdout.splitlines()[0]

    # Before .venv is created: Python's venv module is one of the packages.
    assert first_command("run") == "bash .ci/system-packages runtime local"
    assert first_command("test") == "bash .ci/system-packages runtime local test"


def test_ci_installs_every_set_of_the_list():
    calls = _script_calls((ROOT / ".ci" / "run").read_text())

    assert calls == [["--check", *SETS], list(SETS)]


def test_dockerfile_copies_the_list_and_installs_only_the_runtime_set(tmp_path):
    dockerfile = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())

    assert "COPY requirements/debian-packages.txt requirements/debian-packages.txt" in dockerfile
    assert "COPY .ci/system-packages .ci/system-packages" in dockerfile
    run = re.search(r"^RUN (bash \.ci/system-packages .*)$", dockerfile, re.MULTILINE).group(1)
    assert re.sub(r"\s+", " ", run) == "bash .ci/system-packages runtime && rm -rf /var/lib/apt/lists/*"
    # As on the slim base image, where none of them is installed: exactly the runtime set is asked for.
    bin_dir = _fake_tools(tmp_path, dpkg_query_output="")
    result = _run([*_as_root(), "bash", "-c", run.split(" && ")[0]], path=f"{bin_dir}:{os.environ['PATH']}")
    assert result.returncode == 0, result.stderr
    assert _apt_calls(tmp_path) == [
        "DEBIAN_FRONTEND=noninteractive update",
        "DEBIAN_FRONTEND=noninteractive install -y --no-install-recommends " + " ".join(_packages("runtime")),
    ]


def test_dockerignore_lets_the_dockerfile_copy_the_script_and_the_list():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    assert not _docker_ignores(".ci/system-packages", patterns)
    assert not _docker_ignores("requirements/debian-packages.txt", patterns)
    assert _docker_ignores(".ci/run", patterns)


def _docker_ignores(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern that matches the path or one of its parent folders decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates):
            ignored = not negated
    return ignored


def test_no_other_file_carries_a_package_list():
    # Fonts, libraries and tool bundles: package names that are never also a command's name (as make,
    # git, chromium or redis-server are), so they can only appear as a copy of the list.
    distinctive = [name for name in _packages(*SETS) if re.match(r"fonts-|lib|.*-(utils|venv)$", name)]
    files = [ROOT / "Makefile", ROOT / ".ci" / "run", ROOT / "Dockerfile", ROOT / "docker-compose.yml"]
    files += sorted((ROOT / "bench").glob("Makefile.*"))

    assert {"fonts-noto-core", "poppler-utils", "python3-venv"} <= set(distinctive)
    for path in files:
        text = path.read_text()
        assert [package for package in distinctive if package in text] == [], path
        assert "apt-get install" not in text, path


# --- What the script does --------------------------------------------------------------------------


def _fake_tools(tmp_path: Path, *, dpkg_query_output: str | None = None) -> Path:
    """A folder for the front of PATH: an apt-get that only records its calls (in tmp_path/apt-calls),
    and, given its output, a dpkg-query that reports that as the installed packages."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    apt_get = bin_dir / "apt-get"
    calls = shlex.quote(str(tmp_path / "apt-calls"))
    apt_get.write_text(f'#!/bin/sh\necho "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> {calls}\n')
    apt_get.chmod(0o755)
    if dpkg_query_output is not None:
        dpkg_query = bin_dir / "dpkg-query"
        dpkg_query.write_text(f"#!/bin/sh\nprintf '%s' {shlex.quote(dpkg_query_output)}\n")
        dpkg_query.chmod(0o755)
    return bin_dir


def _apt_calls(tmp_path: Path) -> list[str]:
    calls = tmp_path / "apt-calls"
    return calls.read_text().splitlines() if calls.exists() else []


def _package_list(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "debian-packages.txt"
    path.write_text(text)
    return path


def _run(command: list[str], *, path: str | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": path or os.environ["PATH"], "HOME": os.environ.get("HOME", "/")}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


def _as_root() -> list[str]:
    """A prefix that runs a command as root: nothing when we are, else a user namespace mapping us to
    root (apt-get is the recording fake, so nothing is installed either way)."""
    if os.geteuid() == 0:
        return []
    if shutil.which("unshare") is None or _run(["unshare", "--user", "--map-root-user", "true"]).returncode:
        pytest.skip("cannot run as root here (no user namespaces)")
    return ["unshare", "--user", "--map-root-user"]


def test_script_with_everything_installed_says_and_does_nothing(tmp_path):
    # Essential packages of every Debian system, and one satisfied by a command on PATH.
    packages = _package_list(tmp_path, f"bash runtime\ncoreutils runtime\n{MISSING} test command:bash\n")
    bin_dir = _fake_tools(tmp_path)

    result = _run(
        [*_as_root(), "bash", str(SCRIPT), "--list", str(packages), "runtime", "test"],
        path=f"{bin_dir}:{os.environ['PATH']}",
    )

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert _apt_calls(tmp_path) == []


def test_script_installs_only_the_missing_packages_of_the_asked_sets_as_root(tmp_path):
    packages = _package_list(
        tmp_path, f"bash runtime\n{MISSING} runtime\n{MISSING}-too test\n{MISSING}-not-asked ci\n"
    )
    bin_dir = _fake_tools(tmp_path)

    result = _run(
        [*_as_root(), "bash", str(SCRIPT), "--list", str(packages), "runtime", "test"],
        path=f"{bin_dir}:{os.environ['PATH']}",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"==> Installing system packages (requirements/debian-packages.txt): {MISSING} {MISSING}-too\n"
    )
    assert _apt_calls(tmp_path) == [
        "DEBIAN_FRONTEND=noninteractive update",
        f"DEBIAN_FRONTEND=noninteractive install -y --no-install-recommends {MISSING} {MISSING}-too",
    ]


def test_script_missing_packages_as_another_user_prints_the_command_and_stops(tmp_path):
    # A folder that another user can read, and an apt-get that would record a call there.
    shared = Path(tempfile.mkdtemp(prefix="amf-system-packages-"))
    try:
        shared.chmod(0o777)
        script = shared / "system-packages"
        shutil.copy(SCRIPT, script)
        script.chmod(0o755)
        packages = _package_list(shared, f"bash runtime\n{MISSING} runtime\nfonts-noto-core test\n")
        packages.chmod(0o644)
        bin_dir = _fake_tools(shared)
        bin_dir.chmod(0o755)
        command = ["bash", str(script), "--list", str(packages), "runtime"]
        if os.geteuid() == 0:
            if shutil.which("setpriv") is None:
                pytest.skip("setpriv is needed to run the script as another user")
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]

        result = _run(command, path=f"{bin_dir}:{os.environ['PATH']}")

        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr == (
            f"These Debian packages are needed and not installed: {MISSING}\n"
            "Install them, then run the command again:\n"
            "\n"
            f"    sudo apt-get install --no-install-recommends {MISSING}\n"
            "\n"
        )
        assert _apt_calls(shared) == []
    finally:
        shutil.rmtree(shared)


def test_script_without_dpkg_names_what_is_needed_and_stops(tmp_path):
    packages = _package_list(tmp_path, "libpango-1.0-0 runtime\nfonts-noto-core runtime\nchromium test\n")
    bin_dir = _fake_tools(tmp_path)

    result = _run(["/bin/bash", str(SCRIPT), "--list", str(packages), "runtime"], path=str(bin_dir))

    assert result.returncode == 1
    assert result.stderr == (
        "This system has no dpkg, so the Debian packages this command needs cannot be checked:\n"
        "\n"
        "    libpango-1.0-0 fonts-noto-core\n"
        "\n"
        "Install them or your system's equivalents (listed in requirements/debian-packages.txt),\n"
        "then run the command again with AMF_SYSTEM_PACKAGES=skip"
        " (e.g. AMF_SYSTEM_PACKAGES=skip make test).\n"
    )
    assert _apt_calls(tmp_path) == []


def test_script_counts_a_package_provided_by_an_installed_one(tmp_path):
    # NodeSource's nodejs provides npm; a package only known to dpkg (removed, config files) is missing.
    packages = _package_list(tmp_path, "nodejs test\nnpm test\ngit ci\n")
    bin_dir = _fake_tools(
        tmp_path,
        dpkg_query_output=(
            "install ok installed\tnodejs\tnodejs-dev, nodejs-doc, npm (= 9.2.0)\n"
            "deinstall ok config-files\tgit\t\n"
        ),
    )
    path = f"{bin_dir}:{os.environ['PATH']}"

    provided = _run(["bash", str(SCRIPT), "--check", "--list", str(packages), "test"], path=path)
    removed = _run(["bash", str(SCRIPT), "--check", "--list", str(packages), "test", "ci"], path=path)

    assert (provided.returncode, provided.stdout, provided.stderr) == (0, "", "")
    assert (removed.returncode, removed.stdout, removed.stderr) == (1, "", "")
    assert _apt_calls(tmp_path) == []


def test_script_refuses_an_unknown_set_or_a_malformed_line(tmp_path):
    good = _package_list(tmp_path, "bash runtime\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("bash runtime\nchromium test extra words\n")

    unknown = _run(["bash", str(SCRIPT), "--list", str(good), "runtim"])
    malformed = _run(["bash", str(SCRIPT), "--list", str(bad), "runtime"])

    assert unknown.returncode == 2
    assert unknown.stderr == f"system-packages: no set 'runtim' in {good} (its sets: runtime)\n"
    assert malformed.returncode == 2
    assert malformed.stderr == f"system-packages: {bad}:2: expected <package> <set> [command:<name>]\n"


def test_script_is_executable_as_ci_runs_it():
    assert SCRIPT.stat().st_mode & stat.S_IXUSR
