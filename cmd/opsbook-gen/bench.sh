#!/usr/bin/env bash
# Benchmark opsbook against its yardsticks on a generated department.
#
#   cmd/opsbook-gen/bench.sh [-n RECORDS] [-commits M] [-runs R] [-dir DIR] [-keep]
#                            [-from DEPT [-kinds K,...]]
#
# Builds opsbook and opsbook-gen, generates a department (default 100,000
# records and 10,000 commits, seed 1) with its expenses as a ledger journal,
# then times each opsbook command and its yardstick in the same run and
# prints them side by side with their ratio and the target:
#
#   cat floor   find records -name '*.yaml' -print0 | xargs -0 cat > /dev/null
#   ledger      ledger -f dept.ledger bal --budget   (installed with apt-get
#               when missing and possible; skipped otherwise)
#   ajv-cli     ajv validate over the expenses, where installed
#   git         git log --format=%H -- PATH;  git log -p --format=%H RANGE
#
# With -from, the department is not generated but copied from DEPT (the
# shipped sample: -from .), its yearly records renumbered up to RECORDS
# files (-kinds: copy only these kinds, e.g. expense for 100,000 claims),
# with a history of comment edits (opsbook-gen -from).
#
# Each figure is the median wall time of R runs (default 3), the median CPU
# time (user + system) and the largest peak RSS (GNU time; "-" without it);
# the load average is printed with the table. Commands opsbook does not have yet
# are skipped. Environment: BENCH_N, BENCH_COMMITS, BENCH_RUNS, BENCH_DIR,
# BENCH_SEED, BENCH_FROM, BENCH_KINDS override the defaults; BENCH_KEEP=1 keeps (and reuses) the
# generated department.
set -euo pipefail

N=${BENCH_N:-100000}
COMMITS=${BENCH_COMMITS:-10000}
RUNS=${BENCH_RUNS:-3}
SEED=${BENCH_SEED:-1}
FROM=${BENCH_FROM:-}
KINDS=${BENCH_KINDS:-}
DIR=${BENCH_DIR:-}
KEEP=${BENCH_KEEP:-}
while [ $# -gt 0 ]; do
  case "$1" in
    -n) N=$2; shift 2 ;;
    -commits) COMMITS=$2; shift 2 ;;
    -runs) RUNS=$2; shift 2 ;;
    -dir) DIR=$2; shift 2 ;;
    -seed) SEED=$2; shift 2 ;;
    -keep) KEEP=1; shift ;;
    -from) FROM=$(cd "$2" && pwd); shift 2 ;;
    -kinds) KINDS=$2; shift 2 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/opsbook-bench.XXXXXX")
[ -n "$DIR" ] || DIR="$work/dept"
cleanup() {
  rm -rf "$work/bin" "$work"/*.txt
  if [ -z "$KEEP" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

say() { printf '%s\n' "$*" >&2; }

# ---- tools ----
say "building opsbook and opsbook-gen"
mkdir -p "$work/bin"
(cd "$top" && go build -o "$work/bin/opsbook" ./cmd/opsbook && go build -o "$work/bin/opsbook-gen" ./cmd/opsbook-gen)
OPSBOOK="$work/bin/opsbook"

if ! command -v ledger >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  say "installing ledger (apt-get)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ledger; } >/dev/null 2>&1 || say "could not install ledger: its rows are skipped"
fi

TIME=""
if /usr/bin/time -f '%e %M' true >/dev/null 2>&1; then TIME=/usr/bin/time
elif command -v gtime >/dev/null 2>&1; then TIME=$(command -v gtime)
fi

# ---- data ----
LEDGER="$DIR.ledger"
if [ -f "$DIR/.opsbook.yaml" ] && [ -n "$KEEP" ]; then
  say "reusing $DIR"
else
  rm -rf "$DIR" "$LEDGER"
  say "generating $N records, $COMMITS commits into $DIR"
  gen_args=(-n "$N" -seed "$SEED" -out "$DIR" -ledger "$LEDGER")
  if [ -n "$FROM" ]; then
    gen_args=(-from "$FROM" -n "$N" -out "$DIR" -ledger "$LEDGER")
    [ -n "$KINDS" ] && gen_args+=(-kinds "$KINDS")
  fi
  if [ "$COMMITS" -gt 0 ] && command -v git >/dev/null 2>&1; then gen_args+=(-commits "$COMMITS"); fi
  "$work/bin/opsbook-gen" "${gen_args[@]}"
fi
cd "$DIR"
NOW=2026-11-21  # the day after the generator's default -until

# measure CMD...: runs CMD RUNS times in DIR, output discarded; sets SECS
# (median wall), MB (largest peak RSS, or "-") and STATUS (the last exit
# status).
measure() {
  local walls=() cpus=() mb=0 i
  for ((i = 0; i < RUNS; i++)); do
    STATUS=0
    if [ -n "$TIME" ]; then
      "$TIME" -f '%e %M %U %S' -o "$work/t.txt" "$@" >/dev/null 2>"$work/err.txt" || STATUS=$?
      read -r w k u sy < <(tail -1 "$work/t.txt")
      walls+=("$w"); [ "$k" -gt "$mb" ] && mb=$k
      cpus+=("$(awk -v a="$u" -v b="$sy" 'BEGIN { printf "%.2f", a + b }')")
    else
      local s e
      s=$(date +%s.%N); "$@" >/dev/null 2>"$work/err.txt" || STATUS=$?; e=$(date +%s.%N)
      walls+=("$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", b - a }')")
    fi
  done
  SECS=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  CPU=-
  if [ ${#cpus[@]} -gt 0 ]; then CPU=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'); fi
  if [ -n "$TIME" ]; then MB=$((mb / 1024)); else MB=-; fi
}

have() { "$OPSBOOK" "$1" --help >/dev/null 2>&1; }

rows=()
# row WHAT SECS MB YARDSTICK YSECS TARGET_RATIO TARGET_MB NOTE
row() {
  local what=$1 s=$2 mb=$3 yname=$4 ys=$5 tr=$6 tmb=$7
  local ratio="-" verdict=""
  if [ "$ys" != "-" ] && [ "$s" != "-" ]; then
    ratio=$(awk -v a="$s" -v b="$ys" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  fi
  if [ "$tr" != "-" ] && [ "$ratio" != "-" ]; then
    verdict=$(awk -v r="$ratio" -v t="$tr" 'BEGIN { print (r <= t) ? "met" : "MISSED" }')
  fi
  if [ "$tmb" != "-" ] && [ "$mb" != "-" ] && [ "$mb" -gt "$tmb" ]; then verdict="MISSED (memory)"; fi
  if [ "${STATUS:-0}" != 0 ] && [ "$what" = "${what#ajv}" ]; then verdict="$verdict (exit $STATUS: $(head -c 60 "$work/err.txt" | tr '\n' ' '))"; fi
  local target="-"
  [ "$tr" != "-" ] && target="≤ ${tr}×"
  [ "$tmb" != "-" ] && target="$target, ≤ ${tmb} MB"
  rows+=("$(printf '%-52s %8s %6s %7s   %-28s %8s %7s   %-18s %s' "$what" "$s" "${CPU:--}" "$mb" "$yname" "$ys" "$ratio" "$target" "$verdict")")
}

say "timing (median of $RUNS runs each)"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)
# The yardsticks.
measure sh -c "find records -name '*.yaml' -print0 | xargs -0 cat > /dev/null"; CAT=$SECS
row "cat floor (all record files)" "$CAT" "$MB" "-" "-" - -
LEDGER_S="-"
if command -v ledger >/dev/null 2>&1 && [ -f "$LEDGER" ]; then
  measure ledger -f "$LEDGER" bal --budget; LEDGER_S=$SECS
  row "ledger bal --budget (the expenses)" "$LEDGER_S" "$MB" "-" "-" - -
fi
if command -v ajv >/dev/null 2>&1; then
  # ajv-cli reads YAML with js-yaml, which turns dates into Date objects, so
  # every file fails `type: string` on its date: the figure is still the
  # cost of reading and checking each file (formats are not asserted).
  measure ajv validate --spec=draft2020 --strict=false --errors=no -s "$top/schemas/expense.json" -r "$top/schemas/common.json" -d "records/expenses/*/*.yaml"
  row "ajv validate (the expenses' schema only)" "$SECS" "$MB" "-" "-" - -
fi

# validate: cold (no cache), the run that writes the cache, then warm.
measure "$OPSBOOK" validate --no-cache --now "$NOW"
row "opsbook validate --no-cache (cold)" "$SECS" "$MB" "cat floor" "$CAT" 2.5 300
rm -rf .git/opsbook
RUNS_SAVED=$RUNS; RUNS=1
measure "$OPSBOOK" validate --now "$NOW"
row "opsbook validate (first: writes the cache)" "$SECS" "$MB" "cat floor" "$CAT" - -
RUNS=$RUNS_SAVED
measure "$OPSBOOK" validate --now "$NOW"
row "opsbook validate (warm)" "$SECS" "$MB" "cat floor" "$CAT" 0.5 -

for cmd in "report budget" "list expense --where amount>1000"; do
  set -- $cmd
  if ! have "$1"; then say "skipping opsbook $cmd: no such command yet"; continue; fi
  yname="ledger bal --budget"; ys=$LEDGER_S
  [ "$ys" = "-" ] && yname="(no ledger)"
  if [ "$1" = list ]; then args=(list expense --where 'amount > 1000'); else args=($cmd); fi
  measure "$OPSBOOK" "${args[@]}" --no-cache --now "$NOW"
  row "opsbook ${args[*]} --no-cache" "$SECS" "$MB" "$yname" "$ys" 1.5 -
  measure "$OPSBOOK" "${args[@]}" --now "$NOW"
  row "opsbook ${args[*]} (warm)" "$SECS" "$MB" "cat floor" "$CAT" 0.5 -
done

# rowabs WHAT SECS MB LIMIT_S LIMIT_MB: a command about one record, against
# an absolute target (its time is set by the records it touches, not by the
# department: there is no yardstick to scale by); the cat floor of this run
# is shown beside it for the load of the machine.
rowabs() {
  local what=$1 s=$2 mb=$3 ts=$4 tmb=$5 verdict
  verdict=$(awk -v a="$s" -v t="$ts" 'BEGIN { if (t == "-") print "-"; else print (a <= t) ? "met" : "MISSED" }')
  if [ "$tmb" != "-" ] && [ "$mb" != "-" ] && [ "$mb" -gt "$tmb" ]; then verdict="$verdict, MISSED (memory)"; fi
  if [ "${STATUS:-0}" != 0 ]; then verdict="$verdict (exit $STATUS: $(head -c 60 "$work/err.txt" | tr '\n' ' '))"; fi
  local ratio
  ratio=$(awk -v a="$s" -v b="$CAT" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  local target="≤ ${ts} s"
  [ "$ts" = "-" ] && target="-"
  [ "$tmb" != "-" ] && target="$target, ≤ ${tmb} MB"
  rows+=("$(printf '%-52s %8s %6s %7s   %-28s %8s %7s   %-18s %s' "$what" "$s" "${CPU:--}" "$mb" "cat floor" "$CAT" "$ratio" "$target" "$verdict")")
}

# One record's commands (warm: the index and the cache are written by the
# validate runs above and the first run of each). Like git, they look at
# every record file's stat data to know what changed: `git status` is shown
# as the floor of that.
if [ -d .git ]; then
  git status --porcelain >/dev/null 2>&1 || true
  measure git status --porcelain
  row "git status (stat of every file: the one-record floor)" "$SECS" "$MB" "-" "-" - -
fi
exp=$(find records -path '*/expenses/*' -name '*.yaml' | sort | head -1 || true) # head closes the pipe: not a failure
if [ -n "$exp" ] && have show; then
  expid=$(basename "$exp" .yaml)
  "$OPSBOOK" show "$expid" --now "$NOW" >/dev/null 2>&1 || true
  measure "$OPSBOOK" show "$expid" --now "$NOW"
  rowabs "opsbook show $expid (warm)" "$SECS" "$MB" 0.15 150
  # summary gives its stored answer while nothing it depends on changed
  # (the first run stores it); after a change of a claim or a complaint it
  # is made again from the last full pass (a recount), after a change of
  # a person it makes the full pass.
  "$OPSBOOK" summary --now "$NOW" >/dev/null 2>&1 || true
  measure "$OPSBOOK" summary --now "$NOW"
  rowabs "opsbook summary (warm, stored answer)" "$SECS" "$MB" 0.3 -
  measure sh -c "echo \"# bench \$\$\" >> \"$exp\"; \"$OPSBOOK\" summary --now $NOW >/dev/null; git checkout -q -- \"$exp\" 2>/dev/null || sed -i '\$d' \"$exp\""
  rowabs "opsbook summary (after a claim changed: recount)" "$SECS" "$MB" 0.3 -
  cmp=$(find records -path '*/complaints/*' -name '*.yaml' | sort | head -1 || true)
  if [ -n "$cmp" ]; then
    "$OPSBOOK" summary --now "$NOW" >/dev/null 2>&1 || true
    measure sh -c "echo \"# bench \$\$\" >> \"$cmp\"; \"$OPSBOOK\" summary --now $NOW >/dev/null; git checkout -q -- \"$cmp\" 2>/dev/null || sed -i '\$d' \"$cmp\""
    rowabs "opsbook summary (after a complaint changed: recount)" "$SECS" "$MB" 0.3 -
  fi
  per=$(find records -path '*/people/*' -name '*.yaml' | sort | head -1 || true)
  if [ -n "$per" ]; then
    "$OPSBOOK" summary --now "$NOW" >/dev/null 2>&1 || true
    measure sh -c "echo \"# bench \$\$\" >> \"$per\"; \"$OPSBOOK\" summary --now $NOW >/dev/null; git checkout -q -- \"$per\" 2>/dev/null || sed -i '\$d' \"$per\""
    rowabs "opsbook summary (after a person changed: the full pass)" "$SECS" "$MB" - -
  fi
  # list on indexed fields (from the index) and on a derived one (the
  # kind's records through the cache)
  measure "$OPSBOOK" list expense --where 'amount > 1000' --columns id,status,claimant,amount --now "$NOW"
  rowabs "opsbook list expense --where 'amount > 1000' --columns … (index)" "$SECS" "$MB" 0.3 -
  measure "$OPSBOOK" list expense --where 'receipt_status = missing' --now "$NOW"
  rowabs "opsbook list expense --where 'receipt_status = missing' (cache)" "$SECS" "$MB" - -
  # the director's inbox: every move waiting on them tried against the rules
  dir=$(grep -l '^role: director' records/people/*.yaml | head -1 || true)
  if [ -n "$dir" ] && have inbox; then
    dmail=$(grep -o '[A-Za-z0-9._-]*@[A-Za-z0-9.-]*' "$dir" | head -1)
    env GIT_AUTHOR_EMAIL="$dmail" GIT_COMMITTER_EMAIL="$dmail" "$OPSBOOK" inbox --now "$NOW" >/dev/null 2>&1 || true
    measure env GIT_AUTHOR_EMAIL="$dmail" GIT_COMMITTER_EMAIL="$dmail" "$OPSBOOK" inbox --now "$NOW"
    rowabs "opsbook inbox (the director's, kept)" "$SECS" "$MB" 0.3 -
    measure env GIT_AUTHOR_EMAIL="$dmail" GIT_COMMITTER_EMAIL="$dmail" "$OPSBOOK" inbox --now "$NOW" --no-cache
    rowabs "opsbook inbox (the director's, --no-cache: full pass)" "$SECS" "$MB" - -
    # after a record changed, made again from the last one for what changed
    for what in claim complaint; do
      f=$exp; [ "$what" = complaint ] && f=${cmp:-}
      [ -n "$f" ] || continue
      env GIT_AUTHOR_EMAIL="$dmail" GIT_COMMITTER_EMAIL="$dmail" "$OPSBOOK" inbox --now "$NOW" >/dev/null 2>&1 || true
      measure sh -c "echo \"# bench \$\$\" >> \"$f\"; GIT_AUTHOR_EMAIL=$dmail GIT_COMMITTER_EMAIL=$dmail \"$OPSBOOK\" inbox --now $NOW >/dev/null; git checkout -q -- \"$f\" 2>/dev/null || sed -i '\$d' \"$f\""
      rowabs "opsbook inbox (the director's, after a $what changed)" "$SECS" "$MB" 0.3 -
    done
  fi
  # Writes, left in the work tree (--no-commit) and undone after each run.
  who=$(grep -l '^role: specialist' records/people/*.yaml | head -1 || true)
  who=$(basename "$who" .yaml)
  if [ -n "$who" ]; then
    export GIT_AUTHOR_EMAIL="$who@example.com" GIT_AUTHOR_NAME="$who"
    measure sh -c "\"$OPSBOOK\" new expense --no-commit --set title=taxi --set category=travel --set amount=86.00 --now ${NOW}T10:00:00+08:00 >/dev/null && git clean -qf records"
    rowabs "opsbook new expense --set … (then git clean)" "$SECS" "$MB" 0.15 150
    draft=$(grep -l "^claimant: $who" $(grep -l '^status: draft' records/expenses/*/*.yaml 2>/dev/null) 2>/dev/null | head -1 || true)
    if [ -n "$draft" ]; then
      did=$(basename "$draft" .yaml)
      measure sh -c "\"$OPSBOOK\" set $did note=bench --no-commit --now ${NOW}T10:00:00+08:00 >/dev/null; git checkout -q -- $draft"
      rowabs "opsbook set $did note=… (then git checkout)" "$SECS" "$MB" 0.15 150
      measure sh -c "\"$OPSBOOK\" submit $did --no-commit --now ${NOW}T10:00:00+08:00 >/dev/null; git checkout -q -- $draft"
      rowabs "opsbook submit $did (a move; then git checkout)" "$SECS" "$MB" 0.15 150
    fi
    unset GIT_AUTHOR_EMAIL GIT_AUTHOR_NAME
  fi
fi

if [ -d .git ] && git rev-parse -q --verify HEAD >/dev/null 2>&1; then
  path=$(git log -1 --format= --name-only -- records | head -1)
  id=$(basename "$path" .yaml)
  base=$(git rev-list --max-parents=0 HEAD | tail -1)
  measure git log --format=%H -- "$path"; GLOG=$SECS
  measure git log -p --format=%H "$base..HEAD"; GLOGP=$SECS
  if have history; then
    # First run: no history index yet (it is built by this run); then the
    # runs that find it.
    rm -f .git/opsbook/commits.idx
    RUNS_SAVED=$RUNS; RUNS=1
    measure "$OPSBOOK" history "$id"
    row "opsbook history $id (first: builds the index)" "$SECS" "$MB" "git log --format=%H -- PATH" "$GLOG" 10 -
    RUNS=$RUNS_SAVED
    measure "$OPSBOOK" history "$id"
    row "opsbook history $id (index built)" "$SECS" "$MB" "git log --format=%H -- PATH" "$GLOG" 2 -
  else
    say "skipping opsbook history: no such command yet"
    row "git log --format=%H -- $path" "$GLOG" "$MB" "-" "-" - -
  fi
  if have show && [ -n "${expid:-}" ] && [ -n "$TIME" ]; then
    # The first command after a pull that changed 100 record files: a
    # branch with a comment added to 100 files, checked out after a warm
    # run on the one before it.
    cur=$(git rev-parse HEAD)
    git checkout -q -b bench-pulled
    { find records -name '*.yaml' | sort | awk 'NR % 97 == 1' | head -100 || true; } | while read -r f; do echo "# pulled" >> "$f"; done
    git commit -qam "bench: 100 files changed" --author "bench <bench@example.com>"
    pulled=()
    for ((i = 0; i < RUNS; i++)); do
      git checkout -q "$cur"; "$OPSBOOK" show "$expid" --now "$NOW" >/dev/null 2>&1 || true
      git checkout -q bench-pulled
      if [ -n "$TIME" ]; then
        "$TIME" -f '%e %M %U %S' -o "$work/t.txt" "$OPSBOOK" show "$expid" --now "$NOW" >/dev/null 2>&1 || true
        pulled+=("$(tail -1 "$work/t.txt")")
      fi
    done
    git checkout -q "$cur"; git branch -q -D bench-pulled
    SECS=$(printf '%s\n' "${pulled[@]}" | awk '{print $1}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    MB=$(printf '%s\n' "${pulled[@]}" | awk '{ if ($2 > m) m = $2 } END { printf "%d", m / 1024 }')
    CPU=$(printf '%s\n' "${pulled[@]}" | awk '{ printf "%.2f\n", $3 + $4 }' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    STATUS=0
    rowabs "opsbook show (first after a pull of 100 files)" "$SECS" "$MB" 0.3 -
  fi
  if have verify; then
    measure "$OPSBOOK" verify "$base..HEAD"
    row "opsbook verify IMPORT..HEAD ($((COMMITS - 1)) commits)" "$SECS" "$MB" "git log -p --format=%H" "$GLOGP" 3 -
  else
    say "skipping opsbook verify: no such command yet"
    row "git log -p --format=%H IMPORT..HEAD" "$GLOGP" "$MB" "-" "-" - -
  fi
fi

files=$(find records -name '*.yaml' | wc -l)
bytes=$(find records -name '*.yaml' -print0 | xargs -0 cat | wc -c)
cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
mem=$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo 2>/dev/null || echo "?")
echo
echo "opsbook benchmark: $files record files ($((bytes / 1000000)) MB), $(git rev-list --count HEAD 2>/dev/null || echo 0) commits; $cpus cores, $mem; $(go version | awk '{print $3}'); median of $RUNS runs"
echo "load average before and after: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?) (the machine's other work: wall seconds grow with it, CPU seconds less)"
printf '%-52s %8s %6s %7s   %-28s %8s %7s   %-18s %s\n' "command" "seconds" "cpu s" "MB" "yardstick" "seconds" "ratio" "target" ""
for r in "${rows[@]}"; do echo "$r"; done
