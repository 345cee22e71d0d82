#!/usr/bin/env bash
# Publishes the self-contained single-file actorvip into DIR (what the image, the package and README's
# from-source install use): dotnet publish src/Node -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true
#   bash deploy/publish.sh DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ $# -eq 1 && -n $1 ]] || die 2 "usage: bash deploy/publish.sh DIR"
publish_node "$1"
check_publish "$1" >/dev/null
echo "$1"
