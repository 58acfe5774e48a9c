package gen

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/opsbook/opsbook/pkg/record"
)

// Policy is the .opsbook.yaml written with a generated department: the
// defaults, written out.
const Policy = `# opsbook policy of a generated department (opsbook-gen): the defaults of
# opsbook, written out.
records: records
currency: CNY
approval_limits:
  manager: 5000.00
  director: 50000.00
receipt_required_above: 500.00
categories:
  expense: [personnel, marketing, office, travel, training, other]
  complaint: [product, service, billing, delivery, staff, other]
check_interval_days: 14
`

// Generate writes a department into dir (created if needed; it must not
// already hold records).
func Generate(ctx context.Context, dir string, opt Options) (*Stats, error) {
	g, err := newGen(opt)
	if err != nil {
		return nil, err
	}
	if err := g.build(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "records")); err == nil {
		return nil, fmt.Errorf("%s already holds records/: generate into an empty folder", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	st, err := g.write(ctx, dir)
	if err != nil {
		return nil, err
	}
	if opt.Ledger != "" {
		if err := g.writeLedger(opt.Ledger); err != nil {
			return nil, fmt.Errorf("writing the ledger journal: %w", err)
		}
	}
	if opt.Commits > 0 {
		n, h, err := g.history(ctx, dir, opt.Commits)
		if err != nil {
			return nil, fmt.Errorf("making the git history: %w", err)
		}
		st.Commits, st.History = n, h
	}
	return st, nil
}

// write writes every record and attachment, on all cores.
func (g *gen) write(ctx context.Context, dir string) (*Stats, error) {
	recs := g.all()
	st := &Stats{Kinds: map[record.Kind]int{}, Records: len(recs)}
	dirs := map[string]bool{}
	for _, r := range recs {
		st.Kinds[r.kind]++
		dirs[filepath.Dir(r.path())] = true
		for _, f := range r.files {
			dirs[filepath.Dir(f.path)] = true
			st.Attachments++
		}
	}
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, d := range names {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ".opsbook.yaml"), []byte(Policy), 0o644); err != nil {
		return nil, err
	}
	var bytes atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan *rec)
	// Creating files waits on the file system more than on the CPU.
	for w := 0; w < max(8, runtime.GOMAXPROCS(0)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				data := r.doc.render(r.final(), r.status())
				bytes.Add(int64(len(data)))
				err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(r.path())), data, 0o644)
				for _, f := range r.files {
					if err == nil {
						err = os.WriteFile(filepath.Join(dir, filepath.FromSlash(f.path)), f.data, 0o644)
					}
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, r := range recs {
		if ctx.Err() != nil {
			break
		}
		next <- r
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st.Bytes = bytes.Load()
	return st, nil
}

// writeLedger writes the expenses as a ledger journal: a periodic budget
// per year (from the budgets' lines and amendments) and one transaction per
// claim. Claims that spend budget (approved, paid) post to
// Expenses:CATEGORY, cleared when paid; the others to Claims:STATE:CATEGORY.
// `ledger -f FILE bal --budget` is the yardstick for `opsbook report budget`.
func (g *gen) writeLedger(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintf(w, "; The expenses of a generated opsbook department (opsbook-gen), as a ledger journal.\n; ledger -f %s bal --budget\n\n", filepath.Base(path))
	for _, b := range g.budgets {
		year := record.IDYear(b.id)
		fmt.Fprintf(w, "~ yearly from %s/01/01 to %d/01/01\n", year, atoi(year)+1)
		totals := map[string]cents{}
		text := string(b.doc.render(b.final(), b.status()))
		for _, c := range expenseCategories {
			totals[c.name] = 0
		}
		// Read the amounts back from the budget's own lines.
		cat := ""
		for _, l := range strings.Split(text, "\n") {
			l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- "))
			switch {
			case strings.HasPrefix(l, "category: "):
				cat = strings.TrimPrefix(l, "category: ")
			case strings.HasPrefix(l, "amount: ") && cat != "":
				totals[cat] += parseCents(strings.TrimPrefix(l, "amount: "))
			}
		}
		for _, c := range expenseCategories {
			fmt.Fprintf(w, "    Expenses:%-12s %14s CNY\n", c.name, totals[c.name])
		}
		fmt.Fprintf(w, "    Assets:Budget\n\n")
	}
	exps := append([]*rec(nil), g.expenses...)
	sort.SliceStable(exps, func(i, j int) bool { return exps[i].date.Before(exps[j].date) })
	for _, e := range exps {
		st := e.status()
		mark, acct := "!", "Claims:"+st+":"+e.category
		switch st {
		case "paid":
			mark, acct = "*", "Expenses:"+e.category
		case "approved":
			acct = "Expenses:" + e.category
		}
		fmt.Fprintf(w, "%s %s %s %s\n    ; status: %s\n", e.date.Format("2006/01/02"), mark, e.id, e.title, st)
		if e.project != nil {
			fmt.Fprintf(w, "    ; project: %s\n", e.project.id)
		}
		fmt.Fprintf(w, "    %-28s %14s CNY\n    Liabilities:Claims:%s\n\n", acct, e.amount, e.claimant.handle)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func parseCents(s string) cents {
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	return cents(atoi(whole)*100 + atoi(frac[:2]))
}
