package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// set parses hand-written records, one YAML document each; the file path is
// made up from kind and id, as the repository would place them.
func set(t *testing.T, docs ...string) *record.Set {
	t.Helper()
	var recs []*record.Record
	for _, d := range docs {
		d = strings.TrimLeft(d, "\n")
		rec, ds := record.Parse("doc.yaml", []byte(d))
		if rec == nil || len(ds) > 0 {
			t.Fatalf("parsing test record:\n%s\n%v", d, ds)
		}
		rec.Path = "records/" + record.RelPath(rec.Kind, rec.ID)
		recs = append(recs, rec)
	}
	return record.NewSet(recs)
}

func ctxAt(t *testing.T, s *record.Set, now string) *rules.Context {
	t.Helper()
	n, err := time.Parse(time.RFC3339, now)
	if err != nil {
		t.Fatal(err)
	}
	return &rules.Context{Set: s, Policy: config.Default(), Now: n}
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func num(p *json.Number) string {
	if p == nil {
		return "<nil>"
	}
	return p.String()
}
