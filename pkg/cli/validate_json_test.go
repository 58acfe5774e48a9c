package cli

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/render"
)

// validate -o json writes its answer one diagnostic at a time
// (writeValidateJSON), byte for byte what encoding the whole answer
// (render.WriteJSON) writes: no diagnostics, one, many, with every field
// and without the optional one, and messages holding what JSON escapes
// or WriteJSON leaves alone (quotes, backslashes, control characters,
// <, > and &, Chinese, U+2028).
func TestValidateJSONStreamedIsWhole(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 5))
	texts := []string{"", "plain", `"quoted" \\ back`, "tab\tnew\nline\x01", "<b>&amp;</b>", "預算超支：已核准 5,000.00", "line\u2028sep", "claims EXP-2026-0001, EXP-2026-0002"}
	pick := func() string { return texts[rnd.IntN(len(texts))] }
	for round := 0; round < 200; round++ {
		var ds []diag.Diagnostic
		for i := rnd.IntN(6) - 1; i > 0; i-- {
			sev := diag.Error
			if rnd.IntN(2) == 0 {
				sev = diag.Warning
			}
			ds = append(ds, diag.Diagnostic{Path: "records/" + pick(), Line: rnd.IntN(100), Column: rnd.IntN(40), Severity: sev,
				Rule: pick(), Message: pick(), Text: pick(), Record: pick(), Field: []string{"", "amount", pick()}[rnd.IntN(3)]})
		}
		if ds == nil && rnd.IntN(2) == 0 {
			ds = []diag.Diagnostic{} // as runValidate gives it
		}
		v := validateJSON{ds, rnd.IntN(1000), rnd.IntN(10), rnd.IntN(10)}
		var got, want bytes.Buffer
		if err := writeValidateJSON(&got, v); err != nil {
			t.Fatal(err)
		}
		if err := render.WriteJSON(&want, v); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("round %d (%d diagnostics):\n%s\nwant:\n%s", round, len(ds), got.String(), want.String())
		}
	}
}

// BenchmarkValidateJSON writes the answer of 5,000 diagnostics whose
// messages name a group of 500 claims: streamed, the memory it takes is
// one diagnostic's, not the whole answer's (B/op; the answer is some 40 MB).
func BenchmarkValidateJSON(b *testing.B) {
	var ids strings.Builder
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&ids, "EXP-2026-%06d, ", i)
	}
	ds := make([]diag.Diagnostic, 5000)
	for i := range ds {
		ds[i] = diag.Diagnostic{Path: fmt.Sprintf("records/expenses/2026/EXP-2026-%06d.yaml", i), Line: 6, Column: 7, Severity: diag.Warning, Rule: "split-claim", Message: "claims " + ids.String(), Record: fmt.Sprintf("EXP-2026-%06d", i)}
	}
	v := validateJSON{ds, 30000, 0, len(ds)}
	b.Run("streamed", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := writeValidateJSON(io.Discard, v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("whole", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := render.WriteJSON(io.Discard, v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
