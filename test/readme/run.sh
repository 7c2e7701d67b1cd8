#!/usr/bin/env bash
# Runs every ```sh block of README.md, in order, in one shell, against a
# fresh `cognate serve`, and fails when a command fails. A block preceded by
#   <!-- readme-test: skip (why) -->   is skipped (it needs other software);
#   <!-- readme-test: serve (why) -->  is replaced by starting the server
#                                       in the background, as it says.
# Needs: go, the AWS CLI, jq, curl (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
cleanup() {
  status=$?
  if [ -f "$work/server.pid" ]; then kill "$(cat "$work/server.pid")" 2>/dev/null || true; fi
  if [ $status -ne 0 ] && [ -f "$work/server.log" ]; then echo "--- server log"; cat "$work/server.log"; fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT

if curl -sf http://127.0.0.1:9229/health >/dev/null 2>&1; then
  echo "something already listens on 127.0.0.1:9229; stop it first" >&2
  exit 1
fi

script="$work/readme.sh"
echo 'set -euo pipefail' >"$script"
mark="" inblock=0 skip=0 n=0 block=""
while IFS= read -r line; do
  if [ $inblock -eq 0 ]; then
    case "$line" in
      '<!-- readme-test: '*) mark="$line" ;;
      '```sh')
        inblock=1 skip=0 n=$((n + 1))
        echo "echo '== README block $n'" >>"$script"
        case "$mark" in
          *'readme-test: skip'*)
            skip=1
            printf 'echo %q\n' "   skipped: ${mark#<!-- readme-test: skip }" >>"$script" ;;
          *'readme-test: serve'*)
            skip=1
            cat >>"$script" <<SERVE
echo '   starting the server in the background, as this block says (cognate serve, data in ./.cognate)'
go build -o "$work/cognate" ./cmd/cognate
(cd "$work" && exec ./cognate serve >"$work/server.log" 2>&1) & echo \$! >"$work/server.pid"
for i in \$(seq 1 100); do curl -sf http://127.0.0.1:9229/health >/dev/null && break; sleep 0.1; done
curl -sf http://127.0.0.1:9229/health >/dev/null
SERVE
            ;;
        esac
        mark="" ;;
      '') ;;
      *) mark="" ;;
    esac
  else
    if [ "$line" = '```' ]; then
      inblock=0
      if [ $skip -eq 0 ]; then
        # Show the block, then run it as written (commands may span lines).
        printf "sed 's/^/+ /' <<'README_BLOCK'\n%sREADME_BLOCK\n%s" "$block" "$block" >>"$script"
      fi
      block=""
    elif [ $skip -eq 0 ]; then
      block+="$line"$'\n'
    fi
  fi
done <README.md
[ $n -gt 0 ] || { echo "README.md has no sh blocks" >&2; exit 1; }
bash "$script"
echo "== README: $n shell blocks checked"
