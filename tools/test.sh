#!/usr/bin/env bash
# Runs every test of ActorVip: unit, actor, simulation, network-namespace and kernel-VM tests.
# Needs root (namespaces, raw sockets, nftables); installs its prerequisites first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
if [[ -f tests/vm/prepare.sh ]]; then bash tests/vm/prepare.sh; fi

log=$(mktemp)
artifacts=$(mktemp -d)
trap 'rm -rf "$log" "$artifacts"' EXIT
status=0
dotnet build ActorVip.sln -c Release -warnaserror 2>&1 | tail -3
# Layout and usings as .editorconfig says; a difference fails the run (fix it with `dotnet format ActorVip.sln`).
if ! dotnet format ActorVip.sln --verify-no-changes --no-restore; then
  echo "test: dotnet format found files to reformat; run: dotnet format ActorVip.sln" >&2
  status=1
fi
# What the deploy tests run (tests/ActorVip.Kernel.Tests/Deploy): the container image and the Debian package,
# both from one publish, and the image in which systemd runs the package. The Debian bases are kept in
# podman's store between runs (about 45 s the first time, a few seconds after).
bash deploy/publish.sh "$artifacts/publish" >/dev/null
ACTORVIP_TEST_IMAGE=$(bash deploy/build-image.sh --publish "$artifacts/publish")
ACTORVIP_TEST_DEB=$(bash deploy/build-deb.sh --publish "$artifacts/publish" --out "$artifacts")
export ACTORVIP_TEST_IMAGE ACTORVIP_TEST_DEB
bash tests/systemd/prepare.sh >/dev/null
# One test assembly at a time: the simulations and the VM are timing-sensitive on a 2-core machine.
# A fixed seed keeps the random fault schedule of the simulation tests the same from run to run;
# `actorvip-lab simulate --scenario random --seed S` explores others.
export ACTORVIP_SIM_SEED=${ACTORVIP_SIM_SEED:-20261127}
for project in tests/ActorVip.Tests tests/ActorVip.Kernel.Tests; do
  dotnet test "$project" -c Release --no-build 2>&1 | tee -a "$log" || status=1
done

# A plain closing line, summed over the assemblies.
sum() { grep -oE "$1: +[0-9]+" "$log" | awk '{s += $2} END {print s + 0}'; }
echo "$(sum Passed) passed, $(sum Failed) failed, $(sum Skipped) skipped"
exit $status
