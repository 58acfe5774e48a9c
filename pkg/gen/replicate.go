package gen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/record"
)

// ReplicateOptions makes a department out of an existing one's records
// (the shipped sample, say) rather than generated ones: real files with
// their comments, flow lists, long texts and findings, at any scale.
type ReplicateOptions struct {
	// From is the root of the department to copy (its .opsbook.yaml,
	// records and attachments).
	From string
	// Records is the number of record files to reach: every record of
	// From once, then copies of its yearly records (projects, plans,
	// complaints, appraisals, expenses) under new sequence numbers.
	Records int
	// Kinds, when set, limits the copies to these kinds (say, expenses
	// only, for the budget report at 100,000 claims).
	Kinds []record.Kind
	// Commits, when positive, makes a git repository: the copy imported in
	// one commit, then Commits-1 commits each editing one record file (a
	// comment line added: the values do not change, so every commit is one
	// anybody may make), by the department's people in turn.
	Commits int
	// Ledger, when set, is a file to write the counted expenses (approved
	// and paid) to as a ledger journal, with the approved budgets as
	// yearly periodic transactions.
	Ledger string
}

const policyFile = ".opsbook.yaml"

var idLine = regexp.MustCompile(`(?m)^id:[ \t]*(\S+)[ \t]*$`)

// Replicate writes the department into out (new or empty).
func Replicate(ctx context.Context, out string, o ReplicateOptions) (*Stats, error) {
	st := &Stats{Kinds: map[record.Kind]int{}}
	if err := emptyDir(out); err != nil {
		return st, err
	}
	// The records folder, as the policy names it (read here with the record
	// parser: the config package would tie the generator to the schemas).
	recordsDir := "records"
	if data, err := os.ReadFile(filepath.Join(o.From, policyFile)); err == nil {
		if p, _ := record.Parse(policyFile, data); p != nil && p.Str("records") != "" {
			recordsDir = p.Str("records")
		}
	}
	for _, name := range []string{policyFile, "attachments"} {
		if err := copyTree(filepath.Join(o.From, name), filepath.Join(out, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return st, err
		}
	}
	recs, _, err := record.Load(ctx, o.From, recordsDir)
	if err != nil {
		return st, err
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Path < recs[j].Path })
	src := map[string][]byte{}
	var yearly []*record.Record
	want := map[record.Kind]bool{}
	for _, k := range o.Kinds {
		want[k] = true
	}
	for _, r := range recs {
		data, err := os.ReadFile(filepath.Join(o.From, filepath.FromSlash(r.Path)))
		if err != nil {
			return st, err
		}
		src[r.Path] = data
		if record.Info(r.Kind).Yearly && record.IDSeq(r.ID) >= 0 && (len(want) == 0 || want[r.Kind]) {
			if m := idLine.FindSubmatch(data); m != nil && string(m[1]) == r.ID {
				yearly = append(yearly, r)
			}
		}
	}
	var ledger []*record.Record // the counted expenses, copies included
	put := func(r *record.Record, id string, data []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rel := r.Path
		if id != r.ID {
			rel = filepath.ToSlash(filepath.Join(recordsDir, record.RelPath(r.Kind, id)))
			data = idLine.ReplaceAll(data, []byte("id: "+id))
		}
		p := filepath.Join(out, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		st.Records++
		st.Kinds[r.Kind]++
		st.Bytes += int64(len(data))
		if s := r.Status(); r.Kind == record.Expense && (s == "approved" || s == "paid") { // as rules.ExpenseCounts
			cp := *r
			cp.ID = id
			ledger = append(ledger, &cp)
		}
		return nil
	}
	for _, r := range recs {
		if err := put(r, r.ID, src[r.Path]); err != nil {
			return st, err
		}
	}
	if len(yearly) == 0 && st.Records < o.Records {
		return st, fmt.Errorf("%s has no yearly records to copy", o.From)
	}
	_ = filepath.WalkDir(filepath.Join(out, "attachments"), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			st.Attachments++
		}
		return nil
	})
	for c := 1; st.Records < o.Records; c++ {
		for _, r := range yearly {
			if st.Records >= o.Records {
				break
			}
			year := atoi(record.IDYear(r.ID))
			id := record.FormatID(r.Kind, year, record.IDSeq(r.ID)+c*10000)
			if err := put(r, id, src[r.Path]); err != nil {
				return st, err
			}
		}
	}
	if o.Ledger != "" {
		if err := writeReplicaLedger(o.Ledger, recs, ledger); err != nil {
			return st, err
		}
	}
	if o.Commits > 0 {
		n, err := replicaHistory(ctx, out, recs, o.Commits)
		if err != nil {
			return st, err
		}
		st.Commits = n
	}
	return st, nil
}

func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty", dir)
	}
	return nil
}

// copyTree copies a file or a folder of regular files.
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}

// writeReplicaLedger writes the approved budgets as yearly periodic
// transactions and each counted expense as one transaction.
func writeReplicaLedger(path string, recs, expenses []*record.Record) error {
	var b bytes.Buffer
	b.WriteString("; The counted expenses of a department copied from another (opsbook-gen -from), as a ledger journal.\n")
	fmt.Fprintf(&b, "; ledger -f %s bal --budget\n\n", filepath.Base(path))
	for _, r := range recs {
		if r.Kind != record.Budget || (r.Status() != "approved" && r.Status() != "closed") {
			continue
		}
		if record.IDYear(r.ID) == "" {
			continue
		}
		year := atoi(record.IDYear(r.ID))
		sums := map[string]string{}
		var cats []string
		for _, list := range []string{"lines", "amendments"} {
			for i := range r.List(list) {
				p := fmt.Sprintf("%s.%d.", list, i)
				if r.Str(p+"project") != "" {
					continue // a project line is part of its category's
				}
				a, ok := r.Money(p + "amount")
				cat := r.Str(p + "category")
				if !ok || cat == "" {
					continue
				}
				if prev, seen := sums[cat]; seen {
					sum, _ := record.MoneyOf(prev, true)
					a = a.Add(sum)
				} else {
					cats = append(cats, cat)
				}
				sums[cat] = a.String()
			}
		}
		fmt.Fprintf(&b, "~ yearly from %d/01/01 to %d/01/01\n", year, year+1)
		for _, c := range cats {
			fmt.Fprintf(&b, "    Expenses:%-20s %s CNY\n", c, sums[c])
		}
		b.WriteString("    Assets:Budget\n\n")
	}
	for _, e := range expenses {
		a, ok := e.Money("amount")
		date := e.Str("date")
		if !ok || len(date) != 10 || e.Str("category") == "" {
			continue
		}
		fmt.Fprintf(&b, "%s %s\n    Expenses:%-20s %s CNY\n    Assets:Bank\n\n", strings.ReplaceAll(date, "-", "/"), e.ID, e.Str("category"), a.String())
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// replicaHistory makes out a git repository: the import commit, then
// commits each adding a comment line to one record file, by the active
// people in turn, one minute apart.
func replicaHistory(ctx context.Context, out string, recs []*record.Record, commits int) (int, error) {
	var people []*person
	for _, r := range recs {
		if v, _ := r.Get("active"); r.Kind == record.Person && v != false {
			if emails := r.Strings("emails"); len(emails) > 0 {
				people = append(people, &person{name: r.Str("name"), emails: emails[:1]})
			}
		}
	}
	if len(people) == 0 {
		return 0, errors.New("the department has no active people with an email to commit as")
	}
	var files []file
	var records []string
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, file{rel, data})
		if strings.HasSuffix(rel, ".yaml") && strings.Contains(rel, "/") && !strings.HasPrefix(rel, "attachments/") {
			records = append(records, rel)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	err = fastImport(ctx, out, func(w io.Writer) error {
		at := time.Date(2026, 1, 1, 9, 0, 0, 0, DefaultUntil.Location())
		if err := commit(w, people[0], at, "import the department's records\n", files); err != nil {
			return err
		}
		content := map[string][]byte{}
		for _, f := range files {
			content[f.path] = f.data
		}
		for i := 1; i < commits; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			p := records[(i*7919)%len(records)]
			content[p] = append(content[p], fmt.Sprintf("# note %d\n", i)...)
			at = at.Add(time.Minute)
			msg := fmt.Sprintf("note %d on %s\n", i, filepath.Base(p))
			if err := commit(w, people[i%len(people)], at, msg, []file{{p, content[p]}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	// The work tree is the last commit's: check it out over the copies.
	if err := run(ctx, out, nil, "git", "reset", "-q", "--hard"); err != nil {
		return 0, err
	}
	return commits, nil
}
