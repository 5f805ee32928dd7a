#!/usr/bin/env bash
# Builds the installable release: a Debian package (.deb) made by the Tauri bundler from the
# release build, with the window AND the command-line tool:
#   /usr/bin/vaultdesk-app                 the window (release, UI embedded: custom-protocol)
#   /usr/bin/vaultdesk                     the CLI (release)
#   /usr/share/applications/vaultdesk.desktop and the icons under /usr/share/icons/hicolor/
# Usage:   bash scripts/package.sh        ->  dist/vaultdesk_VERSION_ARCH.deb (path printed last)
#
# Steps: scripts/setup.sh package (build needs + dpkg-dev), scripts/build-app.sh --release (the
# UI, the app with the UI embedded, the CLI), then `tauri bundle --bundles deb` (the npm
# package @tauri-apps/cli of ui/, no download) with a generated configuration that adds what
# depends on this build: the CLI's path and the Depends line.
#
# Dependencies:
#   Depends     computed by dpkg-shlibdeps from the shared libraries both binaries link
#               (WebKitGTK 4.1, GTK 3, libsoup 3, libdbus-1 for the Secret Service, glibc...),
#               with the minimum versions Debian's symbol files give;
#   Recommends  gnome-keyring (tauri.conf.json): a Secret Service provider is needed to store and
#               read a vault's Role ID and Secret ID, but KDE's KWallet or KeePassXC can be it
#               instead; without any, listing still works and writes fail cleanly (exit 6).
#               apt installs Recommends by default, --no-install-recommends leaves it out.
# vaultdesk talks to the Secret Service over D-Bus itself (the keyring crate), so libsecret is
# not needed at run time; secret-tool (libsecret-tools) only helps to back the entries up.
#
# The version is the workspace's (Cargo.toml [workspace.package] version): the package's, the
# CLI's --version and the window's version badge are the same number.
# Builds into $CARGO_TARGET_DIR when set (else target/); about a minute from a warm release
# target, 15 from scratch on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[package] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
[ $# = 0 ] || { echo "usage: $0" >&2; exit 2; }

bash scripts/setup.sh package
bash scripts/build-app.sh --release

target=${CARGO_TARGET_DIR:-target}
case "$target" in /*) ;; *) target=$root/$target ;; esac
app=$target/release/vaultdesk-app
cli=$target/release/vaultdesk
[ -x "$app" ] && [ -x "$cli" ] || die "the release build left no $app or $cli"

version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)
[ -n "$version" ] || die "no [workspace.package] version in Cargo.toml"
cli_version=$("$cli" --version)
[ "$cli_version" = "vaultdesk $version" ] || die "the CLI says '$cli_version', Cargo.toml says $version"
arch=$(dpkg --print-architecture)

work=$(mktemp -d "${TMPDIR:-/tmp}/vaultdesk-package.XXXXXX")
trap 'rm -rf "$work"' EXIT

# dpkg-shlibdeps wants a debian/control; it reads nothing from it but the package list.
mkdir -p "$work/debian"
printf 'Source: vaultdesk\n\nPackage: vaultdesk\nArchitecture: any\n' >"$work/debian/control"
depends=$(cd "$work" && dpkg-shlibdeps -O "$app" "$cli" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || die "dpkg-shlibdeps found no dependency"
log "Depends: $depends"

# Merged over tauri.conf.json for the bundle only: the binary was built from tauri.conf.json
# alone, so this adds nothing to the app and causes no rebuild.
node -e '
  const [cli, depends] = process.argv.slice(1);
  const deps = depends.split(",").map((d) => d.trim()).filter(Boolean);
  const conf = { bundle: { linux: { deb: { depends: deps, files: { "/usr/bin/vaultdesk": cli } } } } };
  process.stdout.write(JSON.stringify(conf, null, 2));
' "$cli" "$depends" >"$work/package.conf.json"

bundle_dir=$target/release/bundle/deb
rm -f "$bundle_dir"/vaultdesk_*.deb
log "bundling the .deb (tauri bundle --bundles deb)"
(cd "$root/src-tauri" && "$root/ui/node_modules/.bin/tauri" bundle --ci --bundles deb --config "$work/package.conf.json")

deb=$bundle_dir/vaultdesk_${version}_${arch}.deb
[ -f "$deb" ] || die "the bundler made no $deb (made: $(ls "$bundle_dir" 2>/dev/null | tr '\n' ' '))"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || die "the package's version is not $version"
contents=$(dpkg-deb -c "$deb")
for f in usr/bin/vaultdesk-app usr/bin/vaultdesk usr/share/applications/vaultdesk.desktop; do
  grep -Eq " (\./)?$f$" <<<"$contents" || die "the package lacks $f"
done

mkdir -p "$root/dist"
rm -f "$root/dist"/vaultdesk_*.deb
cp "$deb" "$root/dist/"
log "$(dpkg-deb -f "$deb" Package Version Architecture Installed-Size | tr '\n' ' ')"
log "done: install with   sudo apt install $root/dist/$(basename "$deb")"
echo "$root/dist/$(basename "$deb")"
