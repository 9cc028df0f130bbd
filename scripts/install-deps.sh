#!/usr/bin/env bash
# Installs what Skiff's build, tests and benchmarks need from Debian's packages, if missing.
# Safe to run repeatedly; does nothing when everything is present.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }

have sqlite3 || need+=(sqlite3)            # inspecting the datastore in tests and by hand
have etcd || need+=(etcd-server)           # the reference store in bench/ (Debian's etcd 3.4)
have curl || need+=(curl)
have kubectl || need+=(kubernetes-client)  # the machine image ships a current kubectl; Debian's is a fallback
# The node agent: containerd (with ctr) runs pods through runc; pods get their network from the
# standard CNI plugins (installed in /usr/lib/cni) and iptables; test images are built from
# busybox-static and a static pause compiled with gcc (scripts/build-test-images.sh).
have containerd || need+=(containerd)
have runc || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
have iptables || need+=(iptables)
{ [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; } || need+=(busybox-static)
have file || need+=(file)
have gcc || need+=(gcc)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || [ -f /usr/lib/aarch64-linux-gnu/libc.a ] || need+=(libc6-dev)
# Native AOT (scripts/publish.sh) links the skiff binary with the system C toolchain and zlib.
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
# SQLite, the datastore's: the AOT binary links libsqlite3.a into itself; the JIT build and the tests load
# libsqlite3.so (the unversioned name comes with the -dev package).
[ -f /usr/lib/x86_64-linux-gnu/libsqlite3.a ] || [ -f /usr/lib/aarch64-linux-gnu/libsqlite3.a ] || need+=(libsqlite3-dev)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${need[*]}; run as root to install them" >&2
    exit 1
  fi
  echo "install-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! have dotnet; then
  echo "install-deps: the .NET 10 SDK (dotnet) is required to build Skiff" >&2
  exit 1
fi
