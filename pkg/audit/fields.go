package audit

import (
	"slices"
	"strconv"

	"github.com/opsbook/opsbook/pkg/record"
	"go.yaml.in/yaml/v3"
)

// FieldChange is one value that differs between two versions of a record,
// by dotted path ("amount", "items.0.amount"). Before or After is nil when
// the field is absent on that side.
type FieldChange struct {
	Field  string  `json:"field"`
	Before *string `json:"before"`
	After  *string `json:"after"`
}

type leaf struct {
	path string
	text string
	num  bool
	// line and col place the value in its file (1-based; 0 unknown).
	line, col int
}

// leaves flattens a record's YAML tree to its scalar values, in the file's
// order; an empty list or mapping is a leaf of its own.
func leaves(rec *record.Record) []leaf {
	if rec == nil {
		return nil
	}
	return nodeLeaves(rec.Root)
}

// nodeLeaves flattens a YAML mapping (or a document holding one) as leaves
// does.
func nodeLeaves(root *yaml.Node) []leaf {
	var out []leaf
	if root != nil && root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root == nil {
		return nil
	}
	var walk func(n *yaml.Node, path string)
	join := func(p, k string) string {
		if p == "" {
			return k
		}
		return p + "." + k
	}
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.MappingNode:
			if len(n.Content) == 0 {
				out = append(out, leaf{path: path, text: "{}", line: n.Line, col: n.Column})
			}
			seen := map[string]bool{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				// a key written twice counts once, the first, as the
				// policy's reader takes it (a record with one is
				// unreadable)
				if k := n.Content[i].Value; !seen[k] {
					seen[k] = true
					walk(n.Content[i+1], join(path, k))
				}
			}
		case yaml.SequenceNode:
			if len(n.Content) == 0 {
				out = append(out, leaf{path: path, text: "[]", line: n.Line, col: n.Column})
			}
			for i, c := range n.Content {
				walk(c, join(path, strconv.Itoa(i)))
			}
		case yaml.ScalarNode:
			tag := n.ShortTag()
			out = append(out, leaf{path: path, text: n.Value, num: tag == "!!int" || tag == "!!float", line: n.Line, col: n.Column})
		}
	}
	walk(root, "")
	return out
}

func sameLeaf(a, b leaf) bool {
	if a.text == b.text {
		return true
	}
	return record.SameNumber(a.text, b.text)
}

// fieldChanges lists the values that differ between before and after
// (either may be nil), the status aside: that is the move. Values are
// compared as values: 1280.5 and 1280.50 are the same amount.
func fieldChanges(before, after *record.Record) []FieldChange {
	lb, la := leaves(before), leaves(after)
	old := make(map[string]leaf, len(lb))
	for _, l := range lb {
		old[l.path] = l
	}
	seen := make(map[string]bool, len(la))
	var out []FieldChange
	for _, l := range la {
		seen[l.path] = true
		if l.path == "status" {
			continue
		}
		o, ok := old[l.path]
		switch {
		case !ok:
			out = append(out, FieldChange{Field: l.path, After: str(l.text)})
		case !sameLeaf(o, l):
			out = append(out, FieldChange{Field: l.path, Before: str(o.text), After: str(l.text)})
		}
	}
	for _, l := range lb {
		if !seen[l.path] && l.path != "status" {
			out = append(out, FieldChange{Field: l.path, Before: str(l.text)})
		}
	}
	return out
}

func str(s string) *string { return &s }

// sameRecordBut reports whether two records hold the same values apart
// from their ids: a renumbered record.
func sameRecordBut(a, b *record.Record) bool {
	if a == nil || b == nil || a.Kind != b.Kind || len(a.Data) != len(b.Data) {
		return false
	}
	for _, f := range a.Data {
		if f.Key == "id" {
			continue
		}
		w, ok := b.Data.Get(f.Key)
		if !ok || !record.SameValue(f.Value, w) {
			return false
		}
	}
	return true
}

// replaceRefs returns v with every string equal to a key of ids replaced
// by its value, and whether anything was.
func replaceRefs(v any, ids map[string]string) (any, bool) {
	switch t := v.(type) {
	case string:
		if n, ok := ids[t]; ok {
			return n, true
		}
	case record.Map:
		var out record.Map
		for i, f := range t {
			if y, ok := replaceRefs(f.Value, ids); ok {
				if out == nil {
					out = slices.Clone(t)
				}
				out[i].Value = y
			}
		}
		if out != nil {
			return out, true
		}
	case []any:
		var out []any
		for i, x := range t {
			if y, ok := replaceRefs(x, ids); ok {
				if out == nil {
					out = append([]any(nil), t...)
				}
				out[i] = y
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}
