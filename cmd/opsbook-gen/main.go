// Command opsbook-gen writes a realistic operations department of any size
// for benchmarks and tests: records of every kind valid under the default
// policy, their attachments, optionally a git history whose every commit is
// a move its author may make, and the expenses as a ledger journal.
//
//	go run ./cmd/opsbook-gen -n 100000 -seed 1 -out /tmp/dept -commits 10000 -ledger /tmp/dept.ledger
//
// With -from it copies an existing department instead (the shipped sample:
// -from .), its yearly records again and again under new sequence numbers
// up to -n files (-kinds limits the copies to some kinds), with a history
// of comment edits and the counted expenses as a journal:
//
//	go run ./cmd/opsbook-gen -from . -n 100000 -out /tmp/copy -commits 10000 -ledger /tmp/copy.ledger
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/record"
)

func main() {
	var opt gen.Options
	var out, until, from, only string
	flag.IntVar(&opt.Records, "n", 1000, "number of record files")
	flag.Uint64Var(&opt.Seed, "seed", 1, "seed: the same seed gives the same department")
	flag.StringVar(&out, "out", "", "folder to write the department into (empty or new)")
	flag.IntVar(&opt.Commits, "commits", 0, "make a git repository with this many commits (0: none)")
	flag.StringVar(&opt.Ledger, "ledger", "", "also write the expenses as a ledger journal to `FILE`")
	flag.StringVar(&until, "until", gen.DefaultUntil.Format("2006-01-02"), "last day of the generated period")
	flag.StringVar(&from, "from", "", "copy the department at `DIR` (its yearly records, renumbered) instead of generating one")
	flag.StringVar(&only, "kinds", "", "with -from: copy only records of these kinds (comma-separated, e.g. expense)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: opsbook-gen -n N -seed S -out DIR [-commits M] [-ledger FILE] [-until YYYY-MM-DD]\n")
		fmt.Fprintf(os.Stderr, "       opsbook-gen -from DIR -n N -out DIR [-kinds K,...] [-commits M] [-ledger FILE]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	t, err := time.Parse("2006-01-02", until)
	if err != nil {
		fmt.Fprintf(os.Stderr, "opsbook-gen: -until %q: want YYYY-MM-DD\n", until)
		os.Exit(2)
	}
	opt.Until = time.Date(t.Year(), t.Month(), t.Day(), 18, 0, 0, 0, gen.DefaultUntil.Location())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	var st *gen.Stats
	if from != "" {
		ro := gen.ReplicateOptions{From: from, Records: opt.Records, Commits: opt.Commits, Ledger: opt.Ledger}
		for _, k := range strings.Split(only, ",") {
			if k = strings.TrimSpace(k); k == "" {
				continue
			}
			kind, err := record.ParseKind(k)
			if err != nil {
				fmt.Fprintf(os.Stderr, "opsbook-gen: -kinds: %v\n", err)
				os.Exit(2)
			}
			ro.Kinds = append(ro.Kinds, kind)
		}
		st, err = gen.Replicate(ctx, out, ro)
	} else {
		st, err = gen.Generate(ctx, out, opt)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "opsbook-gen: %v\n", err)
		os.Exit(1)
	}
	kinds := make([]string, 0, len(st.Kinds))
	for k := range st.Kinds {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	fmt.Fprintf(os.Stderr, "opsbook-gen: %d records (%.1f MB) in %s:", st.Records, float64(st.Bytes)/1e6, out)
	for _, k := range kinds {
		fmt.Fprintf(os.Stderr, " %s %d", k, st.Kinds[record.Kind(k)])
	}
	fmt.Fprintf(os.Stderr, "; %d attachments", st.Attachments)
	switch {
	case st.Commits > 0 && st.History > 0:
		fmt.Fprintf(os.Stderr, "; %d commits replaying %d records", st.Commits, st.History)
	case st.Commits > 0:
		fmt.Fprintf(os.Stderr, "; %d commits", st.Commits)
	}
	fmt.Fprintf(os.Stderr, "; %.1fs\n", time.Since(start).Seconds())
}
