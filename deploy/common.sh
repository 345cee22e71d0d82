# Shared by deploy/build-image.sh and deploy/build-deb.sh (sourced, not run).

# One line on stderr and an exit code: 2 for bad input, 1 for what the host lacks or refused.
die() { local code=$1; shift; echo "${0##*/}: $*" >&2; exit "$code"; }
log() { echo "${0##*/}: $*" >&2; }

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

need_root() { [[ $(id -u) -eq 0 ]] || die 1 "needs root (run it as root or with sudo)"; }

# need TOOL PACKAGE...: exits 1 naming the Debian package when a tool is missing.
need() {
  local tool=$1 package=$2
  command -v "$tool" >/dev/null 2>&1 || die 1 "$tool is missing (apt-get install $package, or bash tools/setup.sh)"
}

# The Debian mirror that apt on this machine uses for bookworm (deb822 or one-line sources), so that a base
# made here comes from the same place as the host's packages; ACTORVIP_DEBIAN_MIRROR overrides it.
debian_mirror() {
  if [[ -n ${ACTORVIP_DEBIAN_MIRROR:-} ]]; then echo "$ACTORVIP_DEBIAN_MIRROR"; return; fi
  local uri
  uri=$(awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ && u {print u; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [[ -n $uri ]] || uri=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# publish_node DIR: the self-contained single-file build of `actorvip` (what README's install path runs), into DIR.
publish_node() {
  local out=$1 root
  root=$(repo_root)
  need dotnet "the .NET 10 SDK"
  log "publishing actorvip (self-contained, single file) into $out"
  dotnet publish "$root/src/Node/ActorVip.Node.csproj" -c Release -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:DebugType=none -o "$out" -v quiet -nologo >&2 \
    || die 1 "dotnet publish failed"
}

# check_publish DIR: DIR holds a published actorvip; prints its version (e.g. 0.1.0).
check_publish() {
  local dir=$1 version
  [[ -x $dir/actorvip ]] || die 2 "--publish $dir: no executable actorvip in it (expected the output of dotnet publish -r linux-x64 --self-contained -p:PublishSingleFile=true)"
  version=$("$dir/actorvip" version 2>/dev/null | awk '{print $2; exit}')
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die 2 "--publish $dir: actorvip version printed '$version', expected a version like 0.1.0"
  echo "${version%%+*}"
}
