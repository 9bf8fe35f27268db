#!/usr/bin/env bash
# guidegen — put a new release of the site in place without ever serving half of it.
#
#   deploy/release.sh [-f CONFIG] [--from SITE_DIR] [--keep N] [--id ID] TARGET
#
#   TARGET      the site's home on the server, e.g. /srv/guidegen; nginx serves TARGET/current
#               (deploy/nginx/guidegen.conf). Created on the first deploy.
#   -f CONFIG   the MkDocs config to build: mkdocs.yml (default) or an edition,
#               e.g. editions/changzhou.yml
#   --from DIR  do not build: release an already built site folder (built elsewhere)
#   --keep N    releases to keep, the current one included (default 5)
#   --id ID     the release's name (default: UTC time and the git commit)
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

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

here="$(cd "$(dirname "$0")/.." && pwd)"
config="mkdocs.yml"
from=""
keep=5
id=""
target=""
while [ $# -gt 0 ]; do
  case "$1" in
    -f) config="$2"; shift 2 ;;
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

if [ -z "$id" ]; then
  commit="$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo nogit)"
  id="$(date -u +%Y%m%dT%H%M%SZ)-$commit"
fi
case "$id" in */*|.*|'') echo "release: bad release id '$id'" >&2; exit 2 ;; esac

mkdir -p "$target/releases"
target="$(cd "$target" && pwd)"
final="$target/releases/$id"
partial="$target/releases/.$id.partial"
[ ! -e "$final" ] || { echo "release: $final exists already" >&2; exit 1; }
rm -rf "$partial"
trap 'rm -rf "$partial"' EXIT

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
  (cd "$here" && NO_MKDOCS_2_WARNING=1 "$python" -m mkdocs build --strict -q -f "$config" -d "$partial")
fi

# A release is a whole site: both languages' home pages at least.
for page in index.html en/index.html; do
  [ -f "$partial/$page" ] || { echo "release: the build has no $page; nothing switched" >&2; exit 1; }
done

mv -T "$partial" "$final"
trap - EXIT
ln -sfn "releases/$id" "$target/.current.new"
mv -T "$target/.current.new" "$target/current"
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
