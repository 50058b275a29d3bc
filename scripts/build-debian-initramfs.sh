#!/usr/bin/env bash
# The initramfs a Debian kernel boots (scripts/fetch-debian-kernel.sh): the
# harness's own initramfs (BASE: init, plans, tests, tools), and a second
# archive after it with the modules the guest tests load from KDIR's module
# tree (MODULE... and what they depend on), uncompressed for busybox's
# modprobe, with their modules.dep.  The kernel unpacks both archives.
# Runs as an ordinary user.
# Usage: build-debian-initramfs.sh BASE KDIR OUTPUT MODULE...
set -euo pipefail
die() { echo "build-debian-initramfs: $*" >&2; exit 1; }
[ $# -ge 4 ] || die "usage: build-debian-initramfs.sh BASE KDIR OUTPUT MODULE..."
base=$1 kdir=$(realpath "$2") output=$3
shift 3
[ -f "$base" ] || die "no base initramfs $base (make initramfs)"
kver=$(ls "$kdir/lib/modules" 2>/dev/null | head -n 1)
[ -n "$kver" ] && [ -f "$kdir/lib/modules/$kver/modules.dep" ] ||
	die "no module tree with modules.dep in $kdir/lib/modules"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mods=$root/lib/modules/$kver
mkdir -p "$mods"

for m in "$@"; do
	deps=$(/sbin/modprobe -d "$kdir" -S "$kver" --show-depends "$m") ||
		die "$m: not a module of $kver"
	for ko in $(awk '$1 == "insmod" { print $2 }' <<<"$deps"); do
		rel=${ko#"$kdir/lib/modules/$kver/"}
		dest=$mods/${rel%.xz}
		mkdir -p "$(dirname "$dest")"
		case $ko in
		*.ko.xz) xz -dc "$ko" >"$dest" ;;
		*.ko.zst) zstd -qdc "$ko" >"$dest" ;;
		*.ko) cp "$ko" "$dest" ;;
		*) die "$ko: unknown module compression" ;;
		esac
	done
done
for f in modules.builtin modules.builtin.modinfo modules.order config; do
	[ ! -f "$kdir/lib/modules/$kver/$f" ] || cp "$kdir/lib/modules/$kver/$f" "$mods/"
done
/sbin/depmod -b "$root" "$kver" || die "depmod of the modules taken failed"

{
	cat "$base"
	(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet -R 0:0) | gzip -1
} >"$output.tmp"
mv "$output.tmp" "$output"
echo "build-debian-initramfs: $output for $kver ($(find "$mods" -name '*.ko' | wc -l) modules: $*)"
