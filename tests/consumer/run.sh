#!/usr/bin/env bash
# Builds and runs the consumer project (next to this script) the two ways a user's project takes
# tapegrad. Usage:
#   run.sh install BUILD_DIR    installs the built library into a temporary prefix and uses it
#                               with find_package(tapegrad)
#   run.sh subdirectory         vendors this source tree with add_subdirectory, in a build of
#                               the consumer's own (no build type: the consumer's choice), and
#                               checks that tapegrad was a good guest: only its library built,
#                               no doctest looked for, the consumer's build type left unset
#   run.sh readme BUILD_DIR README.md
#                               compiles every ```cpp block of the README against the build
#                               tree (readme/): blocks with main() are programs, run, must
#                               exit 0; the others are compiled as translation units. Each
#                               starts with #include <tapegrad/tapegrad.hpp>, then the code of
#                               any "<!-- context: CODE -->" lines right above its fence.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "consumer: $*" >&2; exit 1; }
case $1 in
  install)
    cmake --install "$2" --prefix "$tmp/prefix" >/dev/null
    cmake -S "$here" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_BUILD_TYPE=Release \
          >/dev/null
    cmake --build "$tmp/build" >/dev/null
    "$tmp/build/consumer"
    ;;
  subdirectory)
    cmake -S "$here" -B "$tmp/build" -DTAPEGRAD_SOURCE_DIR="$here/../.." >/dev/null
    cache=$tmp/build/CMakeCache.txt
    grep -q '^CMAKE_BUILD_TYPE:STRING=$' "$cache" || fail "the consumer's CMAKE_BUILD_TYPE was changed"
    ! grep -qi '^doctest_DIR' "$cache" || fail "doctest was looked for"
    cmake --build "$tmp/build" -j "$(nproc)" >/dev/null
    built=$(cd "$tmp/build" && find . -path '*/CMakeFiles' -prune -o -type f \
              \( -name '*.a' -o -name '*.so' -o -perm -u+x \) -print | sort | tr '\n' ' ')
    [ "$built" = "./consumer ./tapegrad/libtapegrad.a " ] || fail "built more than the library: $built"
    "$tmp/build/consumer"
    ;;
  readme)
    mkdir "$tmp/blocks"
    awk -v dir="$tmp/blocks" '
      /^<!-- context: .* -->$/ { sub(/^<!-- context: /, ""); sub(/ -->$/, ""); context = context $0 "\n"; next }
      /^```cpp$/ {
        file = sprintf("%s/block%02d.cpp", dir, ++n); inside = 1
        printf "#include <tapegrad/tapegrad.hpp>\n%s#line %d \"README.md\"\n", context, NR + 1 > file
        next
      }
      inside && /^```$/ { inside = 0; close(file) }
      inside { print > file }
      { context = "" }' "$3"
    cmake -S "$here/readme" -B "$tmp/build" -Dtapegrad_DIR="$2" -DBLOCKS="$tmp/blocks" \
          -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$tmp/build" -j "$(nproc)" >/dev/null
    ctest --test-dir "$tmp/build" --output-on-failure
    ;;
  *) fail "unknown mode $1" ;;
esac
