#!/usr/bin/env bash
# How opsbook's commands grow with the department: copies of the shipped
# sample at several sizes, the same commands at each, one table.
#
#   cmd/opsbook-gen/growth.sh [-sizes 1000,10000,100000,300000] [-runs R]
#                             [-commits M] [-dir DIR] [-keep] [-skip REGEX]
#                             [-monitor]
#
# Each department is the sample copied up to N record files (opsbook-gen
# -from . -n N -commits M; 100 commits below 10,000 records). Each figure
# is the median of R runs (default 3) of CPU seconds (user + system) and
# the largest peak RSS in MB (GNU time), warm: every command runs once
# before it is measured. Writes are made with --no-commit and undone after
# each run (the undoing, a git checkout or clean, is not timed), and one
# committed (undone by moving the branch back). The cat of every record file and `git status` (a stat of every
# file) are the floors beside them. With -keep the departments stay in DIR
# (default a temporary folder) and are reused by the next run. -skip leaves
# out the inbox rows whose name matches REGEX (say "director's" at 300,000
# records, where making that inbox takes many minutes); they read "not run".
set -euo pipefail

SIZES=1000,10000,100000,300000
RUNS=3
COMMITS=2000
DIR=""
KEEP=""
SKIP=""
MONITOR=""
while [ $# -gt 0 ]; do
  case "$1" in
    -sizes) SIZES=$2; shift 2 ;;
    -runs) RUNS=$2; shift 2 ;;
    -commits) COMMITS=$2; shift 2 ;;
    -dir) DIR=$2; shift 2 ;;
    -keep) KEEP=1; shift ;;
    -skip) SKIP=$2; shift 2 ;;
    -monitor) MONITOR=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "growth.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/opsbook-growth.XXXXXX")
[ -n "$DIR" ] || DIR="$work"
trap 'rm -rf "$work/bin"; [ -n "$KEEP" ] || rm -rf "$work"' EXIT
say() { printf '%s\n' "$*" >&2; }

/usr/bin/time -f '%e' true >/dev/null 2>&1 || { say "growth.sh needs GNU time (/usr/bin/time)"; exit 2; }
say "building opsbook and opsbook-gen"
mkdir -p "$work/bin"
(cd "$top" && go build -o "$work/bin/opsbook" ./cmd/opsbook && go build -o "$work/bin/opsbook-gen" ./cmd/opsbook-gen)
OPSBOOK="$work/bin/opsbook"
NOW=2026-11-26T15:00:00+08:00

# skipped NAME: whether -skip leaves the row NAME out (its CELL then
# reads "not run").
skipped() {
  [ -n "$SKIP" ] && [[ "$1" =~ $SKIP ]]
}

# row NAME CMD...: CMD measured into the row NAME (see measure), unless
# skipped.
row() {
  local n=$1
  shift
  if skipped "$n"; then CELL="not run"; else measure "$@"; fi
  cell "$n"
}

# measure CMD...: R runs in the current folder; sets CELL to "CPU s / MB".
measure() {
  local out=()
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -f '%U %S %M' -o "$work/t.txt" "$@" >/dev/null 2>"$work/err.txt" || true
    out+=("$(tail -1 "$work/t.txt")")
  done
  local cpu mb
  cpu=$(printf '%s\n' "${out[@]}" | awk '{ printf "%.2f\n", $1 + $2 }' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mb=$(printf '%s\n' "${out[@]}" | awk '{ if ($3 > m) m = $3 } END { printf "%d", m / 1024 }')
  CELL="$cpu / $mb"
}

# measure_undo UNDO CMD...: CMD timed alone, the shell command UNDO (which
# takes back CMD's change) run after each run, outside the timing.
measure_undo() {
  local out=() undo=$1
  shift
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -f '%U %S %M' -o "$work/t.txt" "$@" >/dev/null 2>"$work/err.txt" || true
    out+=("$(tail -1 "$work/t.txt")")
    sh -c "$undo"
  done
  local cpu mb
  cpu=$(printf '%s\n' "${out[@]}" | awk '{ printf "%.2f\n", $1 + $2 }' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mb=$(printf '%s\n' "${out[@]}" | awk '{ if ($3 > m) m = $3 } END { printf "%d", m / 1024 }')
  CELL="$cpu / $mb"
}

declare -A cells
names=()
cell() { # NAME: store CELL under NAME for the current size
  local n=$1
  if [[ ! " ${names[*]} " == *" $n "* ]]; then names+=("$n"); fi
  cells["$n|$size"]=$CELL
}

# inbox_rows HANDLE WHOSE SUFFIX: HANDLE's inbox given again (kept) and
# made after a change (a comment line added to a claim; a claim
# submitted), in the current department; as HANDLE from then on.
inbox_rows() {
  export GIT_AUTHOR_EMAIL="$1@example.com" GIT_AUTHOR_NAME="$1"
  if skipped "inbox ($2"; then
    CELL="not run"; cell "inbox ($2, kept answer)$3"; cell "inbox ($2, after a comment line)$3"
    cell "inbox ($2, after a claim submitted)$3"
    return
  fi
  "$OPSBOOK" inbox --now "$NOW" >/dev/null 2>&1 || true
  measure "$OPSBOOK" inbox --now "$NOW"
  cell "inbox ($2, kept answer)$3"
  measure sh -c "echo \"# growth \$\$\" >> \"$exp\"; \"$OPSBOOK\" inbox --now $NOW; git checkout -q -- \"$exp\""
  cell "inbox ($2, after a comment line)$3"
  measure sh -c "sed -i 's/^status: draft/status: submitted/' \"$draft\"; \"$OPSBOOK\" inbox --now $NOW; git checkout -q -- \"$draft\""
  cell "inbox ($2, after a claim submitted)$3"
}

# after_change_rows SUFFIX: the kept answers made again after a change: a
# comment line added to a claim (no field changed), a claim submitted (its
# state, which its budget line and its split-claim group read).
after_change_rows() {
  if skipped "summary (after a comment line)$1"; then CELL="not run"; cell "summary (after a comment line)$1"; cell "summary (after a claim submitted)$1"; else
    "$OPSBOOK" summary --now "$NOW" >/dev/null 2>&1 || true
    measure sh -c "echo \"# growth \$\$\" >> \"$exp\"; \"$OPSBOOK\" summary --now $NOW; git checkout -q -- \"$exp\""
    cell "summary (after a comment line)$1"
    measure sh -c "sed -i 's/^status: draft/status: submitted/' \"$draft\"; \"$OPSBOOK\" summary --now $NOW; git checkout -q -- \"$draft\""
    cell "summary (after a claim submitted)$1"
  fi
  inbox_rows wang.fang "the director's" "$1"
  inbox_rows "$who" "a specialist's" "$1"
}

IFS=, read -r -a sizes <<<"$SIZES"
for size in "${sizes[@]}"; do
  d="$DIR/sample-$size"
  c=$COMMITS
  [ "$size" -lt 10000 ] && c=100
  if [ -n "$KEEP" ] && [ -f "$d/.opsbook.yaml" ]; then
    say "reusing $d"
  else
    rm -rf "$d"
    say "copying the sample to $size records, $c commits: $d"
    "$work/bin/opsbook-gen" -from "$top" -n "$size" -out "$d" -commits "$c" >/dev/null
  fi
  cd "$d"
  git config user.name bench >/dev/null; git config user.email bench@example.com
  row "cat of every record file" sh -c "find records -name '*.yaml' -print0 | xargs -0 cat"
  row "git status" git status --porcelain
  row "validate --no-cache" "$OPSBOOK" validate --no-cache --now "$NOW"
  "$OPSBOOK" validate --now "$NOW" >/dev/null 2>&1 || true
  row "validate (warm)" "$OPSBOOK" validate --now "$NOW"
  exp=$(find records -path '*/expenses/*' -name '*.yaml' | sort | head -1 || true)
  expid=$(basename "$exp" .yaml)
  pulled=$(find records -path '*/expenses/*' -name '*.yaml' | sort | tail -100 | tr '\n' ' ')
  who=li.wei
  draft=$(grep -rl --include='*.yaml' '^status: draft' records/expenses | xargs grep -l "^claimant: $who" | sort | head -1 || true)
  did=$(basename "$draft" .yaml)
  # one_record_rows SUFFIX: the rows of the commands about one record
  one_record_rows() {
    "$OPSBOOK" show "$expid" --now "$NOW" >/dev/null 2>&1 || true
    row "show EXP (one claim)$1" "$OPSBOOK" show "$expid" --now "$NOW"
    row "show EXP after 100 files changed (a pull)$1" sh -c "for f in $pulled; do echo '# pulled' >> \$f; done; \"$OPSBOOK\" show $expid --now $NOW; git checkout -q -- $pulled"
    "$OPSBOOK" summary --now "$NOW" >/dev/null 2>&1 || true
    row "summary (stored answer)$1" "$OPSBOOK" summary --now "$NOW"
    "$OPSBOOK" list expense --where 'amount > 1000' --columns id,status,claimant,amount --now "$NOW" >/dev/null 2>&1 || true
    row "list expense --where 'amount > 1000'$1" "$OPSBOOK" list expense --where 'amount > 1000' --columns id,status,claimant,amount --now "$NOW"
    export GIT_AUTHOR_EMAIL="$who@example.com" GIT_AUTHOR_NAME="$who"
    "$OPSBOOK" set "$did" note=warm --no-commit --now "$NOW" >/dev/null 2>&1 || true; git checkout -q -- "$draft"
    measure_undo "git clean -qf records" "$OPSBOOK" new expense --no-commit --set title=taxi --set category=travel --set amount=86.00 --now "$NOW"
    cell "new expense --set …$1"
    measure_undo "git checkout -q -- $draft" "$OPSBOOK" set "$did" note=growth --no-commit --now "$NOW"
    cell "set ID note=…$1"
    measure_undo "git checkout -q -- $draft" "$OPSBOOK" submit "$did" --no-commit --now "$NOW"
    cell "submit ID (a move)$1"
    # what a user runs: the write committed (undone by moving the branch
    # back, outside the timing)
    local head
    head=$(git rev-parse HEAD)
    measure_undo "git reset -q --hard $head" "$OPSBOOK" set "$did" note=growth --now "$NOW"
    cell "set ID note=… (committed)$1"
    unset GIT_AUTHOR_EMAIL GIT_AUTHOR_NAME
  }
  one_record_rows ""
  after_change_rows ""
  if [ -n "$MONITOR" ]; then
    "$OPSBOOK" monitor start >/dev/null
    one_record_rows " (monitor)"
    after_change_rows " (monitor)"
    "$OPSBOOK" monitor stop >/dev/null
  fi
  unset GIT_AUTHOR_EMAIL GIT_AUTHOR_NAME
  cd - >/dev/null
done

printf '| command (CPU s / peak MB) |'
for size in "${sizes[@]}"; do printf ' %s |' "$(printf "%'d" "$size")"; done
printf '\n| --- |'
for size in "${sizes[@]}"; do printf ' ---: |'; done
printf '\n'
for n in "${names[@]}"; do
  printf '| %s |' "$n"
  for size in "${sizes[@]}"; do printf ' %s |' "${cells["$n|$size"]:--}"; done
  printf '\n'
done
printf '\n%s, %s, load average %s\n' "$(uname -sm)" "$(nproc) cores" "$(cut -d' ' -f1-3 /proc/loadavg)"
