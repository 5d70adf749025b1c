# What the install tests share: sourced, never run (after lib/common.sh).

# PSD_GO_MODULE: the Go module's path, as users `go get` it.
PSD_GO_MODULE="github.com/postsyncer-delegation/postsyncer-delegation/bindings/go"

# use_path_without_rust: PATH without any directory that holds cargo, rustc or rustup (and
# cargo's variables unset), so that nothing installed can fall back to building from source.
use_path_without_rust() {
  local clean_path="" dir path_dirs
  IFS=: read -r -a path_dirs <<<"$PATH"
  for dir in "${path_dirs[@]}"; do
    [ -n "$dir" ] || continue
    [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ] || [ -e "$dir/rustup" ] || clean_path="${clean_path:+$clean_path:}$dir"
  done
  export PATH="$clean_path"
  unset CARGO_HOME RUSTUP_HOME CARGO_TARGET_DIR
  ! command -v cargo >/dev/null 2>&1 || die "cargo is still on PATH ($(command -v cargo))"
  ! command -v rustc >/dev/null 2>&1 || die "rustc is still on PATH ($(command -v rustc))"
  log "PATH has no cargo, rustc or rustup"
}

# write_go_file_proxy MODULE_TREE VERSION PROXY_DIR: a GOPROXY directory (use it as
# file://PROXY_DIR) serving MODULE_TREE (dist/go, the module as a release tag holds it) as
# $PSD_GO_MODULE@vVERSION.
write_go_file_proxy() {
  local tree="$1" at="v$2" versions="$3/$PSD_GO_MODULE/@v"
  mkdir -p "$versions"
  echo "$at" >"$versions/list"
  printf '{"Version":"%s","Time":"%s"}\n' "$at" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$versions/$at.info"
  cp "$tree/go.mod" "$versions/$at.mod"
  python3 - "$tree" "$PSD_GO_MODULE@$at" "$versions/$at.zip" <<'PY'
import os, sys, zipfile
root, prefix, out = sys.argv[1:]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for dirpath, _, files in os.walk(root):
        for f in sorted(files):
            path = os.path.join(dirpath, f)
            z.write(path, prefix + "/" + os.path.relpath(path, root))
PY
}
