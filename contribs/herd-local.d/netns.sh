# herd-local — network namespaces (--netns). Sourced by herd-local; uses its globals
# (DIR, NODES, CONTROLLERS) and helpers (log, die).
# shellcheck shell=bash

# ---------------------------------------------------------------- network namespaces
#
# --netns: one namespace per node (herd-<tag>-nI, tag from DIR), its end of a veth pair
# named eth0 with 10.x.y.I/24, the other end (hv<tag>nI) on a bridge (hbr<tag>) that holds
# 10.x.y.254, the controller's address (and the commands' way in). With --controllers 2
# the controllers and the witness get namespaces too (ctl1 .201, ctl2 .202, w .203), so
# that one can be cut off (herd-local cut NAME). DIR/netns records each piece as it is
# made ("prefix 10.x.y", "bridge NAME", "ns MEMBER NAME", "veth NAME MEMBER"), so down
# removes exactly what up created, also after a failed up.

NETNS_FILE_NAME=netns

netns_file() { echo "$DIR/$NETNS_FILE_NAME"; }

# netns_get KEY: the first value recorded for KEY (prefix, bridge).
netns_get() { awk -v k="$1" '$1 == k { print $2; exit }' "$(netns_file)" 2>/dev/null; }

# netns_of NODE: the namespace of NODE; fails when the cluster has none.
netns_of() {
  local ns
  ns=$(awk -v n="$1" '$1 == "ns" && $2 == n { print $3; exit }' "$(netns_file)" 2>/dev/null)
  [[ -n $ns ]] && echo "$ns"
}

netns_record() { echo "$*" >>"$(netns_file)"; }

# a /24 in 10.0.0.0/8 that no interface or route of this host uses
netns_pick_prefix() {
  local h=$1 try a b used
  used=$(ip -o -4 addr show 2>/dev/null; ip -4 route show 2>/dev/null)
  for ((try = 0; try < 200; try++)); do
    a=$((100 + (h + try * 31) % 150))
    b=$(((h / 150 + try * 17) % 256))
    # taken by an interface or route of this host (another cluster's bridge, too)
    grep -qE "(^|[^0-9.])10\.$a\.$b\.[0-9]" <<<"$used" && continue
    echo "10.$a.$b"
    return 0
  done
  return 1
}

netns_up() {
  local tag h prefix br i
  [[ $(id -u) -eq 0 ]] || die "--netns needs root (it creates network namespaces)"
  if ! { command -v ip >/dev/null && ip netns list >/dev/null 2>&1; }; then
    die "--netns needs 'ip netns' (iproute2) and network namespace support"
  fi
  if ! { command -v nsenter >/dev/null && command -v unshare >/dev/null; }; then
    die "--netns needs nsenter and unshare (util-linux)"
  fi
  netns_down
  tag=$(printf '%s' "$DIR" | md5sum | cut -c1-5)
  h=$((16#$tag))
  prefix=$(netns_pick_prefix "$h") || die "found no free 10.x.y.0/24 for the namespaces"
  br=hbr$tag
  : >"$(netns_file)"
  netns_record prefix "$prefix"
  ip link add "$br" type bridge || die "cannot create bridge $br"
  netns_record bridge "$br"
  if ! { ip addr add "$prefix.254/24" dev "$br" && ip link set "$br" up; }; then
    die "cannot configure bridge $br"
  fi
  for ((i = 1; i <= NODES; i++)); do
    netns_add_member "n$i" "$prefix.$i" "$tag" "$br"
  done
  if ((CONTROLLERS == 2)); then
    netns_add_member ctl1 "$prefix.201" "$tag" "$br"
    netns_add_member ctl2 "$prefix.202" "$tag" "$br"
    netns_add_member w "$prefix.203" "$tag" "$br"
  fi
  log "network namespaces herd-$tag-* on $prefix.0/24, bridge $br ($prefix.254)"
}

# netns_add_member NAME ADDR TAG BRIDGE: a namespace for daemon NAME with ADDR on eth0.
netns_add_member() {
  local name=$1 addr=$2 tag=$3 br=$4 ns hv
  ns=herd-$tag-$name
  hv=hv$tag$name
  ip netns add "$ns" || die "cannot create network namespace $ns"
  netns_record ns "$name" "$ns"
  ip link add "$hv" type veth peer name eth0 netns "$ns" || die "cannot create veth $hv"
  netns_record veth "$hv" "$name"
  if ! { ip link set "$hv" master "$br" && ip link set "$hv" up \
    && ip -n "$ns" addr add "$addr/24" dev eth0 \
    && ip -n "$ns" link set eth0 up && ip -n "$ns" link set lo up; }; then
    die "cannot configure $hv / eth0 in $ns"
  fi
}

# netns_cut NAME up|down: takes the link of daemon NAME down (cut off from every other
# daemon and from the commands) or up again.
netns_cut() {
  local name=$1 how=$2 hv
  hv=$(awk -v n="$name" '$1 == "veth" && $3 == n { print $2; exit }' "$(netns_file)" 2>/dev/null)
  [[ -n $hv ]] || die "$name has no network namespace (up --netns)"
  ip link set "$hv" "$how" || die "cannot set $hv $how"
  log "$name: link $how"
}

# netns_down: removes what DIR/netns records (the processes in it should be gone).
netns_down() {
  local f kind a b
  f=$(netns_file)
  [[ -f $f ]] || return 0
  while read -r kind a b; do
    case $kind in
      ns) ip netns del "$b" 2>/dev/null || true ;;
    esac
  done <"$f"
  while read -r kind a b; do
    case $kind in
      veth | bridge) ! ip link show "$a" >/dev/null 2>&1 || ip link del "$a" 2>/dev/null || true ;;
    esac
  done <"$f"
  : "$b"
  rm -f "$f"
  log "network namespaces removed"
}

