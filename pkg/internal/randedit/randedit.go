// Package randedit makes random edits to a department's record files,
// for the tests that compare an answer made from a change with the answer
// a full read makes: a state, a reference, a date or a time, a copy under
// a new id, a removal, a field the index does not keep or a comment.
package randedit

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/opsbook/opsbook/pkg/index"
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
	// a flow list holding ids or handles: "key: [A, B]"
	flowLine = regexp.MustCompile(`(?m)^([a-z_]+): \[([A-Za-z0-9.,\- ]+)\]$`)
	stLine   = regexp.MustCompile(`(?m)^status: .*$`)
	// a plain scalar: "key: value", indented or an item's first key
	plainLine = regexp.MustCompile(`(?m)^(\s*(?:- )?)([a-z_]+): ([^\s|>\[{"'&*!#%@][^#\n]*)$`)
	catLine   = regexp.MustCompile(`(?m)^category: .*$`)
	amtLine   = regexp.MustCompile(`(?m)^amount: .*$`)
	anyState  = []string{"draft", "submitted", "approved", "active", "completed", "closed", "received", "investigating",
		"resolved", "reopened", "acknowledged", "executing", "closing", "open", "doing", "done", "published", "decided",
		"reviewed", "superseded", "cancelled", "rejected", "paid", "bogus"}
)

// refFields are the references a record of a folder may hold at its top
// level, and the prefix of the ids they name: what a set reference (one
// the record may not have held) names.
var refFields = map[string][][2]string{
	"complaints":     {{"customer", "CUS"}, {"related", "[CMP"}},
	"plans":          {{"supersedes", "PLN"}, {"project", "PRJ"}},
	"appraisals":     {{"follow_up_of", "APR"}, {"project", "PRJ"}},
	"trainings":      {{"expense", "EXP"}, {"plan", "TRP"}},
	"meetings":       {{"project", "PRJ"}},
	"tasks":          {{"concerns", "CMP"}, {"concerns", "PLN"}, {"concerns", "VIO"}},
	"expenses":       {{"project", "PRJ"}},
	"status-reports": {{"to", ""}},
}

// Any changes one of rels (paths below dir, of any kind) at random: its
// amount, its category, its state, a reference (to another record's id, a person's handle, an id no
// record holds; one of a flow list, or one set that the record may not
// have held), a date, a copy under a new id, its removal, a field the
// index does not keep (a text, a time, a nested value) or a comment
// line; and says what it did. rels follows copies and removals.
func Any(rng *rand.Rand, dir string, rels *[]string) (string, error) {
	rel := (*rels)[rng.IntN(len(*rels))]
	p := filepath.Join(dir, filepath.FromSlash(rel))
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	text := string(b)
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	// another record's id of old's prefix, or one no record holds
	other := func(old string) string {
		if strings.Contains(old, ".") || old == "" {
			return pick("li.wei", "zhang.min", "zhao.lei", "chen.hao", "sun.li", "nobody.here")
		}
		prefix := old[:strings.IndexByte(old, '-')]
		var same []string
		for _, r := range *rels {
			if id := strings.TrimSuffix(filepath.Base(r), ".yaml"); strings.HasPrefix(id, prefix+"-") {
				same = append(same, id)
			}
		}
		if len(same) == 0 || rng.IntN(5) == 0 {
			return prefix + "-2026-9999"
		}
		return pick(same...)
	}
	var what string
	switch n := rng.IntN(13); {
	case n == 12:
		// what no skeleton holds: the records reading this one as a
		// skeleton read the same
		var ms [][]int
		for _, m := range plainLine.FindAllStringSubmatchIndex(text, -1) {
			key := text[m[4]:m[5]]
			if m[3] > m[2] || !slices.Contains(index.Clear, key) && key != "id" && key != "kind" {
				ms = append(ms, m)
			}
		}
		if len(ms) == 0 || rng.IntN(4) == 0 {
			text += "# edited\n"
			what = "a comment"
			break
		}
		m := ms[rng.IntN(len(ms))]
		v := text[m[6]:m[7]]
		to := strings.TrimRight(v, " ") + " 改"
		if dm := dateLine.FindStringSubmatchIndex(text[m[0]:m[1]]); dm != nil {
			d := pick("2025-06-30", "2026-01-05", "2026-10-01", "2026-11-20", "2026-11-26", "2027-02-01")
			to = d + text[m[0]+dm[7]:m[1]]
		}
		what = text[m[4]:m[5]] + " " + to
		text = text[:m[6]] + to + text[m[7]:]
	case n == 10:
		// an item of a flow list of ids or handles: another, or dropped
		ms := flowLine.FindAllStringSubmatchIndex(text, -1)
		if len(ms) == 0 {
			return "nothing", nil
		}
		m := ms[rng.IntN(len(ms))]
		items := strings.Split(text[m[4]:m[5]], ", ")
		i := rng.IntN(len(items))
		was := items[i]
		if len(items) > 1 && rng.IntN(3) == 0 {
			items = slices.Delete(items, i, i+1)
		} else {
			items[i] = other(was)
		}
		what = text[m[2]:m[3]] + " [" + strings.Join(items, ", ") + "] (was " + was + ")"
		text = text[:m[4]] + strings.Join(items, ", ") + text[m[5]:]
	case n == 11:
		// a reference set, held before or not
		fs := refFields[strings.Split(rel, "/")[1]]
		if len(fs) == 0 {
			return "nothing", nil
		}
		f := fs[rng.IntN(len(fs))]
		list := strings.HasPrefix(f[1], "[")
		seed := strings.TrimPrefix(f[1], "[")
		if seed != "" {
			seed += "-" // an id of the prefix, else a handle
		}
		to := other(seed)
		if list {
			to = "[" + to + "]"
		}
		re := regexp.MustCompile(`(?m)^` + f[0] + `: .*$`)
		if re.MatchString(text) {
			text = re.ReplaceAllLiteralString(text, f[0]+": "+to)
		} else {
			text += f[0] + ": " + to + "\n"
		}
		what = "set " + f[0] + " " + to
	case n < 1 && amtLine.MatchString(text) && rng.IntN(2) == 0:
		a := pick("0.01", "86.00", "1280.50", "9999.99", "25000.00", "120000.00")
		text = amtLine.ReplaceAllString(text, "amount: "+a)
		what = "amount " + a
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
