// Package randedit makes random edits to a department's record files,
// for the tests that compare an answer made from a change with the answer
// a full read makes: a state, a reference, a date or a time, a copy under
// a new id, a removal.
package randedit

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Records are the record files below dir's records folder a random edit
// may touch (not the people and budgets, which every record's findings
// read, and whose change is judged on the whole department), as paths
// relative to dir.
func Records(dir string) ([]string, error) {
	var out []string
	root := filepath.Join(dir, "records")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if f := strings.Split(rel, "/")[1]; f != "people" && f != "budgets" {
			out = append(out, rel)
		}
		return nil
	})
	if len(out) == 0 {
		return nil, fmt.Errorf("no records in %s", dir)
	}
	return out, nil
}

var (
	// a line holding an id, a handle or a date (or a time, whose date is
	// changed): "key: value", indented or an item's first key
	idLine   = regexp.MustCompile(`(?m)^(\s*(?:- )?)([a-z_]+): ([A-Z]{2,4}-\d{4}-\d{4}|[A-Z]{3}-\d{4}|[a-z]+\.[a-z]+)$`)
	dateLine = regexp.MustCompile(`(?m)^(\s*(?:- )?)([a-z_]+): (\d{4}-\d{2}-\d{2})(?:T[0-9:.+Z-]*)?$`)
	stLine   = regexp.MustCompile(`(?m)^status: .*$`)
	catLine  = regexp.MustCompile(`(?m)^category: .*$`)
	anyState = []string{"draft", "submitted", "approved", "active", "completed", "closed", "received", "investigating",
		"resolved", "reopened", "acknowledged", "executing", "closing", "open", "doing", "done", "published", "decided",
		"reviewed", "superseded", "cancelled", "rejected", "paid", "bogus"}
)

// Any changes one of rels (paths below dir, of any kind) at random: its
// category, its state, a reference (to another record's id, a person's handle, an id no
// record holds), a date, a copy under a new id, or its removal; and says
// what it did. rels follows copies and removals.
func Any(rng *rand.Rand, dir string, rels *[]string) (string, error) {
	rel := (*rels)[rng.IntN(len(*rels))]
	p := filepath.Join(dir, filepath.FromSlash(rel))
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	text := string(b)
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	var what string
	switch n := rng.IntN(10); {
	case n < 1 && catLine.MatchString(text):
		c := pick("product", "service", "billing", "delivery", "marketing", "travel", "office", "training", "bogus")
		text = catLine.ReplaceAllString(text, "category: "+c)
		what = "category " + c
	case n < 3:
		st := pick(anyState...)
		if stLine.MatchString(text) {
			text = stLine.ReplaceAllString(text, "status: "+st)
		} else {
			text += "status: " + st + "\n"
		}
		what = "status " + st
	case n < 6:
		ms := slices.DeleteFunc(idLine.FindAllStringSubmatchIndex(text, -1), func(m []int) bool { return text[m[4]:m[5]] == "id" })
		if len(ms) == 0 {
			return "nothing", nil
		}
		m := ms[rng.IntN(len(ms))]
		old := text[m[6]:m[7]]
		var to string
		switch {
		case strings.Contains(old, "."):
			to = pick("li.wei", "zhang.min", "zhao.lei", "chen.hao", "sun.li", "nobody.here")
		default:
			// another record of the same prefix, or one no record holds
			prefix := old[:strings.IndexByte(old, '-')]
			var same []string
			for _, r := range *rels {
				if id := strings.TrimSuffix(filepath.Base(r), ".yaml"); strings.HasPrefix(id, prefix+"-") {
					same = append(same, id)
				}
			}
			if len(same) == 0 || rng.IntN(5) == 0 {
				to = prefix + "-2026-9999"
			} else {
				to = pick(same...)
			}
		}
		text = text[:m[6]] + to + text[m[7]:]
		what = text[m[4]:m[5]] + " " + old + " → " + to
	case n < 8:
		ms := dateLine.FindAllStringSubmatchIndex(text, -1)
		if len(ms) == 0 {
			return "nothing", nil
		}
		m := ms[rng.IntN(len(ms))]
		to := pick("2025-06-30", "2026-01-05", "2026-10-01", "2026-11-20", "2026-11-26", "2027-02-01")
		what = text[m[4]:m[5]] + " " + to
		text = text[:m[6]] + to + text[m[7]:]
	case n == 8:
		id := strings.TrimSuffix(filepath.Base(rel), ".yaml")
		i := strings.LastIndexByte(id, '-')
		nid := fmt.Sprintf("%s-9%03d", id[:i], rng.IntN(1000))
		nrel := filepath.ToSlash(filepath.Join(filepath.Dir(rel), nid+".yaml"))
		if slices.Contains(*rels, nrel) {
			return "nothing", nil
		}
		text = regexp.MustCompile(`(?m)^id: .*$`).ReplaceAllString(text, "id: "+nid)
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(nrel)), []byte(text), 0o644); err != nil {
			return "", err
		}
		*rels = append(*rels, nrel)
		return "copied " + rel + " to " + nid, nil
	default:
		if len(*rels) < 20 {
			return "nothing", nil
		}
		if err := os.Remove(p); err != nil {
			return "", err
		}
		i := slices.Index(*rels, rel)
		*rels = slices.Delete(*rels, i, i+1)
		return "removed " + rel, nil
	}
	return rel + ": " + what, os.WriteFile(p, []byte(text), 0o644)
}
