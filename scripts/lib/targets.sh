# The release targets: sourced, never run (after lib/common.sh). One line per target:
#   name  rust-triple  zig-suffix  go-dir  jna-prefix  wheel-compatibility
# zig-suffix pins the glibc cargo-zigbuild links against (manylinux2014 is glibc 2.17); "-"
# is none. jna-prefix "-" means the jar carries no library for the target (JNA has one prefix
# per OS and architecture, and glibc's wins over musl's). wheel-compatibility is maturin's
# --compatibility ("-": maturin's default for the platform).
PSD_RELEASE_TARGETS="
linux-x86_64-gnu     x86_64-unknown-linux-gnu    .2.17  linux_amd64       linux-x86-64    manylinux2014
linux-aarch64-gnu    aarch64-unknown-linux-gnu   .2.17  linux_arm64       linux-aarch64   manylinux2014
linux-x86_64-musl    x86_64-unknown-linux-musl   -      linux_amd64_musl  -               musllinux_1_2
linux-aarch64-musl   aarch64-unknown-linux-musl  -      linux_arm64_musl  -               musllinux_1_2
macos-x86_64         x86_64-apple-darwin         -      darwin_amd64      darwin-x86-64   -
macos-aarch64        aarch64-apple-darwin        -      darwin_arm64      darwin-aarch64  -
windows-x86_64       x86_64-pc-windows-gnu       -      windows_amd64     win32-x86-64    -
"
export PSD_RELEASE_TARGETS

# The target of the machine running the scripts (the only one scripts/test-install runs natively).
PSD_HOST_RELEASE_TARGET="linux-x86_64-gnu"
export PSD_HOST_RELEASE_TARGET

# release_target_names: every target's name, in table order.
release_target_names() {
  awk 'NF { print $1 }' <<<"$PSD_RELEASE_TARGETS"
}

# release_target NAME: sets target_triple, target_zig_suffix, target_go_dir, target_jna_prefix,
# target_wheel_compat (suffix, prefix and compatibility empty for "-"); fails for an unknown name.
release_target() {
  local line
  line="$(awk -v name="$1" '$1 == name' <<<"$PSD_RELEASE_TARGETS")"
  [ -n "$line" ] || die "unknown release target '$1' (known: $(release_target_names | tr '\n' ' '))"
  read -r _ target_triple target_zig_suffix target_go_dir target_jna_prefix target_wheel_compat <<<"$line"
  [ "$target_zig_suffix" != "-" ] || target_zig_suffix=""
  [ "$target_jna_prefix" != "-" ] || target_jna_prefix=""
  [ "$target_wheel_compat" != "-" ] || target_wheel_compat=""
}
