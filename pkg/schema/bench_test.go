package schema_test

import (
	"context"
	"os"
	"testing"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/schema"
)

// BenchmarkValidate checks 5,000 generated records against their schemas.
func BenchmarkValidate(b *testing.B) {
	dir, err := gen.Shared(5000, 1)
	if err != nil {
		b.Fatal(err)
	}
	recs, _, err := record.Load(context.Background(), dir, "records")
	if err != nil {
		b.Fatal(err)
	}
	p := config.Default()
	s, err := schema.Compile(p.ExpenseCategories, p.ComplaintCategories)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range recs {
			if ds := s.Validate(r); len(ds) > 0 {
				b.Fatal(ds[0])
			}
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	gen.Cleanup()
	os.Exit(code)
}
