#!/usr/bin/env bash
# Builds the images that Skiff's tests and air-gapped nodes use, with no registry:
#   out/images/busybox.tar       docker.io/library/busybox:latest and :<busybox version>
#                                 (Debian's busybox-static; sh, httpd, nc, wget, nslookup, tar, ...)
#   out/images/skiff-pause.tar   localhost/skiff/pause:1.0, the pod sandbox image (scripts/pause.c)
# Each is an OCI image-layout archive (oci-layout, index.json, blobs/sha256/...) that
# `ctr images import` and the agent's air-gap importer load. The output is reproducible: the
# same inputs give byte-identical archives (fixed mtimes and owners, sorted entries, gzip -n).
#
# Why a C pause and not a busybox shell loop: the sandbox's PID 1 must exit at once on SIGTERM
# and reap orphans when the pod shares its PID namespace; a 700 KB static binary that only
# waits for signals does both, costs no shell, and needs only gcc, which the build already has.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/images}
mkdir -p "$out"

busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
  busybox=/bin/busybox
fi
if ! [ -x "$busybox" ]; then
  echo "build-test-images: needs Debian's busybox-static (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
command -v gcc >/dev/null || { echo "build-test-images: needs gcc to build the pause binary" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
epoch=0
created=1970-01-01T00:00:00Z

# A deterministic tar of a directory's contents: sorted names, fixed mtime/owner, no pax times.
det_tar() { # dir output
  tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$1" -cf "$2" .
}

# Moves a file into the layout's blob store; prints "sha256:<hex> <size>".
put_blob() { # layout file
  local hex size
  hex=$(sha256sum "$2" | cut -d' ' -f1)
  size=$(stat -c %s "$2")
  mkdir -p "$1/blobs/sha256"
  mv "$2" "$1/blobs/sha256/$hex"
  echo "sha256:$hex $size"
}

# build_image NAME ROOTFS CONFIG_JSON_FRAGMENT REF...
# Writes $out/NAME.tar holding one linux/amd64 image, named by every REF.
build_image() {
  local name=$1 rootfs=$2 exec_config=$3
  shift 3
  local layout=$work/$name-layout
  mkdir -p "$layout"

  det_tar "$rootfs" "$work/layer.tar"
  local diff_id
  diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  gzip -n -9 "$work/layer.tar"
  local layer layer_size
  read -r layer layer_size < <(put_blob "$layout" "$work/layer.tar.gz")

  printf '{"architecture":"amd64","os":"linux","created":"%s","config":%s,"rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created":"%s","created_by":"scripts/build-test-images.sh"}]}' \
    "$created" "$exec_config" "$diff_id" "$created" > "$work/config.json"
  local config config_size
  read -r config config_size < <(put_blob "$layout" "$work/config.json")

  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
    "$config" "$config_size" "$layer" "$layer_size" > "$work/manifest.json"
  local manifest manifest_size
  read -r manifest manifest_size < <(put_blob "$layout" "$work/manifest.json")

  # One index entry per name: containerd's importer takes the full name from
  # io.containerd.image.name; other tools read the tag from org.opencontainers.image.ref.name.
  local entries="" ref
  for ref in "$@"; do
    [ -n "$entries" ] && entries+=","
    entries+=$(printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}' \
      "$manifest" "$manifest_size" "$ref" "${ref##*:}")
  done
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "$entries" > "$layout/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"

  find "$layout" -exec touch -h -d "@$epoch" {} +
  det_tar "$layout" "$out/$name.tar.new"
  mv -f "$out/$name.tar.new" "$out/$name.tar"
  echo "build-test-images: $out/$name.tar ($*)"
}

# busybox: every applet as a symlink in /bin, a minimal /etc, a world-writable /tmp.
bb=$work/busybox-root
mkdir -p "$bb/bin" "$bb/etc" "$bb/tmp" "$bb/root" "$bb/var/www" "$bb/home"
install -m 0755 "$busybox" "$bb/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$bb/bin/$applet"
done
chmod 1777 "$bb/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$bb/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$bb/etc/group"
# Read the whole banner before taking its first line: busybox writes its usage in hundreds of
# small writes, so `busybox | head -n1` kills it with SIGPIPE now and then, and under pipefail
# that failed this script with no message (seen once in CI).
bb_banner=$("$busybox" 2>&1 || true)
bb_version=$(sed -nE '1s/^BusyBox v([0-9]+\.[0-9]+)\..*/\1/p' <<<"$bb_banner")
[ -n "$bb_version" ] || { echo "build-test-images: cannot read busybox's version from: ${bb_banner%%$'\n'*}" >&2; exit 1; }
find "$bb" -exec touch -h -d "@$epoch" {} +
build_image busybox "$bb" '{"Env":["PATH=/bin"],"Cmd":["sh"],"WorkingDir":"/"}' \
  docker.io/library/busybox:latest "docker.io/library/busybox:$bb_version"

# pause: one static binary.
pr=$work/pause-root
mkdir -p "$pr"
gcc -static -O2 -s -o "$pr/pause" scripts/pause.c
find "$pr" -exec touch -h -d "@$epoch" {} +
build_image skiff-pause "$pr" '{"Env":["PATH=/"],"Entrypoint":["/pause"],"WorkingDir":"/"}' \
  localhost/skiff/pause:1.0
