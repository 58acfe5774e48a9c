package rules

import (
	"sort"
	"testing"

	"github.com/opsbook/opsbook/pkg/record"
)

// TestMatcherAgreesWithExpand checks the rules' matcher finds what Expand
// finds, in the order of its sorted paths.
func TestMatcherAgreesWithExpand(t *testing.T) {
	var items []any
	for i := 0; i < 12; i++ {
		items = append(items, record.MapOf("receipt", "r"+string(rune('a'+i)), "by", []any{"x", "", "y"}))
	}
	items = append(items, "text", record.MapOf("receipt", ""))
	data := record.MapOf("items", items, "one", "1", "team", []any{"a", true, "c"})
	var m matcher
	for _, pattern := range []string{"items.*.receipt", "items.*.by.*", "one", "team.*", "none.*", "items.*", "one.*"} {
		want := Expand(data, pattern)
		keys := make([]string, 0, len(want))
		for k := range want {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m.find(data, pattern)
		order := m.order()
		if len(order) != len(keys) {
			t.Fatalf("%s: %d matches, Expand %d", pattern, len(order), len(keys))
		}
		for i, k := range order {
			if m.path(k) != keys[i] || m.vals[k] != want[keys[i]] {
				t.Errorf("%s: match %d is %s=%s, Expand %s=%s", pattern, i, m.path(k), m.vals[k], keys[i], want[keys[i]])
			}
		}
	}
}
