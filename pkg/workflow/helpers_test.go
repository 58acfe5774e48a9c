package workflow

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/record"
)

// The department of the tests.
var (
	director   = Actor{Handle: "wang.fang", Role: Director, Active: true, ReportsTo: "sun.hua"}
	manager    = Actor{Handle: "zhang.min", Role: Manager, Active: true, ReportsTo: "wang.fang"}
	manager2   = Actor{Handle: "chen.jie", Role: Manager, Active: true, ReportsTo: "wang.fang"}
	specialist = Actor{Handle: "li.wei", Role: Specialist, Active: true, ReportsTo: "zhang.min"}
	other      = Actor{Handle: "zhao.lei", Role: Specialist, Active: true, ReportsTo: "chen.jie"}
	leadership = Actor{Handle: "sun.hua", Role: Leadership, Active: true}
	finance    = Actor{Handle: "qian.yu", Role: Finance, Active: true, ReportsTo: "sun.hua"}
	retired    = Actor{Handle: "old.hand", Role: Director, Active: false}
	unknown    = Actor{}
)

var people = People{}

func init() {
	for _, a := range []Actor{director, manager, manager2, specialist, other, leadership, finance, retired} {
		people[a.Handle] = a
	}
}

// parse builds a record from YAML text; the kind and id give its path.
func parse(t *testing.T, text string) *record.Record {
	t.Helper()
	text = strings.ReplaceAll(text, "\t", "  ")
	r, ds := record.Parse("records/x.yaml", []byte(text))
	if r == nil || len(ds) > 0 {
		t.Fatalf("bad test record: %v\n%s", ds, text)
	}
	r.Path = "records/" + record.RelPath(r.Kind, r.ID)
	return r
}

// build makes a record of kind k from flat fields; "a.b" keys become one
// level of nesting.
func build(t *testing.T, k record.Kind, id string, fields map[string]string) *record.Record {
	t.Helper()
	var b strings.Builder
	b.WriteString("kind: " + string(k) + "\nid: " + id + "\n")
	keys := make([]string, 0, len(fields))
	for key := range fields {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	nested := map[string][]string{}
	for _, key := range keys {
		if p, c, ok := strings.Cut(key, "."); ok {
			nested[p] = append(nested[p], "  "+c+": "+fields[key])
			continue
		}
		b.WriteString(key + ": " + fields[key] + "\n")
	}
	for _, p := range sortedKeys(nested) {
		b.WriteString(p + ":\n" + strings.Join(nested[p], "\n") + "\n")
	}
	return parse(t, b.String())
}

func sortedKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ruleOf returns the rule of a refusal, "" for nil, and fails on any other
// error (or a typed nil hiding in an error).
func ruleOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var r *Refusal
	if !errors.As(err, &r) || r == nil {
		t.Fatalf("error %v (%T) is not a *Refusal", err, err)
	}
	if r.Message == "" || r.Rule == "" {
		t.Fatalf("refusal without rule or message: %+v", r)
	}
	return r.Rule
}

// expect checks err against a wanted rule ("" = allowed) and, when given,
// a substring of the message.
func expect(t *testing.T, err error, rule, msg string) {
	t.Helper()
	if got := ruleOf(t, err); got != rule {
		t.Fatalf("rule = %q, want %q (error: %v)", got, rule, err)
	}
	if msg != "" && (err == nil || !strings.Contains(err.Error(), msg)) {
		t.Fatalf("message = %q, want it to contain %q", errText(err), msg)
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func rules(rs []*Refusal) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Rule)
	}
	return out
}
