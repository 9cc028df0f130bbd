#!/usr/bin/env bash
# Regenerates src/Skiff/skiff.order: the managed methods a node agent runs from start through registering, one pod's
# life and an idle spell, which the AOT publish then lays out first and together (IlcOrderFile in Skiff.csproj).
#
# Why: the kernel maps a binary's code in 64 KiB windows around each page fault, so code that runs scattered through
# 12 MB of text keeps most of the text resident (10 MiB for an idle agent). Run together, the same code is ~3 MiB.
#
# How: the agent runs under valgrind's callgrind (root, with the test images from scripts/build-test-images.sh) against
# a throw-away `skiff server --disable-agent` on loopback: one dump after Ready and an idle spell, one after a pod's
# life. Every instruction it executed is looked up in the binary's symbols; the managed methods (those in ILC's map
# file) are written start-and-idle first, then what the pod added, each part in the current address order. A method
# renamed later is simply not found by the next publish and goes with the cold code: a stale file costs memory,
# never correctness. Takes about 3 minutes plus a publish.
#
# Usage: scripts/profile-layout.sh [idle-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${1:-30}
repo=$PWD
for tool in valgrind nm perl kubectl; do command -v "$tool" >/dev/null || { echo "profile-layout: $tool is needed" >&2; exit 1; }; done
[ -f out/images/busybox.tar ] || { echo "profile-layout: run scripts/build-test-images.sh first" >&2; exit 1; }

work=$(mktemp -d /tmp/skiff-layout-XXXXXX)
server_pid='' agent_pid=''
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$agent_pid" ] && wait "$agent_pid" 2>/dev/null || true
  [ -x "$work/bin/skiff" ] && "$work/bin/skiff" killall --data-dir "$work/agent" >/dev/null 2>&1 || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "profile-layout: publishing (with ILC's map file) ..." >&2
dotnet publish src/Skiff/Skiff.csproj -c Release -r linux-x64 -p:PublishAot=true -p:IlcGenerateMapFile=true -nologo -v q \
  -clp:ErrorsOnly -o "$work/bin" >&2
map=src/Skiff/obj/Release/net10.0/linux-x64/native/skiff.map.xml
# valgrind 3.19 cannot read the DWARF 5 in skiff.dbg, so the profiled copy has none beside it; the symbols are
# looked up afterwards with nm.
mkdir -p "$work/run" "$work/agent/agent/images"
cp "$work/bin/skiff" "$work/run/skiff"
cp out/images/*.tar "$work/agent/agent/images/"
: >"$work/config.yaml"
port=$((20000 + RANDOM % 20000))
"$work/bin/skiff" server --data-dir "$work/data" --bind-address 127.0.0.1 --https-listen-port "$port" \
  --write-kubeconfig "$work/kc.yaml" --disable-agent --config "$work/config.yaml" --cluster-cidr 10.199.0.0/16 \
  >"$work/server.log" 2>&1 &
server_pid=$!
kc=(kubectl --kubeconfig "$work/kc.yaml")
for _ in $(seq 300); do [ -f "$work/kc.yaml" ] && "${kc[@]}" get --raw /readyz >/dev/null 2>&1 && break; sleep 0.2; done

echo "profile-layout: the agent under callgrind ..." >&2
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" --dump-instr=yes --collect-jumps=no \
  "$work/run/skiff" agent --server "https://127.0.0.1:$port" --token-file "$work/data/server/token" \
  --data-dir "$work/agent" --node-name layout --cni-bridge sklayout0 --kubelet-port 0 --config "$work/config.yaml" \
  >"$work/agent.log" 2>&1 &
agent_pid=$!
ready() { "${kc[@]}" get node layout -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True; }
for _ in $(seq 600); do ready && break; sleep 0.5; done
ready || { tail -20 "$work/agent.log" >&2; echo "profile-layout: the node did not become Ready" >&2; exit 1; }
sleep "$idle"
# The first dump is start and idle; what the pod adds comes after it in the order, so an idle node keeps the least.
callgrind_control -d "$agent_pid" >/dev/null

"${kc[@]}" run layout --image=busybox --image-pull-policy=IfNotPresent --restart=Never \
  --overrides='{"spec":{"nodeName":"layout","terminationGracePeriodSeconds":1}}' -- sh -c 'echo hi; sleep 3600' >&2
"${kc[@]}" wait --for=condition=Ready pod/layout --timeout=300s >&2
"${kc[@]}" logs layout >&2
"${kc[@]}" exec layout -- true >&2
"${kc[@]}" delete pod layout --wait=true --timeout=300s >&2
sleep 10

kill -TERM "$agent_pid"
wait "$agent_pid" || true
agent_pid=''
# callgrind_control's dump and the one at exit, oldest first.
mapfile -t dumps < <(ls -tr "$work"/callgrind.out*)
[ "${#dumps[@]}" -ge 2 ] || { tail -20 "$work/agent.log" >&2; echo "profile-layout: callgrind wrote nothing" >&2; exit 1; }

# The text segment's bounds (the R E LOAD header), in the binary's own addresses as callgrind writes them.
read -r text_lo text_hi < <(readelf -lW "$work/bin/skiff" |
  perl -ne 'print hex($1), " ", hex($1) + hex($2), "\n" if /^\s*LOAD\s+\S+\s+(0x[0-9a-f]+)\s+\S+\s+\S+\s+(0x[0-9a-f]+)\s+R E\s/')
nm -n --defined-only "$work/bin/skiff.dbg" | awk '$2 == "t" || $2 == "T"' >"$work/symbols"
grep -o '<MethodCode Name="[^"]*"' "$map" | sed 's/^<MethodCode Name="//; s/"$//' >"$work/managed"
# Every executed instruction (callgrind's --dump-instr positions, "0x..." or relative "+n"/"-n"/"*") in the binary's
# text is looked up in the symbols. callgrind files most of the binary's code under the object "???", by its address
# at run time: valgrind loads a position-independent executable at 0x108000 on amd64.
perl -e '
  my ($lo, $hi, $symbols, $managed, @dumps) = @ARGV;
  my %managed;
  open my $m, "<", $managed or die; while (<$m>) { chomp; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&apos;/\x27/g; s/&amp;/&/g; $managed{$_} = 1 }
  my (@addr, @name);
  open my $s, "<", $symbols or die; while (<$s>) { chomp; my ($a, $t, $n) = split / /, $_, 3; push @addr, hex $a; push @name, $n }
  my (%placed, @order);
  for my $dump (@dumps) {
    my %ran;
    my %obj;
    my ($base, $pos) = (-1, 0);
    open my $d, "<", $dump or die;
    while (<$d>) {
      if (/^(c?)ob=\((\d+)\)(?: (.*))?/) {
        $obj{$2} = $3 if defined $3;
        if ($1 eq "") { my $o = $obj{$2} // ""; $base = $o =~ m{/run/skiff$} ? 0 : $o eq "???" ? 0x108000 : -1 }
        next;
      }
      next unless /^([0-9+*-]\S*)/;
      my $p = $1;
      if ($p =~ /^([+-]?)(0x[0-9a-f]+|\d+)$/) { my ($sign, $num) = ($1, $2); my $n = $num =~ /^0x/ ? hex $num : $num; $pos = $sign eq "+" ? $pos + $n : $sign eq "-" ? $pos - $n : $n }
      next if $base < 0;
      my $at = $pos - $base;
      next unless $at >= $lo && $at < $hi;
      my ($l, $h) = (0, $#addr);
      while ($l < $h) { my $mid = int(($l + $h + 1) / 2); if ($addr[$mid] <= $at) { $l = $mid } else { $h = $mid - 1 } }
      $ran{$l} = 1;
    }
    for my $i (sort { $a <=> $b } keys %ran) { next if $placed{$i}++; push @order, $name[$i] if $managed{$name[$i]} }
  }
  print "$_\n" for @order;
' "$text_lo" "$text_hi" "$work/symbols" "$work/managed" "${dumps[@]}" >"$work/order"
count=$(wc -l <"$work/order")
[ "$count" -gt 1000 ] || { echo "profile-layout: only $count methods found; not replacing src/Skiff/skiff.order" >&2; exit 1; }
cp "$work/order" "$repo/src/Skiff/skiff.order"
echo "profile-layout: wrote $count methods to src/Skiff/skiff.order" >&2
