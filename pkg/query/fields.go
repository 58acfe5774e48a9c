package query

import (
	"encoding/json"
	"fmt"
	"github.com/opsbook/opsbook/pkg/money"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/schema"
)

// Type is what a field holds, as far as comparing and sorting go.
type Type int

const (
	Any      Type = iota // unknown or mixed: decided by the value and the literal
	Text                 // compared as text, whatever the literal looks like
	Number               // exact decimal
	Money                // exact decimal, shown with two fraction digits
	Date                 // YYYY-MM-DD
	Instant              // RFC 3339 with offset
	Duration             // a derived span of time
	Bool
	List   // a list; comparisons apply to its elements (Elem)
	Object // a group of fields; only its presence can be tested
)

var typeNames = map[Type]string{
	Any: "value", Text: "text", Number: "number", Money: "amount of money", Date: "date",
	Instant: "instant", Duration: "duration", Bool: "true/false", List: "list", Object: "group of fields",
}

func (t Type) String() string { return typeNames[t] }

// Word is the type as the reader's language words it.
func (t Type) Word() string { return i18n.Term("valuetype", typeNames[t]) }

// Field is a resolved field path: stored in the record (by dotted path) or
// derived from it.
type Field struct {
	// Name is the path as written ("items.0.amount", "response_time").
	Name string
	Type Type
	Elem Type // element type when Type is List
	// Enum is the schema's list of the field's values (a state), if it
	// has one.
	Enum  []string
	parts []string
	// derived is set for fields computed from the record.
	derived *Derived
}

// Numeric reports whether the field's values are amounts or numbers, which
// tables align right.
func (f Field) Numeric() bool {
	t := f.Type
	if t == List {
		t = f.Elem
	}
	return t == Number || t == Money || t == Duration
}

// IsDerived reports whether the field is computed rather than stored.
func (f Field) IsDerived() bool { return f.derived != nil }

// scalar is the type compared against literals: a list's element type.
func (f Field) scalar() Type {
	if f.Type == List {
		return f.Elem
	}
	return f.Type
}

type fieldInfo struct {
	typ, elem Type
	enum      []string // the schema's list of values, of the field or its elements
}

// Fields is the catalog of one kind's fields: the properties of its schema,
// the derived fields, and any other paths seen in its records (records that
// fail validation may hold fields the schema does not know).
type Fields struct {
	Kind   record.Kind
	stored map[string]fieldInfo // dotted path without list indexes → type
}

var envelope = map[string]fieldInfo{
	"kind": {Text, Any, nil}, "id": {Text, Any, nil}, "path": {Text, Any, nil},
}

var (
	catalogMu sync.Mutex
	catalogs  = map[record.Kind]map[string]fieldInfo{}
)

// FieldsOf returns the catalog of a kind, read from its embedded schema.
func FieldsOf(k record.Kind) (*Fields, error) {
	catalogMu.Lock()
	defer catalogMu.Unlock()
	stored, ok := catalogs[k]
	if !ok {
		var err error
		if stored, err = schemaFields(k); err != nil {
			return nil, err
		}
		catalogs[k] = stored
	}
	f := &Fields{Kind: k, stored: map[string]fieldInfo{}}
	for p, fi := range envelope {
		f.stored[p] = fi
	}
	for p, fi := range stored {
		f.stored[p] = fi
	}
	return f, nil
}

// Observe adds the paths found in records that the schema does not declare,
// so that a query can still reach them.
func (f *Fields) Observe(recs []*record.Record) {
	// The path is built in one buffer, and a string made only for a path
	// not seen before: this walks every field of every record listed.
	var buf []byte
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case record.Map:
			n := len(buf)
			for _, fl := range t {
				k, x := fl.Key, fl.Value
				buf = buf[:n]
				if n > 0 {
					buf = append(buf, '.')
				}
				buf = append(buf, k...)
				if _, ok := f.stored[string(buf)]; !ok {
					f.stored[string(buf)] = fieldInfo{Any, Any, nil}
				}
				walk(x)
			}
			buf = buf[:n]
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	for _, r := range recs {
		buf = buf[:0]
		walk(r.Data)
	}
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// Names lists every field a query of this kind can name, stored then
// derived, for help and suggestions.
func (f *Fields) Names() []string {
	var names []string
	for p := range f.stored {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, d := range DerivedFields(f.Kind) {
		names = append(names, d.Name)
	}
	return names
}

// Resolve turns a dotted path into a field, or explains why it names none,
// suggesting the closest field of the kind.
func (f *Fields) Resolve(name string) (Field, error) {
	if d := derivedField(f.Kind, name); d != nil {
		return Field{Name: name, Type: d.Type, derived: d}, nil
	}
	if name == "title" && record.Info(f.Kind).TitleField == "name" {
		// People and customers have a name where others have a title.
		fl, err := f.Resolve("name")
		fl.Name = name
		return fl, err
	}
	parts := strings.Split(name, ".")
	var canon []string
	for i, p := range parts {
		if p == "" {
			return Field{}, i18n.Errorf("%q is not a field path (parts are separated by single dots)", name)
		}
		if _, err := strconv.Atoi(p); err == nil && i > 0 {
			// A list index: the parent must be a list.
			if fi, ok := f.stored[strings.Join(canon, ".")]; ok && fi.typ != List && fi.typ != Any {
				return Field{}, i18n.Errorf("%s is a %s, not a list: it has no element %s", strings.Join(parts[:i], "."), fi.typ.Word(), p)
			}
			continue
		}
		canon = append(canon, p)
	}
	key := strings.Join(canon, ".")
	fi, ok := f.stored[key]
	if !ok {
		s := closest(key, f.Names())
		for _, n := range f.Names() {
			// a field typed as its Chinese word (金額: amount)
			if t := i18n.TermIn(i18n.Chinese, "field", n); t != n && t == key {
				s = n
			}
		}
		if s != "" {
			return Field{}, i18n.Errorf("unknown field %q for %s records (did you mean %q?)", name, i18n.Term("kind", string(f.Kind)), s)
		}
		return Field{}, i18n.Errorf("unknown field %q for %s records", name, i18n.Term("kind", string(f.Kind)))
	}
	// An index picks one element: the field is then of the element's type.
	if last := parts[len(parts)-1]; len(parts) > 1 && isIndex(last) && fi.typ == List {
		fi = fieldInfo{fi.elem, Any, fi.enum}
	}
	return Field{Name: name, Type: fi.typ, Elem: fi.elem, Enum: fi.enum, parts: parts}, nil
}

func isIndex(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// sameScript reports whether a and b are both plain ASCII or both not.
func sameScript(a, b string) bool {
	isASCII := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return false
			}
		}
		return true
	}
	return isASCII(a) == isASCII(b)
}

// closest returns the candidate nearest to name when it is near enough to
// be what was meant.
func closest(name string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if !sameScript(name, c) {
			continue // a Chinese word is no misspelling of a key
		}
		d := schema.Distance(strings.ToLower(name), strings.ToLower(c))
		// A bare name that is the last part of a nested field ("solution" for
		// "resolution.solution") is a good guess too.
		if i := strings.LastIndexByte(c, '.'); i >= 0 && strings.EqualFold(c[i+1:], name) {
			d = 1
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(name) > 8 {
		limit = 3
	}
	if bestD <= limit {
		return best
	}
	return ""
}

// schemaFields reads a kind's schema and records the type of every
// property, nested ones by dotted path ("items.amount", "resolution.resolved_at").
func schemaFields(k record.Kind) (map[string]fieldInfo, error) {
	raw, err := schema.Raw(string(k))
	if err != nil {
		return nil, fmt.Errorf("reading the schema of %s: %w", k, err)
	}
	commonRaw, err := schema.Raw("common")
	if err != nil {
		return nil, fmt.Errorf("reading the common schema: %w", err)
	}
	var doc, common map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("schema of %s: %w", k, err)
	}
	if err := json.Unmarshal(commonRaw, &common); err != nil {
		return nil, fmt.Errorf("common schema: %w", err)
	}
	defs, _ := common["$defs"].(map[string]any)
	out := map[string]fieldInfo{}
	// enumOf is a property's list of values, written in it or in the
	// common definition it refers to.
	enumOf := func(s map[string]any) []string {
		if ref, ok := s["$ref"].(string); ok {
			if name, ok := strings.CutPrefix(ref, "common.json#/$defs/"); ok {
				s, _ = defs[name].(map[string]any)
			}
		}
		vs, _ := s["enum"].([]any)
		var out []string
		for _, v := range vs {
			if w, ok := v.(string); ok {
				out = append(out, w)
			}
		}
		return out
	}
	var props func(s map[string]any, prefix string)
	var typeOf func(s map[string]any, path string) Type
	typeOf = func(s map[string]any, path string) Type {
		if ref, ok := s["$ref"].(string); ok {
			if name, ok := strings.CutPrefix(ref, "common.json#/$defs/"); ok {
				if def, ok := defs[name].(map[string]any); ok {
					return typeOf(def, path)
				}
			}
			return Any
		}
		switch s["format"] {
		case "date":
			return Date
		case "date-time":
			return Instant
		case "money", "signed-money":
			return Money
		}
		if _, ok := s["const"]; ok {
			return Text
		}
		switch t := s["type"].(type) {
		case string:
			switch t {
			case "string":
				return Text
			case "number", "integer":
				return Number
			case "boolean":
				return Bool
			case "array":
				return List
			case "object":
				props(s, path)
				return Object
			}
		}
		return Any // a union of types, anyOf, oneOf
	}
	props = func(s map[string]any, prefix string) {
		ps, _ := s["properties"].(map[string]any)
		for name, v := range ps {
			sub, _ := v.(map[string]any)
			p := join(prefix, name)
			fi := fieldInfo{typeOf(sub, p), Any, enumOf(sub)}
			if fi.typ == List {
				if items, ok := sub["items"].(map[string]any); ok {
					fi.elem = typeOf(items, p)
					fi.enum = enumOf(items)
				}
			}
			out[p] = fi
		}
	}
	props(doc, "")
	return out, nil
}

// ExactMoney returns a copy of a record's values in which every amount of
// money (by the kind's schema) is its exact decimal string with two
// fraction digits ("1860.00"), however the file wrote it (1860, 1860.0,
// "1860.00"), so that scripts reading -o json see one stable shape.
func (f *Fields) ExactMoney(data record.Map) record.Map {
	out, _ := f.exact(data, "").(record.Map)
	return out
}

func (f *Fields) exact(v any, path string) any {
	switch t := v.(type) {
	case record.Map:
		out := make(record.Map, len(t))
		for i, fl := range t {
			p := fl.Key
			if path != "" {
				p = path + "." + fl.Key
			}
			out[i] = record.Field{Key: fl.Key, Value: f.exact(fl.Value, p)}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = f.exact(x, path)
		}
		return out
	}
	fi, ok := f.stored[path]
	if !ok || (fi.typ != Money && !(fi.typ == List && fi.elem == Money)) {
		return v
	}
	if a, ok := record.MoneyOf(v, true); ok && money.ValidLiteral(record.Text(v), false) {
		return a.String()
	}
	return v
}

// ExactValue gives a column's value with money as its exact decimal string,
// as ExactMoney does for whole records.
func ExactValue(f Field, v any) any {
	if f.Type != Money && !(f.Type == List && f.Elem == Money) {
		return v
	}
	return exactAmount(v)
}

func exactAmount(v any) any {
	switch t := v.(type) {
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = exactAmount(x)
		}
		return out
	case money.Amount:
		return t.String()
	case fmt.Stringer:
		if a, err := money.Parse(t.String()); err == nil {
			return a.String()
		}
	}
	if a, ok := record.MoneyOf(v, true); ok && money.ValidLiteral(record.Text(v), false) {
		return a.String()
	}
	return v
}

// TopLevel returns the name of a stored field at the top level of the
// record ("amount", not "items.0.amount", nor a derived field), or the
// synthetic kind, id and path; ok is false for any other field.
func (f Field) TopLevel() (name string, ok bool) {
	if f.derived != nil || len(f.parts) != 1 {
		return "", false
	}
	return f.parts[0], true
}
