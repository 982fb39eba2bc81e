#!/usr/bin/env bash
# Shared helpers for scripts/start and scripts/test: a project-local toolchain
# (Node 22 when the system Node is older, Yarn 4 from the npm registry), system
# packages from apt where available, and the workspace dependencies. Every step
# says what it does and is skipped when already done.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$REPO_ROOT/.tools"
NODE_MAJOR_WANTED=22

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m==> WARNING:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m==> ERROR:\033[0m %s\n' "$*" >&2; exit 1; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local sys_node local_bin
  sys_node="$(command -v node || true)"
  if [[ -n "$sys_node" ]] && (( $(node_major "$sys_node") >= NODE_MAJOR_WANTED )); then
    say "Node $("$sys_node" -v) from the system is recent enough"
    return
  fi
  command -v npm >/dev/null || die "npm is needed to install Node $NODE_MAJOR_WANTED (install Node 20+ with npm first)"
  local os arch pkg
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) die "unsupported OS $(uname -s)" ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) die "unsupported CPU $(uname -m)" ;; esac
  pkg="node-$os-$arch"
  local_bin="$TOOLS_DIR/node/node_modules/$pkg/bin"
  if [[ -x "$local_bin/node" ]] && (( $(node_major "$local_bin/node") >= NODE_MAJOR_WANTED )); then
    say "Using project-local Node $("$local_bin/node" -v) (.tools/node)"
  else
    local sys_version="missing"
    [[ -n "$sys_node" ]] && sys_version="$("$sys_node" -v)"
    say "System Node is $sys_version; installing Node $NODE_MAJOR_WANTED from the npm registry into .tools/node"
    mkdir -p "$TOOLS_DIR/node"
    npm install --prefix "$TOOLS_DIR/node" --ignore-scripts --no-audit --no-fund --loglevel=error "$pkg@$NODE_MAJOR_WANTED" >/dev/null
    say "Installed Node $("$local_bin/node" -v)"
  fi
  export PATH="$local_bin:$PATH"
}

# Native addons (better-sqlite3, keytar, ...) build against the headers of the
# Node that runs them; node-gyp would otherwise try to download them.
use_node_headers() {
  local prefix
  prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  if [[ -f "$prefix/include/node/node.h" ]]; then
    export npm_config_nodedir="$prefix"
  fi
}

yarn_wanted() { node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$REPO_ROOT/package.json"; }
yarn_installed() { [[ -x "$TOOLS_DIR/yarn/bin/yarn" ]] && [[ "$("$TOOLS_DIR/yarn/bin/yarn" --version 2>/dev/null)" == "$1" ]]; }
install_yarn() {
  rm -rf "$TOOLS_DIR/yarn"
  npm install --global --prefix "$TOOLS_DIR/yarn" --no-audit --no-fund --loglevel=error "@yarnpkg/cli-dist@$1" >/dev/null
}

# On a fresh clone Yarn downloads (with the system npm) while Node does: the
# two downloads took about 70 s each one after the other. Only when the
# system has node and npm; ensure_yarn waits for it, and installs again in
# the foreground if it failed.
YARN_PREFETCH_PID=""
prefetch_yarn() {
  command -v node >/dev/null && command -v npm >/dev/null || return 0
  local want
  want="$(yarn_wanted 2>/dev/null)" || return 0
  yarn_installed "$want" && return 0
  say "Installing Yarn $want from the npm registry (@yarnpkg/cli-dist) into .tools/yarn, beside Node"
  mkdir -p "$TOOLS_DIR"
  install_yarn "$want" >"$TOOLS_DIR/yarn-install.log" 2>&1 &
  YARN_PREFETCH_PID=$!
}

ensure_yarn() {
  local want yarn_bin
  want="$(yarn_wanted)"
  yarn_bin="$TOOLS_DIR/yarn/bin"
  if [[ -n "$YARN_PREFETCH_PID" ]]; then
    wait "$YARN_PREFETCH_PID" || warn "Installing Yarn beside Node failed ($(tail -n 3 "$TOOLS_DIR/yarn-install.log" 2>/dev/null)); trying again"
    YARN_PREFETCH_PID=""
  fi
  if yarn_installed "$want"; then
    say "Using Yarn $want (.tools/yarn)"
  else
    say "Installing Yarn $want from the npm registry (@yarnpkg/cli-dist) into .tools/yarn"
    install_yarn "$want"
  fi
  export PATH="$yarn_bin:$PATH"
  # Yarn talks to the same registry that npm is configured for on this machine.
  local registry
  registry="$(npm config get registry 2>/dev/null || true)"
  if [[ -n "$registry" && -z "${YARN_NPM_REGISTRY_SERVER:-}" ]]; then
    export YARN_NPM_REGISTRY_SERVER="${registry%/}"
  fi
  export YARN_ENABLE_TELEMETRY=0
}

can_apt() {
  command -v apt-get >/dev/null && { [[ "$(id -u)" == 0 ]] || sudo -n true 2>/dev/null; }
}

apt_install() {
  local sudo=()
  [[ "$(id -u)" == 0 ]] || sudo=(sudo -n)
  if [[ -z "${APT_UPDATED:-}" ]]; then
    say "apt-get update"
    ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    export APT_UPDATED=1
  fi
  say "apt-get install $*"
  ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Native build dependency of keytar (pulled in by @backstage/cli).
ensure_native_build_deps() {
  if command -v pkg-config >/dev/null && pkg-config --exists libsecret-1 2>/dev/null; then
    return
  fi
  if dpkg -s libsecret-1-dev >/dev/null 2>&1; then return; fi
  if can_apt; then
    apt_install libsecret-1-dev
  else
    warn "libsecret-1-dev is missing and apt is not available; the keytar build may fail"
  fi
}

deps_hash() {
  (cd "$REPO_ROOT" && shopt -s nullglob && cat -- yarn.lock package.json packages/*/package.json plugins/*/package.json 2>/dev/null || true) | sha256sum | cut -c1-64
}

ensure_deps() {
  local stamp="$REPO_ROOT/node_modules/.ai-platform-install-stamp"
  local hash
  hash="$(deps_hash)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
    say "Dependencies are installed and up to date"
    return
  fi
  ensure_native_build_deps
  say "Installing dependencies with yarn install (a few minutes on a cold machine)"
  (cd "$REPO_ROOT" && yarn install)
  deps_hash >"$stamp"
}

bootstrap() {
  prefetch_yarn
  ensure_node
  use_node_headers
  ensure_yarn
  ensure_deps
}
