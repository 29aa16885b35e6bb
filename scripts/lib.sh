# Shared set-up for scripts/start, scripts/test and .ci/run. Source it; every step is idempotent.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TZ=UTC
export CHECKPOINT_DISABLE=1 # no Prisma telemetry call

log() { printf '\033[1;34m[kubecohort]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[kubecohort]\033[0m %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  log "installing Debian packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Node 24 LTS: use the machine's node when new enough, else the official binary from the npm
# registry (package node-linux-<arch>@24) in the git-ignored .tools folder.
ensure_node() {
  local major=0
  if command -v node >/dev/null 2>&1; then major=$(node -p 'process.versions.node.split(".")[0]'); fi
  if [ "$major" -ge 24 ]; then return; fi
  local arch pkg
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "unsupported CPU $(uname -m) for the Node 24 package" ;;
  esac
  pkg="node-linux-$arch"
  local bin="$ROOT/.tools/node_modules/$pkg/bin"
  if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node.split(".")[0]')" != 24 ]; then
    command -v npm >/dev/null 2>&1 || apt_install nodejs npm
    log "provisioning Node 24 LTS from the npm registry ($pkg@24) into .tools/"
    mkdir -p "$ROOT/.tools"
    npm install --prefix "$ROOT/.tools" --no-save --no-package-lock --no-audit --no-fund "$pkg@24" >/dev/null
  fi
  export PATH="$bin:$PATH"
  log "using node $(node --version)"
}

# PostgreSQL and Redis on 127.0.0.1: installed when missing, started when down.
ensure_postgres() {
  if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then return; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql; fi
  log "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && return; sleep 1; done
  die "PostgreSQL did not come up on 127.0.0.1:5432"
}

ensure_redis() {
  if command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return; fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return; sleep 1; done
  die "Redis did not come up on 127.0.0.1:6379"
}

ensure_services() {
  command -v pg_isready >/dev/null 2>&1 || apt_install postgresql
  ensure_postgres
  ensure_redis
}

# Dependencies exactly as locked; reinstalled only when the lock file changed.
ensure_deps() {
  local stamp="node_modules/.kubecohort-lock.sha"
  local want
  want=$( (sha256sum package-lock.json; node --version) | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing npm dependencies (npm ci)"
    mkdir -p "$ROOT/.tools"
    # Dependencies' install scripts stay blocked (npm 11 default): what we use ships prebuilt.
    if ! npm ci --no-audit --no-fund >"$ROOT/.tools/npm-ci.log" 2>&1; then
      cat "$ROOT/.tools/npm-ci.log" >&2
      die "npm ci failed"
    fi
    echo "$want" >"$stamp"
  fi
  log "generating the Prisma client"
  npm run --silent db:generate >/dev/null 2>&1 || npm run db:generate
}

bootstrap() {
  ensure_node
  ensure_services
  ensure_deps
}
