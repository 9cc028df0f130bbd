#!/usr/bin/env bash
# Installs and starts Skiff on this machine, k3s style:
#   ./install.sh                      build, install /usr/local/bin/skiff, start `skiff server`
#   INSTALL_SKIFF_EXEC="--tls-san my.host" ./install.sh    extra server flags
#   INSTALL_SKIFF_SKIP_START=true ./install.sh             install only
# Safe to run again: it rebuilds, replaces the binary and restarts the server; the data dir,
# certificates and kubeconfig are kept.
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (it installs /usr/local/bin/skiff and a service)" >&2
  exit 1
fi

./scripts/install-deps.sh

echo "[skiff] building (Native AOT: a few minutes)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# One self-contained Native AOT binary (scripts/publish.sh): no JIT at run time, a fraction of the memory.
./scripts/publish.sh "$out" >/dev/null

# The binary lives in /usr/local/lib/skiff; /usr/local/bin/skiff links to it. It is the whole product: SQLite is
# linked into it (src/Skiff/Skiff.csproj), and no native library is kept beside it.
echo "[skiff] installing /usr/local/lib/skiff and /usr/local/bin/skiff"
mkdir -p /usr/local/lib/skiff
# Earlier builds kept SQLite's libe_sqlite3.so beside the binary; nothing loads it any more.
rm -f /usr/local/lib/skiff/libe_sqlite3.so
install -m 0755 "$out/skiff" /usr/local/lib/skiff/skiff.new
mv -f /usr/local/lib/skiff/skiff.new /usr/local/lib/skiff/skiff
ln -sfn /usr/local/lib/skiff/skiff /usr/local/bin/skiff.new
mv -Tf /usr/local/bin/skiff.new /usr/local/bin/skiff

data_dir=/var/lib/skiff
mkdir -p "$data_dir" /etc/skiff

# Air-gap images (busybox, Skiff's pause): the agent imports every archive in this dir at start.
echo "[skiff] building images into $data_dir/agent/images"
./scripts/build-test-images.sh "$out/images" >/dev/null
mkdir -p "$data_dir/agent/images"
install -m 0644 "$out"/images/*.tar "$data_dir/agent/images/"

exec_args=${INSTALL_SKIFF_EXEC:-}

if [ "${INSTALL_SKIFF_SKIP_START:-false}" = "true" ]; then
  echo "[skiff] installed; not started (INSTALL_SKIFF_SKIP_START=true)"
  exit 0
fi

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  echo "[skiff] starting the skiff systemd service"
  cat > /etc/systemd/system/skiff.service <<UNIT
[Unit]
Description=Skiff - lightweight Kubernetes
Documentation=file://$(pwd)/README.md
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=/usr/local/bin/skiff server ${exec_args}
KillMode=process
Delegate=yes
LimitNOFILE=1048576
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
  systemctl enable skiff >/dev/null 2>&1
  systemctl restart skiff
else
  # No systemd here: a small supervisor loop restarts the server if it exits, logging to the data dir.
  echo "[skiff] starting skiff server under a supervisor (log: $data_dir/skiff.log)"
  pidfile=$data_dir/supervisor.pid
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    pkill -TERM -P "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    # A server that did not stop in 10 s is killed, so the new one can bind its port.
    if kill -0 "$pid" 2>/dev/null; then
      pkill -KILL -P "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  cat > /usr/local/bin/skiff-supervise <<'SUP'
#!/usr/bin/env bash
# Keeps `skiff server` running; stops it when this loop is told to stop.
child=0
trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT
while true; do
  /usr/local/bin/skiff server "$@" &
  child=$!
  wait $child
  sleep 2
done
SUP
  chmod 0755 /usr/local/bin/skiff-supervise
  # shellcheck disable=SC2086
  nohup setsid /usr/local/bin/skiff-supervise ${exec_args} >>"$data_dir/skiff.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
fi

echo "[skiff] waiting for the API server"
for _ in $(seq 1 120); do
  if [ -f /etc/skiff/skiff.yaml ] && /usr/local/bin/skiff kubectl get --raw /readyz >/dev/null 2>&1; then
    echo "[skiff] ready"
    cat <<MSG

Skiff is running. Use it with:
  skiff kubectl get ns
  kubectl --kubeconfig /etc/skiff/skiff.yaml get ns      (or: export KUBECONFIG=/etc/skiff/skiff.yaml)
MSG
    exit 0
  fi
  sleep 0.5
done
echo "install.sh: skiff did not become ready in 60 s; see $data_dir/skiff.log or 'journalctl -u skiff'" >&2
exit 1
