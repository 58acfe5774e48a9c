// Package record reads and writes opsbook's record files: one YAML document
// per file, kept as a node tree (for positions and faithful rewriting) and as
// plain JSON values (for schema validation and queries). Numbers stay exact:
// a YAML number becomes a json.Number holding its literal text.
package record

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/money"
	"go.yaml.in/yaml/v3"
)

// Record is one parsed record file.
type Record struct {
	Kind Kind
	ID   string
	// Path is relative to the repository root, with forward slashes.
	Path string
	// Doc is the YAML document node; Root its top-level mapping.
	Doc  *yaml.Node
	Root *yaml.Node
	// Data is Root as plain values: Map, []any, string, json.Number,
	// bool.
	Data Map
	// Dropped holds the dotted paths of values left out of Data because
	// the text was refused (a null, an alias, a bad number), so later
	// checks do not report them again as missing.
	Dropped map[string]bool

	// lazy keeps the file's text of a record loaded without its node tree
	// (Load, ParseFiles, ParseLean, Restore: a tree costs ten times the
	// file's size in memory), to parse it again when a position is asked.
	lazy *lazyTree
}

type lazyTree struct {
	once      sync.Once
	src       string
	doc, root *yaml.Node
	// fast says fastValues read src: a position is then found by
	// following its shape alone (fastPos's skim), making no value.
	fast bool
}

// Tree returns the record's top-level mapping node: Root, or, for a record
// loaded without its tree, the tree parsed again from the file's text (once,
// on first use). Use it, or Node, KeyNode and Pos, rather than Root.
func (r *Record) Tree() *yaml.Node {
	if r.Root != nil || r.lazy == nil {
		return r.Root
	}
	l := r.lazy
	l.once.Do(func() {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(l.src), &doc); err == nil && len(doc.Content) > 0 {
			l.doc, l.root = &doc, doc.Content[0]
		}
	})
	return l.root
}

// Source returns the file's text (after a byte-order mark) of a record
// loaded without its tree, or "" when the record keeps its tree.
func (r *Record) Source() string {
	if r.lazy == nil {
		return ""
	}
	return r.lazy.src
}

// Fast tells whether the record's text is one the fast reader read (its
// values made without the YAML library): a cache keeps it, so a position
// asked of the restored record follows the text's shape alone (see
// RestoreFast).
func (r *Record) Fast() bool { return r.lazy != nil && r.lazy.fast }

// RestoreFast is Restore of a record whose text the fast reader read
// (Fast, as the cache kept it).
func RestoreFast(path string, kind Kind, id string, data Map, dropped map[string]bool, src string) *Record {
	r := Restore(path, kind, id, data, dropped, src)
	r.lazy.fast = src != ""
	return r
}

// Restore rebuilds a record from what a cache kept: its place, plain values,
// dropped paths and the file's text, from which positions are found when
// asked.
func Restore(path string, kind Kind, id string, data Map, dropped map[string]bool, src string) *Record {
	return &Record{Kind: kind, ID: id, Path: path, Data: data, Dropped: dropped, lazy: &lazyTree{src: src}}
}

// Get returns the value at a dotted path ("resolution.resolved_at",
// "items.0.amount").
func (r *Record) Get(path string) (any, bool) {
	return Lookup(r.Data, path)
}

// Lookup walks a dotted path through plain values.
func Lookup(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	// Walk the parts without splitting: this runs for every field every
	// check reads.
	for rest := path; ; {
		part := rest
		i := strings.IndexByte(rest, '.')
		if i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		}
		var ok bool
		if v, ok = Step(v, part); !ok {
			return nil, false
		}
		if i < 0 {
			return v, true
		}
	}
}

// Step goes one level down plain values: a mapping's key or a list's index.
func Step(v any, part string) (any, bool) {
	switch t := v.(type) {
	case Map:
		return t.Get(part)
	case []any:
		i, err := strconv.Atoi(part)
		if err != nil || i < 0 || i >= len(t) {
			return nil, false
		}
		return t[i], true
	}
	return nil, false
}

// Str returns the value at path as text ("" when absent or not a scalar).
func (r *Record) Str(path string) string {
	v, _ := r.Get(path)
	return Text(v)
}

// Text renders a scalar plain value as text.
func Text(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return string(t)
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

// Has reports whether path holds a non-empty value.
func (r *Record) Has(path string) bool {
	v, ok := r.Get(path)
	if !ok {
		return false
	}
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t) != ""
	case []any:
		return len(t) > 0
	case Map:
		return len(t) > 0
	}
	return true
}

// List returns the list at path (nil when absent).
func (r *Record) List(path string) []any {
	v, _ := r.Get(path)
	l, _ := v.([]any)
	return l
}

// Strings returns the list of scalars at path as text.
func (r *Record) Strings(path string) []string {
	var out []string
	for _, v := range r.List(path) {
		if s := Text(v); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Money returns the amount at path, read exactly from its literal.
func (r *Record) Money(path string) (money.Amount, bool) {
	return MoneyOf(r.Get(path))
}

// MoneyOf converts a plain value to an amount.
func MoneyOf(v any, ok bool) (money.Amount, bool) {
	if !ok {
		return money.Zero, false
	}
	s := Text(v)
	if s == "" {
		return money.Zero, false
	}
	a, err := money.Parse(s)
	if err != nil {
		return money.Zero, false
	}
	return a, true
}

// Status returns the record's workflow state.
func (r *Record) Status() string { return r.Str("status") }

// Title returns the title, or the name for people and customers.
func (r *Record) Title() string { return r.Str(Info(r.Kind).TitleField) }

// Node returns the YAML node at a dotted path, or nil.
func (r *Record) Node(path string) *yaml.Node {
	return NodeAt(r.Tree(), splitPath(path))
}

func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, ".")
}

// NodeAt walks mapping keys and sequence indexes from n.
func NodeAt(n *yaml.Node, parts []string) *yaml.Node {
	for _, part := range parts {
		if n == nil {
			return nil
		}
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == part {
					next = n.Content[i+1]
				}
			}
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		default:
			return nil
		}
	}
	return n
}

// KeyNode returns the key node of the last element of path when it is a
// mapping key, for pointing at a field's name rather than its value.
func (r *Record) KeyNode(path string) *yaml.Node {
	parts := splitPath(path)
	if len(parts) == 0 {
		return nil
	}
	parent := NodeAt(r.Tree(), parts[:len(parts)-1])
	if parent == nil || parent.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(parent.Content); i += 2 {
		if parent.Content[i].Value == parts[len(parts)-1] {
			return parent.Content[i]
		}
	}
	return nil
}

// Pos returns the line and column of the deepest existing node on path, so a
// missing field points at the mapping that should hold it.
func (r *Record) Pos(path string) (line, col int) {
	if r.Root == nil && r.lazy != nil {
		if line, col, ok := fastPos(r.lazy.src, path, r.lazy.fast); ok {
			return line, col
		}
	}
	root := r.Tree()
	n := root
	parts := splitPath(path)
	for i := range parts {
		next := NodeAt(root, parts[:i+1])
		if next == nil {
			break
		}
		n = next
	}
	if n == nil {
		return 1, 1
	}
	// A mapping's own position is its first key; point at the key of the
	// field instead when there is one, which reads better in an editor.
	if k := r.KeyNode(path); k != nil && n.Kind != yaml.ScalarNode {
		return k.Line, k.Column
	}
	return n.Line, n.Column
}
