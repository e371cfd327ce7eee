#!/usr/bin/env bash
# Make sure dockerd runs and the base image gs-base:bookworm exists, from Debian's packages only
# (docker.io, debootstrap). The image is a minimal Debian bookworm root filesystem; Python comes
# from the host, mounted read-only where Gradescope's conda environment would be. Needs root.
set -euo pipefail
if ! command -v dockerd > /dev/null || ! command -v debootstrap > /dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap > /dev/null
fi
if ! docker info > /dev/null 2>&1; then
  (nohup dockerd > /tmp/dockerd.log 2>&1 &)
  for _ in $(seq 60); do docker info > /dev/null 2>&1 && break; sleep 1; done
fi
if ! docker image inspect gs-base:bookworm > /dev/null 2>&1; then
  root=$(mktemp -d /tmp/gs-rootfs.XXXXXX)
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian > /tmp/debootstrap.log 2>&1
  tar -C "$root" -c . | docker import - gs-base:bookworm > /dev/null
  rm -rf "$root"
fi
