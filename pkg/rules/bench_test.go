package rules_test

import (
	"context"
	"os"
	"testing"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// BenchmarkCheck runs every cross-record rule over 5,000 generated records
// (attachments answered from memory, so the figure is the rules' own).
func BenchmarkCheck(b *testing.B) {
	dir, err := gen.Shared(5000, 1)
	if err != nil {
		b.Fatal(err)
	}
	recs, _, err := record.Load(context.Background(), dir, "records")
	if err != nil {
		b.Fatal(err)
	}
	set := record.NewSet(recs)
	pol := config.Default()
	exists := func(string) bool { return true }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rules.Check(&rules.Context{Set: set, Policy: pol, Root: dir, Now: gen.DefaultUntil, Exists: exists})
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	gen.Cleanup()
	os.Exit(code)
}
