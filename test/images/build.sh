#!/usr/bin/env bash
# Builds the offline base image the tests point Procdock's node builds at: this machine's own
# node (or the one NODE names), npm, sh and env with the libraries ldd lists, imported as an image
# (no registry needed).
set -euo pipefail
tag=${1:-procdock-test/node:20}
if docker image inspect "$tag" >/dev/null 2>&1 && [ "${REBUILD:-}" != 1 ]; then
  echo "$tag already built"
  exit 0
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

copy() {
  for file in "$@"; do
    mkdir -p "$root$(dirname "$file")"
    cp -L "$file" "$root$file"
  done
}

node=$(readlink -f "${NODE:-$(command -v node)}")
bins=("$node" /bin/sh /usr/bin/env)
copy /bin/sh /usr/bin/env
cp -L "$node" "$root/usr/bin/node"
for lib in $(ldd "${bins[@]}" | grep -v ':$' | grep -o '/[^ )]*' | sort -u); do copy "$lib"; done

npm_dir=$(npm root -g)/npm
mkdir -p "$root/usr/lib/node_modules"
cp -r "$npm_dir" "$root/usr/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"

mkdir -p "$root/etc/ssl/certs" "$root/tmp" "$root/root" "$root/app"
chmod 1777 "$root/tmp"
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/tmp:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\napp:x:1000:\n' >"$root/etc/group"

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'WORKDIR /app' \
  - "$tag" >/dev/null
echo "built $tag"
