package memojson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

type inner struct {
	Text  string   `json:"text"`
	Needs []string `json:"needs,omitempty"`
	skip  int
}

type value struct {
	inner
	When   time.Time          `json:"when"`
	Until  *time.Time         `json:"until"`
	Counts map[string]int     `json:"counts"`
	Raw    json.RawMessage    `json:"raw"`
	Items  []inner            `json:"items"`
	Amount json.Number        `json:"amount"`
	Nested map[string][]inner `json:"nested,omitempty"`
	Flag   bool               `json:"flag"`
}

// TestSameAsEncodingJSON: what memojson writes is what encoding/json
// writes (the keys of maps sorted, HTML escaped, times in RFC 3339, an
// embedded struct's fields inline), and reading it back gives the value
// encoding/json gives.
func TestSameAsEncodingJSON(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 30, 0, 123, time.FixedZone("CST", 8*3600))
	v := value{inner: inner{Text: "<投訴> & \u2028「逾期」", Needs: []string{"a", "b"}, skip: 3}, When: at, Until: &at,
		Counts: map[string]int{"z": 1, "a": 2, "中": 3}, Raw: json.RawMessage(`{"b":1,"a":[true,null]}`),
		Items: []inner{{Text: "x"}, {Text: "y", Needs: []string{}}}, Amount: "1280.50",
		Nested: map[string][]inner{"k": {{Text: "n"}}}, Flag: true}
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("memojson wrote\n%s\nencoding/json\n%s", got, want)
	}
	var a, b value
	if err := Unmarshal(want, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("read back\n%+v\nencoding/json\n%+v", a, b)
	}
}

// TestDamagedIsAnError: a memo's value cut short, garbled or of the wrong
// shape is an error.
func TestDamagedIsAnError(t *testing.T) {
	good, _ := json.Marshal(value{Items: []inner{{Text: "x"}}})
	for _, data := range [][]byte{good[:len(good)/2], append([]byte("\x00\xff"), good...), []byte(`{"items": 3}`), []byte(`[1,2]`), nil} {
		var v value
		if err := Unmarshal(data, &v); err == nil {
			t.Errorf("%q read without an error", data)
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	data := sample()
	for b.Loop() {
		var v []value
		if err := Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalEncodingJSON(b *testing.B) {
	data := sample()
	for b.Loop() {
		var v []value
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// sample is a value of 10,000 items, some 3 MB of JSON.
func sample() []byte {
	vs := make([]value, 10000)
	for i := range vs {
		vs[i] = value{inner: inner{Text: "客戶投訴：包裹標示已送達但未收到", Needs: []string{"需要主管核准"}}, When: time.Unix(int64(i)*3600, 0).UTC(),
			Counts: map[string]int{"open": i}, Raw: json.RawMessage(`{}`), Items: []inner{{Text: "x"}}, Amount: "99.50"}
	}
	data, _ := json.Marshal(vs)
	return data
}
