package record

import (
	"encoding/json"

	"github.com/shopspring/decimal"
)

// SameValue compares plain record values; numbers compare by their decimal
// value, so 1280.50 and 1280.5 are the same amount and rewriting a literal
// is not a change.
func SameValue(x, y any) bool {
	switch a := x.(type) {
	case json.Number:
		b, ok := y.(json.Number)
		return ok && SameNumber(string(a), string(b))
	case Map:
		b, ok := y.(Map)
		if !ok || len(a) != len(b) {
			return false
		}
		for _, f := range a {
			w, ok := b.Get(f.Key)
			if !ok || !SameValue(f.Value, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !SameValue(a[i], b[i]) {
				return false
			}
		}
		return true
	case string:
		b, ok := y.(string)
		return ok && a == b
	case bool:
		b, ok := y.(bool)
		return ok && a == b
	}
	return x == nil && y == nil
}

// SameNumber compares two number literals by value.
func SameNumber(a, b string) bool {
	if a == b {
		return true
	}
	da, err1 := decimal.NewFromString(a)
	db, err2 := decimal.NewFromString(b)
	return err1 == nil && err2 == nil && da.Equal(db)
}
