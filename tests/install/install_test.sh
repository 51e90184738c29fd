#!/bin/sh
# Installs neocog into a scratch PREFIX as a user would (make install), then builds the
# examples outside the tree with `cc $(pkg-config --cflags --libs neocog) prog.c` and runs them
# on the model and the RTL; checks the shared library's soname and exports, a static link,
# that every installed header compiles on its own, and that make uninstall leaves nothing.
# Ends with the "name: N passed, N failed" line of tests/rtl/run.sh.
set -u
BUILD=${BUILD:-build}
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/usr"
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS install.$1"; }
bad() { fail=$((fail + 1)); echo "FAIL install.$1: $2"; }

if ! make -s --no-print-directory BUILD="$BUILD" install PREFIX="$prefix" >"$tmp/log" 2>&1; then
  bad make_install "$(tail -5 "$tmp/log")"
  echo "install: $pass passed, $fail failed"
  exit 1
fi
ok make_install

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
export LD_LIBRARY_PATH="$prefix/lib"
if [ "$(pkg-config --modversion neocog 2>&1)" = "$(sed -n 's/^#define NC_VERSION_STRING "\(.*\)"$/\1/p' \
    base/include/neocog/version.h)" ]; then
  ok pkg_config_version
else
  bad pkg_config_version "$(pkg-config --modversion neocog 2>&1)"
fi

so="$prefix/lib/libneocog.so"
if readelf -d "$so" | grep -q 'SONAME.*\[libneocog\.so\.[0-9]*\]'; then
  ok soname
else
  bad soname "$(readelf -d "$so" | grep SONAME)"
fi
# Only the nc_ API (and the version node) is exported; nc__ internals are not.
nm -D --defined-only "$so" | awk '{sub(/@.*/, "", $3); print $3}' >"$tmp/syms"
others=$(grep -v '^nc_[a-z0-9]' "$tmp/syms" | grep -v '^NEOCOG_')
if [ -z "$others" ] && grep -qx nc_dev_open "$tmp/syms" && grep -qx nc_accel_run "$tmp/syms" &&
    ! grep -q '^nc__' "$tmp/syms"; then
  ok exports
else
  bad exports "exported besides the nc_ API: $(echo "$others" | head -5 | tr '\n' ' ')"
fi

for h in "$prefix"/include/neocog/*.h; do
  if ! $CC -std=c11 -Wall -Wextra -Werror -fsyntax-only $(pkg-config --cflags neocog) \
      -include "$h" -x c /dev/null 2>"$tmp/h.log"; then
    bad header_alone "$(basename "$h"): $(head -3 "$tmp/h.log")"
    h=
    break
  fi
done
[ -n "${h:-}" ] && ok headers_compile_alone

# The examples, outside the tree, exactly as the README says.
mkdir -p "$tmp/ex"
for src in examples/*.c; do
  name=$(basename "$src" .c)
  cp "$src" "$tmp/ex/"
  # shellcheck disable=SC2046
  if (cd "$tmp/ex" && $CC $(pkg-config --cflags --libs neocog) "$name.c" -o "$name" \
      2>"$tmp/cc.log"); then
    ok "build_$name"
  else
    bad "build_$name" "$(head -5 "$tmp/cc.log")"
  fi
done
run() { # name expected-text command...
  name=$1 want=$2
  shift 2
  if "$@" >"$tmp/out" 2>&1 && grep -q "$want" "$tmp/out"; then
    ok "$name"
  else
    bad "$name" "$(tail -3 "$tmp/out")"
  fi
}
rtl=rtl
if "$prefix/bin/neocog" --version | grep -q 'built without the RTL'; then rtl=model; fi
run conv_layer_model "on model: .* matches golden" "$tmp/ex/conv_layer" model
run conv_layer_rtl "on $rtl: .* matches golden" "$tmp/ex/conv_layer" $rtl
run driver_stream_model "o\[:, :, 0\] = 3 2 11 / 2 12 13 / -3 6 6 as the lecture" \
  "$tmp/ex/driver_stream" model
run driver_stream_rtl "on $rtl: .* as the lecture prints" "$tmp/ex/driver_stream" $rtl
run network_model "convnet on model: .* every layer matches golden" "$tmp/ex/network" \
  nets/convnet.net model
run cli_installed "neocog $(pkg-config --modversion neocog)" "$prefix/bin/neocog" --version

# A static link against the archive.
# shellcheck disable=SC2046
if $CC $(pkg-config --cflags neocog) examples/conv_layer.c "$prefix/lib/libneocog.a" \
    $(pkg-config --static --libs-only-l neocog | sed 's/-lneocog//') -o "$tmp/conv_static" \
    2>"$tmp/cc.log" && "$tmp/conv_static" model | grep -q 'matches golden' &&
    ! readelf -d "$tmp/conv_static" | grep -q libneocog; then
  ok static_link
else
  bad static_link "$(head -5 "$tmp/cc.log")"
fi

make -s --no-print-directory BUILD="$BUILD" uninstall PREFIX="$prefix" >"$tmp/log" 2>&1
left=$(find "$prefix" -type f -o -type l | head -5)
if [ -z "$left" ]; then
  ok uninstall
else
  bad uninstall "left behind: $left"
fi

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
