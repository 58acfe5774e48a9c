package record

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// Map is a YAML mapping as plain values: its fields in the order the file
// writes them. A record's fields are few (a dozen at the top, three or four
// in a list item), so a slice searched in order is both smaller and faster
// than a Go map: 100,000 records as maps took 135 MB, as Maps about a
// third of that. Keys are unique (the parser refuses a key written twice).
type Map []Field

// Field is one key of a Map and its value.
type Field struct {
	Key   string
	Value any
}

// Get returns the value of key.
func (m Map) Get(key string) (any, bool) {
	for i := range m {
		if m[i].Key == key {
			return m[i].Value, true
		}
	}
	return nil, false
}

// Has reports whether the map holds key.
func (m Map) Has(key string) bool {
	_, ok := m.Get(key)
	return ok
}

// Set gives key a value, replacing its old one in place or adding it last.
func (m *Map) Set(key string, v any) {
	for i := range *m {
		if (*m)[i].Key == key {
			(*m)[i].Value = v
			return
		}
	}
	*m = append(*m, Field{key, v})
}

// sorted returns the fields in key order (the receiver is not changed).
func (m Map) sorted() Map {
	out := slices.Clone(m)
	slices.SortFunc(out, func(a, b Field) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// Plain converts plain values holding Maps into the same values with
// map[string]any, the form encoding/json and the JSON Schema validator
// know.
func Plain(v any) any {
	switch t := v.(type) {
	case Map:
		out := make(map[string]any, len(t))
		for _, f := range t {
			out[f.Key] = Plain(f.Value)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = Plain(x)
		}
		return out
	}
	return v
}

// MarshalJSON writes the map as a JSON object with its keys sorted, as
// encoding/json writes a Go map, so JSON output stays stable. Nothing is
// escaped for HTML here: an encoder that wants it escapes the whole.
func (m Map) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteByte('{')
	for i, f := range m.sorted() {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := enc.Encode(f.Key); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1) // Encode ends with a newline
		b.WriteByte(':')
		if err := enc.Encode(f.Value); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// MapOf builds a Map from keys and values in turn: MapOf("id", "x",
// "amount", json.Number("5")). For literals in code and tests; it panics
// on an odd count or a key that is not a string.
func MapOf(kv ...any) Map {
	if len(kv)%2 != 0 {
		panic("record.MapOf: odd number of arguments")
	}
	m := make(Map, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m = append(m, Field{Key: kv[i].(string), Value: kv[i+1]})
	}
	return m
}
