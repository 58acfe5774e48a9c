package record

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestMapFields(t *testing.T) {
	m := MapOf("status", "draft", "amount", json.Number("5"), "id", "EXP-2026-0001")
	if v, ok := m.Get("amount"); !ok || v != json.Number("5") {
		t.Fatalf("Get(amount) = %v %v", v, ok)
	}
	if _, ok := m.Get("none"); ok || m.Has("none") || !m.Has("id") {
		t.Fatal("Get/Has of a missing key")
	}
	m.Set("status", "submitted") // replaced in place
	m.Set("note", "x")           // added last
	if got := []string{m[0].Key, m[3].Key}; !reflect.DeepEqual(got, []string{"status", "note"}) || m[0].Value != "submitted" {
		t.Fatalf("Set: %v", m)
	}
	if len(m) != 4 || m[1].Key != "amount" {
		t.Fatalf("Set reordered the map: %v", m)
	}
}

// A Map writes the JSON a Go map of the same values writes (keys sorted),
// and writes nothing escaped for HTML unless its encoder asks.
func TestMapJSON(t *testing.T) {
	m := MapOf("title", "A <b> & c", "items", []any{MapOf("z", true, "a", json.Number("1.50"))}, "empty", Map{}, "list", []any{})
	got, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(Plain(m))
	if !bytes.Equal(got, want) {
		t.Fatalf("json.Marshal(Map) = %s\nof the same map:   %s", got, want)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	if want := `{"empty":{},"items":[{"a":1.50,"z":true}],"list":[],"title":"A <b> & c"}` + "\n"; b.String() != want {
		t.Fatalf("encoder without HTML escaping wrote %s, want %s", b.String(), want)
	}
}

func TestPlain(t *testing.T) {
	got := Plain(MapOf("a", []any{MapOf("b", "c")}, "n", json.Number("2")))
	want := map[string]any{"a": []any{map[string]any{"b": "c"}}, "n": json.Number("2")}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Plain = %#v", got)
	}
}

// Parsed records keep their fields in the file's order, on both parse
// routes.
func TestMapKeepsFileOrder(t *testing.T) {
	src := "kind: expense\nid: EXP-2026-0001\nzeta: 1\nalpha: x\nitems:\n  - {b: 1, a: 2}\n"
	for _, lean := range []bool{false, true} {
		var r *Record
		if lean {
			r, _ = ParseLean("records/expenses/2026/EXP-2026-0001.yaml", []byte(src))
		} else {
			r, _ = Parse("records/expenses/2026/EXP-2026-0001.yaml", []byte(src))
		}
		if r == nil {
			t.Fatal("not parsed")
		}
		var keys []string
		for _, f := range r.Data {
			keys = append(keys, f.Key)
		}
		if !reflect.DeepEqual(keys, []string{"kind", "id", "zeta", "alpha", "items"}) {
			t.Fatalf("lean=%v: keys %v", lean, keys)
		}
		item := r.List("items")[0].(Map)
		if item[0].Key != "b" {
			t.Fatalf("lean=%v: item keys %v", lean, item)
		}
	}
}
