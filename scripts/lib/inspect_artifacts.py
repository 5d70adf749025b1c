"""Reads one release target's artifacts in dist/ without running them (scripts/test-install-foreign).

For each artifact: the object format and machine are the target's; every libraries exports each
function of include/postsyncer_delegation.h (the C archive, the Go module's library, the wheel's
and the jar's); macOS files need nothing newer than macOS 11 and link only system libraries; the
wheel's tag and the jar's JNA resource path are the target's. Exits non-zero on the first
mismatch, saying what was found. Uses LLVM's binutils (Debian's llvm package).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

# Per triple: what llvm-readobj calls the format and architecture, and the wheel's tag.
EXPECTED = {
    "x86_64-unknown-linux-gnu": ("elf64-x86-64", "x86_64", r"manylinux.*_2_17_x86_64"),
    "aarch64-unknown-linux-gnu": ("elf64-littleaarch64", "aarch64", r"manylinux.*_2_17_aarch64"),
    "x86_64-unknown-linux-musl": ("elf64-x86-64", "x86_64", r"musllinux_1_2_x86_64"),
    "aarch64-unknown-linux-musl": ("elf64-littleaarch64", "aarch64", r"musllinux_1_2_aarch64"),
    "x86_64-apple-darwin": ("Mach-O 64-bit x86-64", "x86_64", r"macosx_11_0_x86_64"),
    "aarch64-apple-darwin": ("Mach-O arm64", "aarch64", r"macosx_11_0_arm64"),
    "x86_64-pc-windows-gnu": ("COFF-x86-64", "x86_64", r"win_amd64"),
}
MACOS_MINIMUM = "11.0"
GO_DIRS = {
    "x86_64-unknown-linux-gnu": "linux_amd64",
    "aarch64-unknown-linux-gnu": "linux_arm64",
    "x86_64-unknown-linux-musl": "linux_amd64_musl",
    "aarch64-unknown-linux-musl": "linux_arm64_musl",
    "x86_64-apple-darwin": "darwin_amd64",
    "aarch64-apple-darwin": "darwin_arm64",
    "x86_64-pc-windows-gnu": "windows_amd64",
}


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def run(*args: str, check: bool = True) -> str:
    return subprocess.run(args, check=check, capture_output=True, text=True).stdout


def header_functions(header: Path) -> set[str]:
    """The functions the header declares for every build: not those under `#if
    defined(PSD_TEST_PANIC)`, which only the test builds have."""
    text = re.sub(r"#if defined\(PSD_TEST_PANIC\).*?#endif", "", header.read_text(), flags=re.S)
    return set(re.findall(r"\b(psd_[a-z0-9_]+)\(", text))


def format_and_arch(path: Path) -> tuple[str, str]:
    """The object format and architecture, the same for every object of an archive (the import
    descriptors a Windows archive carries have none and are passed over)."""
    out = run("llvm-readobj", "--file-headers", str(path))
    formats = re.findall(r"^Format: (.+)$", out, re.M)
    arches = re.findall(r"^Arch: (.+)$", out, re.M)
    objects = [f for f in formats if "import-file" not in f]
    found = {(f.strip(), a.strip()) for f, a in zip(objects, arches)}
    if len(found) != 1 or len(objects) != len(arches):
        fail(f"{path.name}: expected one object format and architecture, found {sorted(found)[:4]}")
    return found.pop()


def exported(path: Path, triple: str, kind: str) -> set[str]:
    """The names a library exports (kind: static, shared)."""
    if "windows" in triple and kind == "shared":
        out = run("llvm-readobj", "--coff-exports", str(path))
        return set(re.findall(r"Name: (\S+)", out))
    args = ["llvm-nm", "-g", "--defined-only", "--format=just-symbols"]
    if kind == "shared" and "apple" not in triple:
        args.append("-D")
    # Not checked: Debian's llvm-nm (LLVM 14) reports, and skips, the bitcode that newer rustc
    # leaves in some objects; the symbols it lists are read all the same, and a missing
    # function fails the check below.
    names = run(*args, str(path), check=False).split()
    prefix = "_" if "apple" in triple else ""
    return {n[len(prefix):] for n in names if n.startswith(prefix)}


def check_library(path: Path, triple: str, kind: str, label: str, functions: set[str]) -> str:
    fmt, arch = format_and_arch(path)
    want_fmt, want_arch, _ = EXPECTED[triple]
    if fmt != want_fmt or arch != want_arch:
        fail(f"{label}: {fmt} {arch}, not {want_fmt} {want_arch}")
    missing = functions - exported(path, triple, kind)
    if missing:
        fail(f"{label}: does not export {len(missing)} header functions: {sorted(missing)[:8]}")
    notes = [f"{fmt}", f"{len(functions)} psd_ functions exported"]
    if "apple" in triple and kind != "static":
        notes += check_macos(path, label)
    return f"{label}: " + ", ".join(notes)


def check_macos(path: Path, label: str) -> list[str]:
    headers = run("llvm-objdump", "--macho", "--private-headers", str(path))
    minos = re.search(r"cmd LC_BUILD_VERSION.*?minos (\S+)", headers, re.S)
    if not minos or minos.group(1) != MACOS_MINIMUM:
        fail(f"{label}: minimum macOS {minos.group(1) if minos else 'unknown'}, not {MACOS_MINIMUM}")
    used = run("llvm-objdump", "--macho", "--dylibs-used", str(path)).splitlines()[1:]
    linked = [line.split(" (")[0].strip() for line in used if line.strip()]
    own = [lib for lib in linked if "postsyncer" in lib]
    foreign = [lib for lib in linked if "postsyncer" not in lib
               and not lib.startswith(("/usr/lib/", "/System/Library/Frameworks/"))]
    if foreign:
        fail(f"{label}: links libraries macOS does not have: {foreign}")
    if any(lib.startswith("/") for lib in own):
        fail(f"{label}: its install name is a build path: {own}")
    return [f"minimum macOS {MACOS_MINIMUM}", "links " + ", ".join(sorted(l.rsplit('/', 1)[-1] for l in linked if l not in own))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dist", type=Path, required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--triple", required=True)
    parser.add_argument("--jna-prefix", required=True)
    args = parser.parse_args()
    dist, version, name, triple = args.dist, args.version, args.name, args.triple
    functions = header_functions(dist / "go" / "include" / "postsyncer_delegation.h")
    with tempfile.TemporaryDirectory() as scratch:
        report = inspect(dist, version, name, triple, args.jna_prefix, functions, Path(scratch))
    for line in report:
        print(f"[{name}] inspected {line}", file=sys.stderr)


def inspect(dist: Path, version: str, name: str, triple: str, jna_prefix: str,
            functions: set[str], work: Path) -> list[str]:
    """One line per artifact of the target, read in the scratch directory `work`."""
    report: list[str] = []

    # The C archive: static and shared library, pkg-config file.
    base = f"postsyncer-delegation-{version}-{name}"
    archive = next(iter(dist.glob(f"c/{base}.*")), None)
    if archive is None:
        fail(f"no C archive {base} in {dist / 'c'}")
    if archive.suffix == ".zip":
        zipfile.ZipFile(archive).extractall(work)
    else:
        with tarfile.open(archive) as tar:
            tar.extractall(work, filter="tar")
    root = work / base
    pc = (root / "lib/pkgconfig/postsyncer-delegation.pc").read_text()
    if f"Version: {version}" not in pc:
        fail(f"{archive.name}: the pkg-config file has another version")
    report.append(check_library(root / "lib/libpostsyncer_delegation.a", triple, "static", f"{archive.name} static", functions))
    # The ABI version in the shared library's name, as scripts/release gives it.
    abi = ".".join(version.split(".")[:2]) if version.startswith("0.") else version.split(".")[0]
    shared = {
        "apple": f"lib/libpostsyncer_delegation.{abi}.dylib",
        "windows": "bin/postsyncer_delegation.dll",
    }
    kind = next((k for k in shared if k in triple), None)
    shared_path = root / (shared[kind] if kind else f"lib/libpostsyncer_delegation.so.{version}")
    report.append(check_library(shared_path, triple, "shared", f"{archive.name} shared", functions))
    if "windows" in triple and not (root / "lib/libpostsyncer_delegation.dll.a").exists():
        fail(f"{archive.name}: no import library")

    # The Go module's library for the target.
    go_lib = dist / "go" / "lib" / GO_DIRS[triple] / "libpostsyncer_delegation.a"
    report.append(check_library(go_lib, triple, "static", f"go/lib/{GO_DIRS[triple]}", functions))

    # The CLI.
    cli = dist / "cli" / (f"postsyncer-delegate-{version}-{name}" + (".exe" if "windows" in triple else ""))
    fmt, arch = format_and_arch(cli)
    if (fmt, arch) != EXPECTED[triple][:2]:
        fail(f"{cli.name}: {fmt} {arch}")
    report.append(f"{cli.name}: {fmt}" + (", " + ", ".join(check_macos(cli, cli.name)) if "apple" in triple else ""))

    # The wheel: its tag and its library (the UniFFI and C API one).
    tag = EXPECTED[triple][2]
    wheels = [w for w in dist.glob(f"python/postsyncer_delegation-{version}-*.whl") if re.search(tag, w.name)]
    if len(wheels) != 1:
        fail(f"expected one wheel tagged {tag}, found {[w.name for w in wheels]}")
    lib_name = {"apple": "libpostsyncer_delegation.dylib", "windows": "postsyncer_delegation.dll"}.get(
        kind or "", "libpostsyncer_delegation.so")
    with zipfile.ZipFile(wheels[0]) as wheel:
        member = next((m for m in wheel.namelist() if m.endswith("/" + lib_name)), None)
        if member is None:
            fail(f"{wheels[0].name}: no {lib_name}")
        wheel.extract(member, work / "wheel")
    report.append(check_library(work / "wheel" / member, triple, "shared", wheels[0].name, functions))

    # The jar: the library at JNA's resource prefix for the target.
    if jna_prefix != "-":
        jar = dist / f"maven/com/postsyncer/postsyncer-delegation/{version}/postsyncer-delegation-{version}.jar"
        with zipfile.ZipFile(jar) as jar_file:
            entry = f"{jna_prefix}/{lib_name}"
            if entry not in jar_file.namelist():
                fail(f"{jar.name}: no {entry}")
            jar_file.extract(entry, work / "jar")
        report.append(check_library(work / "jar" / entry, triple, "shared", f"{jar.name}!/{entry}", functions))
    return report


if __name__ == "__main__":
    main()
