#!/usr/bin/env bash
# The README's first two commands must work on a fresh Debian 12 that has no `make`
# (issue 12, item 0), and CI must run exactly the README's test command.
#   readme_commands_test.sh SOURCE_DIR
# Checks, failing with one line per problem:
#   - the README opens with a ```sh block whose first two command lines are
#     `bash scripts/<name>.sh` (nothing but bash), and those scripts exist in the tree;
#   - neither script, nor any script they run (bash scripts/*.sh, followed), calls make;
#   - .ci/run runs the README's second command (the test command), and no make;
#   - each command runs with --help under `env -i` with a PATH that has no make, exit 0.
set -euo pipefail
src="${1:?usage: readme_commands_test.sh SOURCE_DIR}"
cd "$src"
problems=0
problem() { echo "readme_commands_test: $*" >&2; problems=$((problems + 1)); }

[ -f README.md ] || { echo "readme_commands_test: no README.md in $src" >&2; exit 1; }
# The first fenced block, its first two lines that are not blank or comments.
mapfile -t commands < <(awk '/^```/ { if (inside) exit; inside = 1; next }
                             inside && $0 !~ /^[[:space:]]*(#|$)/ { print }' README.md |
                        sed -e 's/[[:space:]]*#.*$//' -e 's/[[:space:]]*$//' | head -n 2)
if [ "${#commands[@]}" -ne 2 ]; then
  echo "readme_commands_test: README.md does not open with a code block of two commands" >&2
  exit 1
fi

# Prints the non-comment lines of a shell script (comments and heredoc text of usage
# messages may mention make; commands may not).
code_of() { sed -e 's/^[[:space:]]*#.*$//' -e 's/[[:space:]]#.*$//' "$1"; }
# make in command position: at the start of a line or after ; & | ( `, maybe behind sudo,
# exec, env, command, time or nice.
calls_make() {
  code_of "$1" | grep -Eq \
    '(^|[;&|(`])[[:space:]]*((sudo|exec|env|command|time|nice)[[:space:]]+)*g?make([[:space:]]|$|;|\))'
}

declare -A seen=()
check_script() {  # follows bash scripts/X.sh calls
  local script="$1"
  [ -n "${seen[$script]:-}" ] && return 0
  seen[$script]=1
  if [ ! -f "$script" ]; then problem "$script (named by README.md or a script it runs) does not exist"; return 0; fi
  bash -n "$script" || problem "$script is not valid bash"
  if calls_make "$script"; then problem "$script calls make, which a fresh Debian 12 lacks"; fi
  local next
  for next in $(code_of "$script" | grep -Eo 'bash[[:space:]]+scripts/[A-Za-z0-9_.-]+\.sh' |
                awk '{ print $2 }' | sort -u); do
    check_script "$next"
  done
}

for command in "${commands[@]}"; do
  read -r -a words <<<"$command"
  if [ "${words[0]}" != "bash" ] || [ "${#words[@]}" -ne 2 ] ||
     [[ "${words[1]}" != scripts/*.sh ]]; then
    problem "README command '$command' is not 'bash scripts/NAME.sh' (it must need nothing but bash)"
    continue
  fi
  check_script "${words[1]}"
done

# CI runs exactly the README's test command (the second one).
if [ ! -f .ci/run ]; then
  problem ".ci/run is missing"
else
  code_of .ci/run | grep -Fxq -- "${commands[1]}" ||
    problem ".ci/run does not run the README's test command '${commands[1]}' on a line of its own"
  if calls_make .ci/run; then problem ".ci/run calls make"; fi
fi

# Run both in --help mode with a PATH that has everything but make.
bare="$(mktemp -d)"
trap 'rm -rf "$bare"' EXIT
mkdir "$bare/bin"
for dir in /usr/local/bin /usr/bin /bin; do  # the first of a name wins, as in PATH
  [ -d "$dir" ] && { ln -s "$dir"/* "$bare/bin/" 2>/dev/null || true; }
done
rm -f "$bare/bin/make" "$bare/bin/gmake" "$bare/bin"/*-make
if env -i PATH="$bare/bin" bash -c 'command -v make' >/dev/null 2>&1; then
  problem "could not build a PATH without make"
fi
for command in "${commands[@]}"; do
  read -r -a words <<<"$command"
  [ -f "${words[1]:-}" ] || continue
  if ! out="$(env -i HOME="$bare" PATH="$bare/bin" "${words[@]}" --help 2>&1)"; then
    problem "'$command --help' fails without make: ${out##*$'\n'}"
  elif ! grep -q "Usage: $command" <<<"$out"; then
    problem "'$command --help' prints no 'Usage: $command' line"
  fi
done

if [ "$problems" -ne 0 ]; then
  echo "readme_commands_test: $problems problem(s)" >&2
  exit 1
fi
echo "readme_commands_test: '${commands[0]}' and '${commands[1]}' need only bash; .ci/run runs the latter"
