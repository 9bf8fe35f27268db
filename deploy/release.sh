#!/usr/bin/env bash
# guidegen — put a new release of the site in place without ever serving half of it.
#
#   deploy/release.sh [-f CONFIG] [--engine ENGINE] [--from SITE_DIR] [--keep N] [--id ID] TARGET
#
#   TARGET      the site's home on the server, e.g. /srv/guidegen; nginx serves TARGET/current
#               (deploy/nginx/guidegen.conf). Created on the first deploy.
#   -f CONFIG   the site's config to build: mkdocs.yml (default) or an edition,
#               e.g. editions/changzhou.yml (built by `guidegen site`)
#   --engine E  properdocs (default) or zensical (guidegen site --engine)
#   --from DIR  do not build: release an already built site folder (built elsewhere)
#   --keep N    releases to keep, the current one included (default 5)
#   --id ID     the release's name (default: UTC time and the git commit, then -2, -3 …
#               when a release of the same second and commit exists; RELEASE_TIME=YYYYmmddTHHMMSSZ
#               in the environment sets the time part)
#
# How it cannot half-deploy:
#   1. the site is built (or copied) into TARGET/releases/.ID.partial — a name nginx never
#      serves; a failed build or copy removes it and leaves `current` untouched;
#   2. the finished folder is renamed to TARGET/releases/ID (one rename);
#   3. a new symlink TARGET/.current.new -> releases/ID is made (ln -sfn) and renamed over
#      TARGET/current (mv -T: rename(2), atomic). A request sees the old release or the
#      new one, never a mixture; a redeploy never copies into the old folder.
#   4. releases beyond --keep are removed, oldest first, never the current one.
# Rolling back is the same switch to an older folder:
#   ln -sfn releases/OLD_ID TARGET/.current.new && mv -T TARGET/.current.new TARGET/current
set -euo pipefail

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

here="$(cd "$(dirname "$0")/.." && pwd)"
config="mkdocs.yml"
engine="${ENGINE:-properdocs}"
from=""
keep=5
id=""
target=""
while [ $# -gt 0 ]; do
  case "$1" in
    -f) config="$2"; shift 2 ;;
    --engine) engine="$2"; shift 2 ;;
    --from) from="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --id) id="$2"; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "release: unknown option $1" >&2; usage ;;
    *) [ -z "$target" ] || usage; target="$1"; shift ;;
  esac
done
[ -n "$target" ] || usage
case "$keep" in ''|*[!0-9]*|0) echo "release: --keep needs a number ≥ 1" >&2; exit 2 ;; esac

auto=""
if [ -z "$id" ]; then
  commit="$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo nogit)"
  id="${RELEASE_TIME:-$(date -u +%Y%m%dT%H%M%SZ)}-$commit"
  auto=1
fi
case "$id" in */*|.*|'') echo "release: bad release id '$id'" >&2; exit 2 ;; esac

mkdir -p "$target/releases"
target="$(cd "$target" && pwd)"
# Claim the release's name with mkdir (atomic: of two releases racing for one name, one gets
# it). A default id taken already — two releases in the same second of the same commit —
# becomes ID-2, ID-3 …, which sort after it; an id given with --id is never reused.
base="$id"
n=1
until mkdir "$target/releases/$id" 2>/dev/null; do
  if [ -z "$auto" ] || [ "$n" -ge 100 ]; then echo "release: $target/releases/$id exists already" >&2; exit 1; fi
  n=$((n + 1))
  id="$base-$n"
done
final="$target/releases/$id"
partial="$target/releases/.$id.partial"
rm -rf "$partial"
# On failure: the partial build goes, and the claimed (still empty) name is given back.
trap 'rm -rf "$partial"; rmdir "$final" 2>/dev/null || true' EXIT

if [ -n "$from" ]; then
  [ -f "$from/index.html" ] || { echo "release: $from/index.html missing: not a built site" >&2; exit 1; }
  mkdir -p "$partial"
  cp -a "$from/." "$partial/"
else
  # The project's own environment (make serve / make test create it), else the PATH's python3.
  python="${PYTHON:-}"
  if [ -z "$python" ]; then
    if [ -x "$here/.venv/bin/python" ]; then python="$here/.venv/bin/python"; else python=python3; fi
  fi
  (cd "$here" && "$python" -m guidegen.cli site --engine "$engine" --edition "$config" "$partial")
fi

# A release is a whole site: both languages' home pages at least.
for page in index.html en/index.html; do
  [ -f "$partial/$page" ] || { echo "release: the build has no $page; nothing switched" >&2; exit 1; }
done

# rename(2) onto the claimed empty folder: one step
mv -T "$partial" "$final"
trap - EXIT
ln -sfn "releases/$id" "$target/.current.new.$$"
mv -T "$target/.current.new.$$" "$target/current"
echo "release: $target/current -> releases/$id"

# Prune: newest first by name (ids start with the UTC time), keep the current one.
current="$(readlink "$target/current")"
n=0
for dir in $(ls -1 "$target/releases" | grep -v '^\.' | sort -r); do
  n=$((n + 1))
  if [ "$n" -gt "$keep" ] && [ "releases/$dir" != "$current" ]; then
    rm -rf "${target:?}/releases/$dir"
    echo "release: removed old release $dir"
  fi
done
