#!/usr/bin/env bash
# Builds the Debian package actorvip_VERSION_amd64.deb with dpkg-deb (no network beyond the dotnet publish):
#   /usr/lib/actorvip/actorvip     the self-contained single-file executable (the only file)
#   /usr/bin/actorvip              a symlink to it
#   /lib/systemd/system/actorvip.service   `actorvip manifest systemd --binary /usr/bin/actorvip`
#   /etc/actorvip/actorvip.conf    a commented configuration (a conffile: upgrades keep the admin's edits)
#   /usr/share/doc/actorvip/       copyright, changelog, README.md and reference.conf (every setting)
# and maintainer scripts (deploy/debian/) that add the system user actorvip and stop, clean up and restart
# the service on upgrade and removal. The binary carries no file capabilities: the unit grants CAP_NET_ADMIN
# and CAP_NET_RAW to the service alone (AmbientCapabilities), so the executable gives nothing to another user.
#
#   bash deploy/build-deb.sh [--publish DIR] [--out DIR] [--no-lintian]
#
# Prints the path of the .deb. Runs lintian on it when lintian is installed (bash tools/setup.sh installs it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

publish="" out="" lint=yes
while (($#)); do
  case $1 in
    --publish) [[ $# -ge 2 ]] || die 2 "--publish needs a directory"; publish=$2; shift 2 ;;
    --out) [[ $# -ge 2 ]] || die 2 "--out needs a directory"; out=$2; shift 2 ;;
    --no-lintian) lint=no; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die 2 "unknown argument '$1' (expected --publish DIR, --out DIR or --no-lintian)" ;;
  esac
done

need dpkg-deb dpkg
root=$(repo_root)
out=${out:-$root/artifacts}
mkdir -p "$out" || die 2 "--out $out: cannot create the directory"
started=$SECONDS

work=$(mktemp -d /tmp/actorvip-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [[ -z $publish ]]; then
  publish=$work/publish
  publish_node "$publish"
fi
version=$(check_publish "$publish")

pkg=$work/pkg
install -d -m 0755 "$pkg/DEBIAN" "$pkg/usr/lib/actorvip" "$pkg/usr/bin" "$pkg/lib/systemd/system" \
  "$pkg/etc/actorvip" "$pkg/usr/share/doc/actorvip" "$pkg/usr/share/man/man1" "$pkg/usr/share/lintian/overrides"
# A single-file bundle must not be stripped (its payload follows the ELF image); it is installed as published.
install -m 0755 "$publish/actorvip" "$pkg/usr/lib/actorvip/actorvip"
ln -s ../lib/actorvip/actorvip "$pkg/usr/bin/actorvip"
"$publish/actorvip" manifest systemd --binary /usr/bin/actorvip --config /etc/actorvip/actorvip.conf \
  > "$pkg/lib/systemd/system/actorvip.service"
chmod 0644 "$pkg/lib/systemd/system/actorvip.service"
install -m 0644 "$root/deploy/debian/actorvip.conf" "$pkg/etc/actorvip/actorvip.conf"

# Documentation: dated by the last commit (or now outside git), so two builds of one commit are identical.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
doc=$pkg/usr/share/doc/actorvip
install -m 0644 "$root/deploy/debian/copyright" "$doc/copyright"
install -m 0644 "$root/README.md" "$doc/README.md"
gzip -9n < "$root/hocon/reference.conf" > "$doc/reference.conf.gz"
{
  echo "actorvip ($version) bookworm; urgency=medium"
  echo
  echo "  * Built by deploy/build-deb.sh from the ActorVip repository$(git -C "$root" rev-parse --short HEAD 2>/dev/null | sed 's/^/ at commit /')."
  echo
  echo " -- ActorVip developers <actorvip@example.org>  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$doc/changelog.gz"
gzip -9n < "$doc/README.md" > "$doc/README.md.gz" && rm "$doc/README.md"
chmod 0644 "$doc"/*
gzip -9n < "$root/deploy/debian/actorvip.1" > "$pkg/usr/share/man/man1/actorvip.1.gz"
# The lintian tags that remain, each with why (lintian reads this file from the package).
install -m 0644 "$root/deploy/debian/lintian-overrides" "$pkg/usr/share/lintian/overrides/actorvip"
chmod 0644 "$pkg/usr/share/man/man1/actorvip.1.gz"

for script in postinst prerm postrm; do install -m 0755 "$root/deploy/debian/$script" "$pkg/DEBIAN/$script"; done
echo /etc/actorvip/actorvip.conf > "$pkg/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size/" "$root/deploy/debian/control" > "$pkg/DEBIAN/control"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/conffiles" "$pkg/DEBIAN/md5sums"
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

deb=$out/actorvip_${version}_amd64.deb
# --root-owner-group: every file root:root whoever builds. gzip, not dpkg's default xz: 3.5 s instead of
# 37 s here for a 35 MB instead of a 26 MB package, and every dpkg reads it.
dpkg-deb --root-owner-group -Zgzip -z6 --build "$pkg" "$deb" >/dev/null || die 1 "dpkg-deb failed"
log "built $deb: $(( $(stat -c %s "$deb") / 1000000 )) MB, installs $((size / 1000)) MB, in $((SECONDS - started)) s"

if [[ $lint == yes ]]; then
  if command -v lintian >/dev/null 2>&1; then
    # Errors and warnings fail the build; the overridden tags are explained in deploy/debian/lintian-overrides.
    # lintian refuses to run as root only in its own words ("not recommended"), so that line is dropped.
    lint_status=0
    lintian --fail-on error,warning "$deb" > "$work/lintian.txt" 2>&1 || lint_status=$?
    grep -v '^running with root privileges' "$work/lintian.txt" >&2 || true
    ((lint_status == 0)) || die 1 "lintian found problems in $deb (above)"
    log "lintian: no error or warning (overrides: deploy/debian/lintian-overrides)"
  else
    log "lintian is not installed; not checked (apt-get install lintian)"
  fi
fi
echo "$deb"
