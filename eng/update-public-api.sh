#!/usr/bin/env bash
# Regenerates the PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt files of every library in src/ from the code, so that
# the public API analyzers (RS0016 a public symbol not listed, RS0017 a listed symbol that is gone) pass again.
#   bash eng/update-public-api.sh                    # every library in src/
#   bash eng/update-public-api.sh DataWeaver.Kafka   # only the named projects
# What it does, per library: creates the two files when missing (with '#nullable enable'), empties Unshipped.txt, and
# lets the analyzers' own code fix (dotnet format, RS0016) list every public symbol that Shipped.txt does not already
# list. Review the diff: every line added or removed is a change of the public API. See docs/contributing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

projects=()
if [ "$#" -gt 0 ]; then
  for name in "$@"; do projects+=("src/$name/$name.csproj"); done
else
  for csproj in src/*/*.csproj; do
    # The CLI is an application (OutputType Exe): no public API to track.
    if grep -q '<OutputType>Exe</OutputType>' "$csproj"; then continue; fi
    projects+=("$csproj")
  done
fi

for csproj in "${projects[@]}"; do
  dir=$(dirname "$csproj")
  [ -f "$dir/PublicAPI.Shipped.txt" ] || printf '#nullable enable\n' >"$dir/PublicAPI.Shipped.txt"
  printf '#nullable enable\n' >"$dir/PublicAPI.Unshipped.txt"
done

for csproj in "${projects[@]}"; do
  dir=$(dirname "$csproj")
  echo "update-public-api: $dir"
  # RS0016's code fix adds what is missing to PublicAPI.Unshipped.txt; --severity info reaches the analyzer however
  # it is configured. A project's references are restored and built as needed by dotnet format's workspace.
  dotnet format analyzers "$csproj" --diagnostics RS0016 --severity info --verbosity quiet || true
  # One symbol a line, sorted, '#nullable enable' first: a stable file, a readable diff.
  { printf '#nullable enable\n'; { grep -v -e '^#nullable enable$' -e '^$' "$dir/PublicAPI.Unshipped.txt" || true; } | LC_ALL=C sort -u; } >"$dir/PublicAPI.Unshipped.txt.tmp"
  mv "$dir/PublicAPI.Unshipped.txt.tmp" "$dir/PublicAPI.Unshipped.txt"
  echo "  $(($(wc -l <"$dir/PublicAPI.Unshipped.txt") - 1)) unshipped symbols"
done
