#!/usr/bin/env bash
# Builds the ActorVip container image on this machine without any container registry:
#   1. a Debian base made here from Debian's package registry with mmdebstrap (only the libraries that the
#      self-contained .NET runtime loads, no shell, no package manager), imported into podman's store and
#      kept there as localhost/actorvip-base:bookworm-KEY between runs (KEY changes with the package list);
#   2. the self-contained single-file publish of actorvip (or --publish DIR), carrying the file capabilities
#      cap_net_admin,cap_net_raw=ep like deploy/Containerfile's image;
#   3. deploy/Containerfile.offline on top: the same layout as deploy/Containerfile's final stage.
# Result: localhost/actorvip:VERSION, the image that `actorvip manifest pod|daemonset` names by default.
#
#   bash deploy/build-image.sh [--publish DIR] [--tag NAME:TAG] [--refresh-base]
#
# Needs root, podman, mmdebstrap and setcap (bash tools/setup.sh installs them).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

publish="" tag="" refresh=no
while (($#)); do
  case $1 in
    --publish) [[ $# -ge 2 ]] || die 2 "--publish needs a directory"; publish=$2; shift 2 ;;
    --tag) [[ $# -ge 2 && $2 == *:* ]] || die 2 "--tag needs NAME:TAG (e.g. localhost/actorvip:0.1.0)"; tag=$2; shift 2 ;;
    --refresh-base) refresh=yes; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die 2 "unknown argument '$1' (expected --publish DIR, --tag NAME:TAG or --refresh-base)" ;;
  esac
done

if [[ -n $publish ]]; then check_publish "$publish" >/dev/null; fi # bad input is refused before any work
need_root
need podman podman
need mmdebstrap mmdebstrap
need setcap libcap2-bin
root=$(repo_root)
started=$SECONDS

work=$(mktemp -d /tmp/actorvip-image.XXXXXX)
trap 'rm -rf "$work"' EXIT

# --- 1. The base ------------------------------------------------------------------------------------------
# What a self-contained .NET 10 app with InvariantGlobalization loads: glibc, libgcc_s and libstdc++ (the
# runtime), libssl/libcrypto (TLS between the nodes, opened on demand), zlib. No tzdata (the logs are UTC),
# no ca-certificates (the cluster CA is given explicitly), no ICU (invariant globalization).
# --variant=extract unpacks the packages without running their maintainer scripts, so no shell or dpkg is
# needed inside; the loader finds the libraries in its built-in multiarch paths without ld.so.cache.
packages=libc6,libgcc-s1,libstdc++6,libssl3,zlib1g
# Dropped after unpacking: iconv's character sets (8 MB, .NET never calls iconv), documentation but the
# copyright files, and what mmdebstrap leaves for a system that would run apt and dpkg (this one never does).
drop=(usr/lib/x86_64-linux-gnu/gconv usr/share/man usr/share/locale usr/share/lintian usr/share/i18n
      usr/share/gcc usr/share/gdb etc/apt etc/dpkg var/lib/dpkg var/lib/apt var/cache var/log
      etc/hostname etc/resolv.conf etc/fstab)
app_uid=1654 # the .NET images' `app` user (APP_UID), which deploy/Containerfile and the manifests run as
# The base's key: any change to what goes into it makes a new one (and the old one is removed below).
key=$(printf '%s\n' "$packages" "${drop[@]}" "$app_uid" "v1" | sha256sum | cut -c1-12)
base=localhost/actorvip-base:bookworm-$key

if [[ $refresh == yes ]] && podman image exists "$base"; then
  podman image rm "$base" >/dev/null
fi
if ! podman image exists "$base"; then
  mirror=$(debian_mirror)
  log "making the Debian base $base from $mirror (first run only)"
  t0=$SECONDS
  rootfs=$work/rootfs
  mmdebstrap --quiet --variant=extract --include="$packages" bookworm "$rootfs" "$mirror" \
    || die 1 "mmdebstrap could not make the base from $mirror (is the Debian mirror reachable?)"
  for d in "${drop[@]}"; do rm -rf "${rootfs:?}/$d"; done
  find "$rootfs/usr/share/doc" -type f ! -name copyright -delete
  # The users that the manifests and the Containerfile name: root and app (uid/gid 1654, like the .NET images).
  printf '%s\n' root:x:0:0:root:/root:/usr/sbin/nologin app:x:$app_uid:$app_uid:app:/home/app:/usr/sbin/nologin \
    nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin > "$rootfs/etc/passwd"
  printf '%s\n' root:x:0: app:x:$app_uid: nogroup:x:65534: > "$rootfs/etc/group"
  install -d -m 0700 -o $app_uid -g $app_uid "$rootfs/home/app"
  install -d -m 1777 "$rootfs/tmp"
  tar --numeric-owner -C "$rootfs" -cf "$work/base.tar" .
  rm -rf "$rootfs"
  podman import --quiet \
    --change "ENV APP_UID=$app_uid" --change "ENV DOTNET_RUNNING_IN_CONTAINER=true" \
    --change "LABEL org.opencontainers.image.description=\"Debian bookworm libraries for a self-contained .NET app ($packages)\"" \
    "$work/base.tar" "$base" >/dev/null || die 1 "podman import of the base failed"
  rm -f "$work/base.tar"
  log "base made in $((SECONDS - t0)) s"
  # Earlier bases (another key) are no longer used by this script.
  podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/actorvip-base:bookworm-' | grep -vx "$base" \
    | xargs -r podman image rm >/dev/null 2>&1 || true
else
  log "using the cached base $base"
fi

# --- 2. The binary ----------------------------------------------------------------------------------------
if [[ -z $publish ]]; then
  publish=$work/publish
  publish_node "$publish"
fi
version=$(check_publish "$publish")
tag=${tag:-localhost/actorvip:$version}
mkdir -p "$work/context/publish"
# The executable: a self-contained single file, with no native library beside it.
install -m 0755 "$publish/actorvip" "$work/context/publish/actorvip"
# The capabilities a non-root container process gets at exec (deploy/Containerfile explains why file
# capabilities and not ambient ones). COPY keeps this extended attribute: checked below on the image.
setcap cap_net_admin,cap_net_raw=ep "$work/context/publish/actorvip"
cp "$root/deploy/Containerfile.offline" "$work/context/Containerfile"

# --- 3. The image -----------------------------------------------------------------------------------------
old=$(podman image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
podman build --quiet --pull=never --build-arg "BASE=$base" --build-arg "VERSION=$version" -t "$tag" "$work/context" >/dev/null \
  || die 1 "podman build failed"
new=$(podman image inspect --format '{{.Id}}' "$tag")
# The image this one replaces is no longer named; remove it unless a container still uses it.
if [[ -n $old && $old != "$new" ]]; then podman image rm "$old" >/dev/null 2>&1 || true; fi

mount=$(podman image mount "$tag")
caps=$(getcap "$mount/opt/actorvip/actorvip" | awk '{print $2}')
podman image unmount "$tag" >/dev/null
[[ $caps == cap_net_admin,cap_net_raw=ep ]] || die 1 "the image's /opt/actorvip/actorvip lost its file capabilities (found '$caps')"

size=$(podman image inspect --format '{{.Size}}' "$tag")
log "built $tag: $((size / 1000000)) MB ($size bytes), $(podman image inspect --format '{{len .RootFS.Layers}}' "$tag") layers, in $((SECONDS - started)) s"
echo "$tag"
