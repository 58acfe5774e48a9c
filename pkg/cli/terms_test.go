package cli

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/schemas"
)

// enumFields walks a kind's schema and returns every path whose values are
// a fixed list of words ("actions.*.status" → open, doing, done, dropped),
// following $ref into the same or another schema file.
func enumFields(t *testing.T, file string) map[string][]string {
	t.Helper()
	docs := map[string]map[string]any{}
	load := func(f string) map[string]any {
		if d, ok := docs[f]; ok {
			return d
		}
		b, err := schemas.FS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		docs[f] = d
		return d
	}
	out := map[string][]string{}
	var walk func(f string, s any, path string, depth int)
	walk = func(f string, s any, path string, depth int) {
		m, ok := s.(map[string]any)
		if !ok || depth > 20 {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			rf, frag, _ := strings.Cut(ref, "#")
			if rf == "" {
				rf = f
			}
			var d any = load(rf)
			for _, k := range strings.Split(strings.Trim(frag, "/"), "/") {
				if k != "" {
					d = d.(map[string]any)[k]
				}
			}
			walk(rf, d, path, depth+1)
		}
		if e, ok := m["enum"].([]any); ok && path != "" {
			for _, v := range e {
				if s, ok := v.(string); ok {
					out[path] = append(out[path], s)
				}
			}
		}
		// a word beside a number (satisfaction: 1 to 5, or unreachable)
		if s, ok := m["const"].(string); ok && path != "" && path != "kind" {
			out[path] = append(out[path], s)
		}
		if props, ok := m["properties"].(map[string]any); ok {
			for k, v := range props {
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(f, v, p, depth+1)
			}
		}
		if it, ok := m["items"]; ok {
			walk(f, it, path+".*", depth+1)
		}
		for _, key := range []string{"oneOf", "anyOf", "allOf"} {
			if l, ok := m[key].([]any); ok {
				for _, x := range l {
					walk(f, x, path, depth+1)
				}
			}
		}
	}
	walk(file, load(file), "", 0)
	return out
}

// TestEveryListedWordIsShownInChinese: every field whose values are a
// schema's list of words (a state, a meeting's type, a violation's
// sanction, a recommendation's decision) has a group of terms, so list
// and show say its value in the reader's language, and every word of the
// list has its translation: no English word from the records in a
// Chinese table.
func TestEveryListedWordIsShownInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	entries, err := schemas.FS.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		f := e.Name()
		if f == "common.json" || f == "policy.json" {
			continue
		}
		fields := enumFields(t, f)
		var paths []string
		for p := range fields {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			g := termGroup(p)
			if g == "" {
				t.Errorf("%s: %s (%v) has no group of terms", f, p, fields[p])
				continue
			}
			for _, w := range fields[p] {
				if i18n.Term(g, w) == w {
					t.Errorf("%s: %s = %s has no Chinese in group %s", f, p, w, g)
				}
			}
		}
	}
	// a meeting's decision is text, an analysis's recommendation's a word
	if g := termGroup("decisions.0.decision"); g != "" {
		t.Errorf("decisions.0.decision is in group %q, want text", g)
	}
	if got := fieldValue("recommendations.1.decision", "adopt"); got != i18n.Term("decision", "adopt") || got == "adopt" {
		t.Errorf("recommendations.1.decision adopt = %q", got)
	}
	// a list of words, as show joins it (、 in Chinese): each word translated
	if got, want := fieldValue("courses.0.audience.roles", "manager、director"), i18n.Term("role", "manager")+"、"+i18n.Term("role", "director"); got != want {
		t.Errorf("courses.0.audience.roles = %q, want %q", got, want)
	}
}

// TestEveryListHeaderIsChinese: list's headers in Chinese name every
// default column and every derived field in words (response_time was its
// key in a Chinese table).
func TestEveryListHeaderIsChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	han := func(s string) bool {
		for _, r := range s {
			if r >= 0x4e00 && r <= 0x9fff {
				return true
			}
		}
		return false
	}
	for _, ki := range record.Kinds {
		cols := strings.Split(defaultColumns[ki.Kind], ",")
		for _, d := range query.DerivedFields(ki.Kind) {
			cols = append(cols, d.Name)
		}
		for _, c := range cols {
			if h := i18n.Field(c).String(); !han(h) {
				t.Errorf("%s: column %s has the header %q", ki.Kind, c, h)
			}
		}
	}
}
