#!/usr/bin/env bash
# Makes the native `tensorflow` backend (@tensorflow/tfjs-node) load on a machine whose libtensorflow download is
# blocked, which is why `npm ci` silently drops that optional package here. The TensorFlow C library comes from
# the tensorflow-cpu wheel on pip's index instead (libtensorflow_cc.so.2 exports every TF_/TFE_ function the 4.22
# binding calls), and the binding is compiled against it. Idempotent: a second run only re-checks that it loads.
#
#   npm run setup:tensorflow        (or scripts/setup-tensorflow.sh)
#
# Not part of a user's install: there `npm ci` installs tfjs-node the ordinary way. The wheel is cached outside
# the repo in $AESTUDIO_TF_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/aestudio/tensorflow). package.json and
# package-lock.json are left as they are. Rerun it after any `npm ci`, which removes the package again.
# Exits non-zero with one line `setup-tensorflow: <reason>` on stderr when it cannot.
set -euo pipefail

TF_VERSION=2.21.0
TFJS_NODE_VERSION=4.22.0
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${AESTUDIO_TF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aestudio/tensorflow}
libs=$cache/$TF_VERSION
pkg=$root/node_modules/@tensorflow/tfjs-node
stamp=$pkg/deps/aestudio-tensorflow-version

say() { echo "setup-tensorflow: $*" >&2; }
fail() {
  echo "setup-tensorflow: $*" >&2
  exit 1
}
step=starting
trap 'fail "$step failed (its output is above)"' ERR
cd "$root"

# A child process loads the package and runs a convolution; prints TensorFlow's version, or returns non-zero with
# the reason in $why. oneDNN is on as the studio runs it (src/engine/backends.ts), unless the caller says otherwise.
why=
verify() {
  local err out rc
  err=$(mktemp)
  set +e
  out=$(TF_ENABLE_ONEDNN_OPTS=${TF_ENABLE_ONEDNN_OPTS:-1} node -e "
    const tf = require('@tensorflow/tfjs-node')
    const y = tf.conv2d(tf.ones([1, 8, 8, 3]), tf.ones([3, 3, 3, 4]), 1, 'same')
    const v = y.dataSync()[0]
    if (tf.getBackend() !== 'tensorflow' || v !== 12) throw new Error('backend ' + tf.getBackend() + ', conv gave ' + v)
    console.log(tf.backend().binding.TF_Version)
  " 2>"$err")
  rc=$?
  set -e
  if [ $rc -eq 0 ]; then
    # TensorFlow logs this line only when its oneDNN custom ops are on.
    onednn=off
    grep -q 'oneDNN custom operations are on' "$err" && onednn=on
    why="TensorFlow $out, oneDNN custom ops $onednn"
  elif [ $rc -gt 128 ]; then
    why="loading @tensorflow/tfjs-node killed node with signal $((rc - 128)) (a broken library?)"
  else
    why=$(grep -v '^\s*at \|^WARNING\|^I0000\|^To enable\|^\s*$' "$err" | grep -m1 'Error' || tail -1 "$err")
  fi
  rm -f "$err"
  return $rc
}

command -v node >/dev/null || fail "node is not on PATH"
command -v npm >/dev/null || fail "npm is not on PATH"
locked=$(node -p "require('./package-lock.json').packages['node_modules/@tensorflow/tfjs-node']?.version ?? ''")
[ "$locked" = "$TFJS_NODE_VERSION" ] ||
  fail "package-lock.json pins @tensorflow/tfjs-node ${locked:-nowhere}, this recipe is for $TFJS_NODE_VERSION"
installed=$(node -p "try { require('$pkg/package.json').version } catch { '' }")
binding=$pkg/lib/napi-v8/tfjs_binding.node
# Installed the ordinary way (its own libtensorflow downloaded), or set up by an earlier run: nothing to do.
if [ "$installed" = "$TFJS_NODE_VERSION" ] && verify; then
  say "ok: backend tensorflow, $why (nothing to do)"
  exit 0
fi
# Present but not loading (a damaged earlier setup, say): place the library and compile the binding again.
[ -z "$installed" ] || say "the installed @tensorflow/tfjs-node does not load ($why); setting it up again"
rm -f "$stamp"

# --- what the build needs, checked before anything is fetched --------------------------------------------------
command -v python3 >/dev/null || fail "python3 is needed (pip fetches the wheel; node-gyp runs on it)"
command -v make >/dev/null || fail "make is needed to compile the binding (apt-get install make)"
command -v "${CXX:-g++}" >/dev/null || command -v c++ >/dev/null ||
  fail "no C++ compiler (g++ or \$CXX) to compile the binding (apt-get install g++)"
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] ||
  fail "this recipe is for Linux x86-64 (tensorflow-cpu's manylinux wheel); here is $(uname -s)-$(uname -m)"
# node-gyp needs Node's headers; a download of them would be blocked like libtensorflow's, so use local ones.
nodedir=${npm_config_nodedir:-$(npm config get nodedir 2>/dev/null || true)}
[ -n "$nodedir" ] && [ "$nodedir" != undefined ] && [ "$nodedir" != null ] || nodedir=$(dirname "$(dirname "$(command -v node)")")
[ -f "$nodedir/include/node/node_api.h" ] ||
  fail "Node's C headers are not in $nodedir/include/node (install nodejs's headers or set npm_config_nodedir)"

# --- 1. the TensorFlow C library and its C API headers, from the wheel (cached) ---------------------------------
if [ ! -f "$libs/complete" ]; then
  step="fetching the tensorflow-cpu==$TF_VERSION wheel"
  mkdir -p "$cache"
  free_mb=$(df -Pm "$cache" | awk 'NR == 2 { print $4 }')
  [ "${free_mb:-0}" -ge 1500 ] || fail "the cache $cache needs about 1.2 GB free (wheel and libraries); it has ${free_mb} MB"
  wheel=$(ls "$cache"/tensorflow_cpu-"$TF_VERSION"-*.whl 2>/dev/null | head -1 || true)
  if [ -z "$wheel" ]; then
    say "fetching tensorflow-cpu==$TF_VERSION (about 274 MB) into $cache"
    # pip's retries against unreachable indexes are noise when it succeeds: its output goes to a log.
    pip=(python3 -m pip download --no-deps --only-binary=:all: --disable-pip-version-check -q -d "$cache" --log "$cache/pip.log")
    # The C library does not depend on Python, so a wheel for any CPython tag will do when this one has none.
    rm -f "$cache/pip.log"
    "${pip[@]}" "tensorflow-cpu==$TF_VERSION" 2>/dev/null ||
      for py in 3.11 3.12 3.10 3.13; do
        "${pip[@]}" --python-version "$py" --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
          "tensorflow-cpu==$TF_VERSION" 2>/dev/null && break
      done || true
    wheel=$(ls "$cache"/tensorflow_cpu-"$TF_VERSION"-*.whl 2>/dev/null | head -1 || true)
    [ -n "$wheel" ] || fail "no tensorflow-cpu==$TF_VERSION wheel could be had from pip's index (log: $cache/pip.log)"
  fi
  step="unpacking $wheel"
  rm -rf "$libs.partial" && mkdir -p "$libs.partial"
  python3 - "$wheel" "$libs.partial" <<'PY'
import os, shutil, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
libs = ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2')
# The C API headers the binding includes, and the ones they include in turn.
heads = ('tensorflow/c/', 'tensorflow/core/platform/ctstring', 'tsl/platform/ctstring', 'xla/tsl/c/')
with zipfile.ZipFile(wheel) as z:
    names = set(z.namelist())
    missing = [n for n in libs if n not in names]
    if missing:
        sys.exit(f'setup-tensorflow: the wheel has no {", ".join(missing)}')
    for name in names:
        rel = name[len('tensorflow/include/'):] if name.startswith('tensorflow/include/') else None
        if name in libs:
            dest = os.path.join(out, 'lib', os.path.basename(name))
        elif rel and rel.startswith(heads) and not name.endswith('/'):
            dest = os.path.join(out, 'include', rel)
        else:
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(name) as src, open(dest, 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
PY
  [ -f "$libs.partial/include/tensorflow/c/eager/c_api.h" ] || fail "the wheel has no TensorFlow C API headers"
  echo "$TF_VERSION" >"$libs.partial/complete"
  rm -rf "$libs" && mv "$libs.partial" "$libs"
fi

# --- 2. the npm package, without its install script (which would download) -------------------------------------
if [ "$installed" != "$TFJS_NODE_VERSION" ]; then
  step="npm install of @tensorflow/tfjs-node@$TFJS_NODE_VERSION"
  say "installing @tensorflow/tfjs-node@$TFJS_NODE_VERSION into node_modules without its scripts"
  had_gpu=0
  [ -e node_modules/@tensorflow/tfjs-node-gpu ] && had_gpu=1
  sums() { sha256sum package.json package-lock.json; }
  before=$(sums)
  # --no-save: package.json and package-lock.json stay as they are; the lockfile still pins every version.
  npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "@tensorflow/tfjs-node@$TFJS_NODE_VERSION"
  [ "$(sums)" = "$before" ] || fail "npm changed package.json or package-lock.json (git diff shows how); undo that"
  # npm also brings the GPU package (an optionalDependency too), which without its own libtensorflow only fails.
  [ $had_gpu = 1 ] || rm -rf node_modules/@tensorflow/tfjs-node-gpu
fi

# --- 3. the library in the package's deps/, named as binding.gyp and the install script expect -----------------
if [ "$(cat "$stamp" 2>/dev/null)" != "$TF_VERSION" ] || [ ! -f "$pkg/deps/lib/libtensorflow_cc.so.2" ]; then
  step="placing libtensorflow in $pkg/deps"
  rm -rf "$pkg/deps" "$pkg/lib" "$pkg/build"
  mkdir -p "$pkg/deps/lib"
  for f in libtensorflow_cc.so.2 libtensorflow_framework.so.2; do
    # A hard link costs no space when the cache is on the same disk (850 MB otherwise).
    ln "$libs/lib/$f" "$pkg/deps/lib/$f" 2>/dev/null || cp "$libs/lib/$f" "$pkg/deps/lib/$f"
  done
  # binding.gyp links -ltensorflow -ltensorflow_framework; libtensorflow.so.2.9.1 is the file tfjs-node's own
  # install script checks for, so an `npm rebuild` of it does not try to download its libtensorflow 2.9.1.
  ln -s libtensorflow_cc.so.2 "$pkg/deps/lib/libtensorflow.so"
  ln -s libtensorflow_cc.so.2 "$pkg/deps/lib/libtensorflow.so.2.9.1"
  ln -s libtensorflow_framework.so.2 "$pkg/deps/lib/libtensorflow_framework.so"
  ln -s libtensorflow_framework.so.2 "$pkg/deps/lib/libtensorflow_framework.so.2.9.1"
  cp -r "$libs/include" "$pkg/deps/include"
  echo "$TF_VERSION" >"$stamp"
fi

# --- 4. the binding, compiled against that library -------------------------------------------------------------
if [ ! -f "$binding" ] || [ "$binding" -ot "$stamp" ]; then
  step="compiling tfjs_binding.node"
  say "compiling the binding against TensorFlow $TF_VERSION's C library"
  # Only the newest Node-API version the package lists (8): Node 20 and Electron both load it.
  (cd "$pkg" && npm_config_nodedir=$nodedir "$root/node_modules/.bin/node-pre-gyp" rebuild --build-from-source --build-latest-napi-version-only \
    --loglevel=error >"$pkg/build.log" 2>&1) || {
    tail -20 "$pkg/build.log" >&2
    fail "compiling the binding failed (the whole log: $pkg/build.log)"
  }
  [ -f "$binding" ] || fail "the build finished but made no $binding"
fi

# --- 5. proof: a child process loads it and runs a convolution --------------------------------------------------
step="loading @tensorflow/tfjs-node"
verify || fail "@tensorflow/tfjs-node is set up but does not load: $why"
say "ok: backend tensorflow, $why (libtensorflow from tensorflow-cpu $TF_VERSION)"
