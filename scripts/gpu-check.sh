#!/usr/bin/env bash
# GPU check for a Linux machine with an NVIDIA GPU: is everything dawn.node (the webgpu backend) needs there,
# which adapter does it get, and how fast does it train next to the CPU engine (wasm)?
#
#   scripts/gpu-check.sh            # from the repository root, after `npm ci` (node_modules must be there)
#
# Works offline: it installs nothing unless it is root, apt-get is there and GPU_CHECK_INSTALL=1. Without a
# system Vulkan loader it uses one it can find (VULKAN_LOADER=/path/libvulkan.so.1, or Debian chromium's).
# Every step prints what it found; the last lines are the summary. Exit code: 0 when webgpu ran on a hardware
# GPU, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }
has() { command -v "$1" >/dev/null 2>&1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aestudio-gpu-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export AESTUDIO_HOME="$WORK/home" FORCE_COLOR=0
unset AESTUDIO_SOFTWARE_GPU # a software adapter must not pass for the GPU here

say "System"
note "$(uname -srm); $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
note "glibc: $(ldd --version 2>/dev/null | head -1 | grep -oE '[0-9]+\.[0-9]+$') (dawn.node needs 2.34 or later)"
if has nvidia-smi; then
  nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader 2>&1 | sed 's/^/   GPU /'
else
  note "nvidia-smi not found: is the NVIDIA driver installed (or, in a container, passed in)?"
fi

say "Node and packages"
if ! has node; then
  note "node not found: install Node.js 20.19 or later"
  exit 1
fi
note "node $(node --version)"
for f in node_modules/webgpu/dist/linux-x64/dawn.node node_modules/@tensorflow/tfjs-backend-webgpu/package.json \
  node_modules/@tensorflow/tfjs-backend-wasm/package.json; do
  if [ -e "$f" ]; then note "ok  $f"; else note "MISSING $f (run npm ci on a machine with the registry)"; fi
done

say "Vulkan loader (libvulkan.so.1)"
loader=""
if ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  loader=$(ldconfig -p | grep 'libvulkan\.so\.1 ' | head -1 | sed 's/.*=> //')
  note "system: $loader"
elif [ "${GPU_CHECK_INSTALL:-}" = 1 ] && [ "$(id -u)" = 0 ] && has apt-get; then
  note "not installed; trying apt-get install libvulkan1"
  if timeout 180 apt-get install -y -qq --no-install-recommends libvulkan1 >/dev/null 2>&1 ||
    { timeout 120 apt-get update -qq >/dev/null 2>&1 &&
      timeout 180 apt-get install -y -qq --no-install-recommends libvulkan1 >/dev/null 2>&1; }; then
    loader=$(ldconfig -p | grep 'libvulkan\.so\.1 ' | head -1 | sed 's/.*=> //')
    note "installed: $loader"
  else
    note "apt-get failed (offline?)"
  fi
fi
if [ -z "$loader" ]; then
  for candidate in "${VULKAN_LOADER:-}" /usr/lib/chromium/libvulkan.so.1 /opt/google/chrome/libvulkan.so.1; do
    if [ -n "$candidate" ] && [ -f "$candidate" ]; then
      mkdir -p "$WORK/vulkan" && ln -sf "$candidate" "$WORK/vulkan/libvulkan.so.1"
      export LD_LIBRARY_PATH="$WORK/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      loader=$candidate
      note "none in the system; using $candidate through LD_LIBRARY_PATH"
      break
    fi
  done
fi
[ -n "$loader" ] || note "NOT FOUND: apt-get install libvulkan1 (or set VULKAN_LOADER=/path/to/libvulkan.so.1)"

say "NVIDIA Vulkan driver (ICD)"
icd=""
for d in /etc/vulkan/icd.d /usr/share/vulkan/icd.d /usr/local/etc/vulkan/icd.d /usr/local/share/vulkan/icd.d; do
  for f in "$d"/nvidia*.json; do
    [ -f "$f" ] && { icd=$f; break 2; }
  done
done
glx=$(ldconfig -p 2>/dev/null | grep 'libGLX_nvidia\.so\.0 ' | head -1 | sed 's/.*=> //')
if [ -n "$icd" ]; then
  note "$icd: $(tr -d '\n ' <"$icd" | cut -c1-160)"
elif [ -n "$glx" ]; then
  # The driver's Vulkan library is there but its manifest is not (common in containers): write one.
  icd="$WORK/nvidia_icd.json"
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$glx" >"$icd"
  note "no nvidia_icd.json; wrote $icd for $glx"
else
  note "NOT FOUND: no nvidia_icd.json and no libGLX_nvidia.so.0 (the driver's Vulkan part)."
  note "In a container, start it with NVIDIA_DRIVER_CAPABILITIES=all (compute alone has no Vulkan)."
fi
# Only the NVIDIA driver, so a software one (lavapipe, SwiftShader) cannot answer instead.
[ -n "$icd" ] && export VK_ICD_FILENAMES="$icd"

if has vulkaninfo; then
  say "vulkaninfo --summary"
  timeout 60 vulkaninfo --summary 2>&1 | grep -E 'apiVersion|driverVersion|deviceName|deviceType|driverName|ERROR' |
    head -20 | sed 's/^/   /'
fi

# Runs aestudio with a time limit; stdout to $WORK/$1.json, stderr shown indented when it fails.
run() {
  local name=$1 limit=$2
  shift 2
  local started=$SECONDS
  timeout "$limit" node bin/aestudio.js "$@" >"$WORK/$name.json" 2>"$WORK/$name.err"
  local rc=$?
  note "aestudio $* → exit $rc in $((SECONDS - started)) s"
  [ $rc -eq 0 ] || sed 's/^/     /' "$WORK/$name.err" | tail -8
  return $rc
}

say "aestudio info"
timeout 60 node bin/aestudio.js info 2>&1 | sed -n '/Backends/,$p' | sed 's/^/   /'

say "Benchmark: conv 64×64×3, latent 64 (the benchmark network)"
run bench-webgpu 600 bench --backend webgpu --json
run bench-wasm 600 bench --backend wasm --json
run bench-webgpu-256 600 bench --backend webgpu --batch 256 --steps 8 --json
run bench-wasm-256 900 bench --backend wasm --batch 256 --steps 4 --json

say "Training: 3 epochs on the bundled Fashion-MNIST samples (300 images at 64×64×3)"
samples=resources/samples/fashion-mnist/images
train=(train "$samples" --size 64 --channels 3 --latent 64 --batch 32 --epochs 3 --json)
run train-webgpu 900 "${train[@]}" --backend webgpu
run train-wasm 900 "${train[@]}" --backend wasm

say "Summary"
WORK="$WORK" node - <<'EOF'
const fs = require('fs')
const read = (name) => {
  try {
    const lines = fs.readFileSync(`${process.env.WORK}/${name}.json`, 'utf8').trim().split('\n')
    return lines.map((l) => JSON.parse(l))
  } catch {
    return null
  }
}
// A failed command prints {"error": ...} instead of its result.
const bench = (name) => read(name)?.find((r) => r.imagesPerSecond !== undefined)
const gpu = bench('bench-webgpu')
const a = gpu?.adapter
console.log(`   adapter: ${a ? `${a.vendor} ${a.architecture}: ${a.description || a.device}${a.isFallbackAdapter ? ' (fallback)' : ''}` : 'none (webgpu did not start; see above)'}`)
const ips = (r) => (r ? `${r.imagesPerSecond} images/s (${r.stepMs} ms a step)` : 'failed')
for (const [batch, g, w] of [[32, 'bench-webgpu', 'bench-wasm'], [256, 'bench-webgpu-256', 'bench-wasm-256']]) {
  const [rg, rw] = [bench(g), bench(w)]
  const ratio = rg && rw ? `  → webgpu ${(rg.imagesPerSecond / rw.imagesPerSecond).toFixed(1)}× wasm` : ''
  console.log(`   bench batch ${batch}: webgpu ${ips(rg)}; wasm ${ips(rw)}${ratio}`)
}
for (const name of ['train-webgpu', 'train-wasm']) {
  const lines = read(name) ?? []
  const epochs = lines.filter((l) => l.event === 'epoch')
  const done = lines.find((l) => l.event === 'done')
  console.log(
    `   ${name}: ${done?.status === 'done' ? `done on ${done.backend}, best val ${done.bestValLoss?.toPrecision(4)}` : `failed${done?.error ? `: ${done.error}` : ''}`}` +
      (epochs.length ? `; epochs ${epochs.map((e) => `${e.imagesPerSecond.toFixed(0)} img/s`).join(', ')}` : '')
  )
}
process.exitCode = a && !a.isFallbackAdapter ? 0 : 1
EOF
