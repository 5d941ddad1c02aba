#!/usr/bin/env bash
# Builds an offline base image for code_exec_python, _ruby or _go from Debian's packages installed
# on this machine (apt-get install python3 ruby golang-go): every file of the language's package
# and of what it depends on, plus sh and coreutils, imported as an image (no registry needed).
#   test/images/build-lang.sh python|ruby|go [TAG]
set -euo pipefail
lang=${1:?usage: build-lang.sh python|ruby|go [TAG]}
case "$lang" in
  python) package=python3 default_tag=procdock-test/python:3 ;;
  ruby) package=ruby default_tag=procdock-test/ruby:3 ;;
  go) package=golang-go default_tag=procdock-test/go:1 ;;
  *) echo "build-lang.sh: unknown language $lang (python, ruby or go)" >&2; exit 2 ;;
esac
tag=${2:-$default_tag}
if docker image inspect "$tag" >/dev/null 2>&1 && [ "${REBUILD:-}" != 1 ]; then
  echo "$tag already built"
  exit 0
fi
dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || {
  echo "build-lang.sh: Debian's $package is not installed: apt-get install $package" >&2
  exit 1
}

root=$(mktemp -d)
list=$(mktemp)
trap 'rm -rf "$root" "$list"' EXIT

# The package, its dependencies (installed ones: this machine's files are what gets copied), and dash for sh.
packages=$(apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts --no-breaks \
  --no-replaces --no-enhances "$package" dash coreutils | grep -v '^[ <]' | sort -u)
# Merged /usr as on Debian 12: a package's /lib/x.so lands in /usr/lib/x.so.
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib" "$root/usr/lib64"
for dir in bin sbin lib lib64; do ln -s "usr/$dir" "$root/$dir"; done
for pkg in $packages; do
  dpkg -L "$pkg" 2>/dev/null | while IFS= read -r file; do
    case "$file" in /. | /bin | /sbin | /lib | /lib64 | /lib32 | /libx32) continue ;; esac
    # Real folders come with their files; symlinks (to folders too) are kept as they are.
    if [ -L "$file" ] || { [ -e "$file" ] && [ ! -d "$file" ]; }; then printf '%s\n' "${file#/}"; fi
  done
done | sort -u >"$list"
tar -C / --no-recursion -cf - -T "$list" | tar -C "$root" --keep-directory-symlink -xf -
[ -e "$root/bin/sh" ] || ln -s dash "$root/usr/bin/sh"

mkdir -p "$root/etc" "$root/tmp" "$root/root" "$root/app"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/tmp:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\napp:x:1000:\n' >"$root/etc/group"

changes=(--change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' --change 'WORKDIR /app')
[ "$lang" = go ] && changes+=(--change 'ENV CGO_ENABLED=0')
tar -C "$root" -c . | docker import "${changes[@]}" - "$tag" >/dev/null
echo "built $tag"
