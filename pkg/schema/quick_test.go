package schema

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/record"
)

// palette holds values a mutation writes: each kind of value, valid and
// invalid formats, limits and their neighbours.
var palette = []any{
	"", " ", "x", "Li Wei", "li.wei", "Li.Wei", "EXP-2026-0001", "EXP-26-1", "PRJ-2026-0001", "CUS-0001",
	"2026-01-01", "2026-13-45", "2026-02-30", "2026-01-08T10:20:00+08:00", "2026-01-08T10:20:00", "2026-H1", "2026-Q5",
	"a@example.com", "not-an-email", "attachments/x.txt", "/abs/x", "../x", "a//b", "unreachable", "travel", "snacks",
	"draft", "paid", "closed", "complaint", "inquiry", "low", "critical", "feasible", "done", "internal", "director",
	json.Number("0"), json.Number("1"), json.Number("-1"), json.Number("1.5"), json.Number("5"), json.Number("6"),
	json.Number("100"), json.Number("101"), json.Number("100.00"), json.Number("99.99"), json.Number("0.00"),
	json.Number("5000.001"), json.Number("1280.50"), json.Number("-0.5"), json.Number("2026"), json.Number("3.0"),
	true, false, []any{}, []any{"a", "a"}, []any{"a", "b"}, []any{json.Number("1")}, map[string]any{},
	map[string]any{"x": "y"}, []any{map[string]any{}},
}

func clone(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = clone(x)
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = clone(x)
		}
		return l
	}
	return v
}

// toMap turns maps (as mutate changes them) back into record.Maps, the
// form the quick check reads.
func toMap(v any) any {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m := make(record.Map, 0, len(t))
		for _, k := range keys {
			m = append(m, record.Field{Key: k, Value: toMap(t[k])})
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = toMap(x)
		}
		return l
	}
	return v
}

// containers lists every map and list inside v.
func containers(v any, out *[]any) {
	switch t := v.(type) {
	case map[string]any:
		*out = append(*out, t)
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			containers(t[k], out)
		}
	case []any:
		*out = append(*out, t)
		for _, x := range t {
			containers(x, out)
		}
	}
}

func mutate(rng *rand.Rand, data map[string]any) {
	var cs []any
	containers(data, &cs)
	c := cs[rng.IntN(len(cs))]
	val := clone(palette[rng.IntN(len(palette))])
	switch t := c.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		switch x := rng.IntN(10); {
		case x < 2 && len(keys) > 0:
			delete(t, keys[rng.IntN(len(keys))])
		case x < 3:
			t["unknown_"+strconv.Itoa(rng.IntN(3))] = val
		case len(keys) > 0:
			t[keys[rng.IntN(len(keys))]] = val
		}
	case []any:
		if len(t) > 0 {
			t[rng.IntN(len(t))] = val
		}
	}
}

// TestQuickAgrees: on generated records, valid and mutated, the quick
// check never says yes where the validator refuses, nor no where it
// accepts.
func TestQuickAgrees(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 600
	}
	dir, err := gen.Shared(n, 9)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := record.Load(context.Background(), dir, "records")
	if err != nil {
		t.Fatal(err)
	}
	s := compileSample(t)
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	judge := func(k record.Kind, data map[string]any, what string) {
		q := s.quick[k].get().check(toMap(data), 0, false)
		sch, err := s.full.get(k)
		if err != nil {
			t.Fatal(err)
		}
		full := sch.Validate(any(data)) == nil
		switch {
		case q == yes && !full:
			b, _ := json.Marshal(data)
			t.Fatalf("%s %s: quick check says valid, the validator refuses: %s", k, what, b)
		case q == no && full:
			b, _ := json.Marshal(data)
			t.Fatalf("%s %s: quick check says invalid, the validator accepts: %s", k, what, b)
		}
		counts[[]string{"unsure", "yes", "no"}[q]]++
	}
	for _, r := range recs {
		plain := record.Plain(r.Data).(map[string]any)
		judge(r.Kind, plain, "as generated")
		for i := 0; i < 8; i++ {
			d := clone(plain).(map[string]any)
			for j := 0; j <= rng.IntN(3); j++ {
				mutate(rng, d)
			}
			judge(r.Kind, d, "mutated")
		}
	}
	t.Logf("verdicts: %v", counts)
	if counts["unsure"] > counts["yes"]/20 {
		t.Errorf("quick check unsure too often: %v", counts)
	}
}

// TestEveryKindCompiles: the full validators are compiled on first use;
// every kind's and the policy's must compile (a broken schema would otherwise surface only
// on the first invalid record of its kind).
func TestEveryKindCompiles(t *testing.T) {
	s, err := Compile([]string{"travel"}, []string{"service"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ki := range record.Kinds {
		if _, err := s.full.get(ki.Kind); err != nil {
			t.Errorf("%s: %v", ki.Kind, err)
		}
	}
	if _, err := s.full.file("policy.json"); err != nil {
		t.Errorf("policy: %v", err)
	}
}

// TestQuickAgreesOnPolicy: the policy's quick check accepts the shipped
// policy (so a command never compiles the policy's validator) and agrees
// with the validator on mutations of it.
func TestQuickAgreesOnPolicy(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".opsbook.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rec, ds := record.Parse(".opsbook.yaml", data)
	if rec == nil {
		t.Fatal(ds)
	}
	s, err := Compile([]string{"travel", "other"}, []string{"service", "other"})
	if err != nil {
		t.Fatal(err)
	}
	if q := s.policy.get().check(any(rec.Data), 0, false); q != yes {
		t.Fatalf("the shipped policy: quick check says %v, want yes", q)
	}
	sch, err := s.full.file("policy.json")
	if err != nil {
		t.Fatal(err)
	}
	plain := record.Plain(rec.Data).(map[string]any)
	rng := rand.New(rand.NewPCG(3, 4))
	counts := map[string]int{}
	n := 4000
	if testing.Short() {
		n = 800
	}
	for i := 0; i < n; i++ {
		d := clone(plain).(map[string]any)
		for j := 0; j <= rng.IntN(3); j++ {
			mutate(rng, d)
		}
		q := s.policy.get().check(toMap(d), 0, false)
		full := sch.Validate(any(d)) == nil
		if q == yes && !full || q == no && full {
			b, _ := json.Marshal(d)
			t.Fatalf("quick check says %v, the validator %v: %s", q, full, b)
		}
		counts[[]string{"unsure", "yes", "no"}[q]]++
	}
	t.Logf("verdicts: %v", counts)
	if counts["unsure"] > n/20 {
		t.Errorf("quick check unsure too often: %v", counts)
	}
}

// compileSample compiles the schemas with the sample's categories.
func compileSample(t *testing.T) *Set {
	t.Helper()
	s, err := Compile([]string{"personnel", "marketing", "office", "travel", "training", "other"},
		[]string{"product", "service", "billing", "delivery", "staff", "other"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sampleEncrypted is what the sample's policy (.opsbook.yaml) encrypts.
var sampleEncrypted = map[record.Kind][]string{
	record.Customer:  {"contact", "purchases", "preferences"},
	record.Complaint: {"contact"},
	record.Appraisal: {"outcome.reward", "outcome.salary_change", "outcome.promotion", "outcome.recognition", "improvement.goals"},
	record.Violation: {"facts", "decision.reason", "dismissal.reason"},
}

// A ciphertext in an encrypted field is valid whatever the field's
// schema (the validator's findings there are dropped): the quick check
// reads it so (sealed), and a record holding one takes the quick route
// rather than the validator. The two agree on the sample's records that
// hold ciphertexts and on mutations of them.
func TestQuickSealsCiphertexts(t *testing.T) {
	recs, _, err := record.Load(context.Background(), filepath.Join("..", ".."), "records")
	if err != nil {
		t.Fatal(err)
	}
	s := compileSample(t)
	s = s.Encrypting(sampleEncrypted)
	rng := rand.New(rand.NewPCG(3, 4))
	quick, sealedAny, unsealedNot := 0, 0, 0
	judge := func(r *record.Record, what string) {
		q := s.quick[r.Kind].get().check(any(s.sealedView(r)), 0, false)
		sch, err := s.full.get(r.Kind)
		if err != nil {
			t.Fatal(err)
		}
		ds := s.validate(sch, r)
		switch {
		case q == yes && len(ds) > 0:
			t.Fatalf("%s %s: quick check says valid, the validator finds %v", r.Path, what, ds)
		case q == no && len(ds) == 0:
			t.Fatalf("%s %s: quick check says invalid, the validator finds nothing", r.Path, what)
		case q == yes:
			quick++
		}
	}
	for _, r := range recs {
		held := false
		for _, f := range sampleEncrypted[r.Kind] {
			if v, ok := r.Get(f); ok && IsCiphertext(v) {
				held = true
			}
		}
		if !held {
			continue
		}
		sealedAny++
		judge(r, "as filed")
		// a ciphertext where an object or a list is due fails the
		// check unless sealed: those records took the validator
		if s.quick[r.Kind].get().check(any(r.Data), 0, false) != yes &&
			s.quick[r.Kind].get().check(any(s.sealedView(r)), 0, false) == yes {
			unsealedNot++
		}
		plain := record.Plain(r.Data).(map[string]any)
		for i := 0; i < 20; i++ {
			d := clone(plain).(map[string]any)
			for j := 0; j <= rng.IntN(3); j++ {
				mutate(rng, d)
			}
			judge(record.Restore(r.Path, r.Kind, r.ID, toMap(d).(record.Map), nil, ""), "mutated")
		}
	}
	if sealedAny == 0 || quick < sealedAny || unsealedNot == 0 {
		t.Errorf("of %d records holding ciphertexts (and their mutations), %d took the quick route; %d only sealed", sealedAny, quick, unsealedNot)
	}
	t.Logf("%d records hold ciphertexts; %d took the quick route only sealed; %d quick verdicts of yes", sealedAny, unsealedNot, quick)
	// the record's own data is never changed
	for _, r := range recs {
		if r.Kind == record.Appraisal {
			before := record.Plain(r.Data)
			s.sealedView(r)
			if b1, b2 := fmt.Sprint(before), fmt.Sprint(record.Plain(r.Data)); b1 != b2 {
				t.Fatalf("%s: sealing changed the record", r.Path)
			}
		}
	}
}
