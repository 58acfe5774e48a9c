// Package money holds exact decimal amounts. Amounts are read from the text of
// a record (a YAML literal), never through binary floating point, and every sum
// is exact.
package money

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Amount is an exact decimal amount of money.
type Amount struct{ d decimal.Decimal }

// Zero is the amount 0.
var Zero = Amount{}

// plainLiteral reports whether s is -?[0-9]+(\.[0-9]+)?: written by hand,
// as the rules read every amount of every record through it.
func plainLiteral(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	return digits(whole) && (!dot || digits(frac))
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Parse reads a plain decimal literal such as "1280.50" or "-300". Exponents,
// hexadecimal, leading '+', thousands separators and special values are refused.
func Parse(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	if !plainLiteral(s) {
		return Amount{}, fmt.Errorf("%q is not a plain decimal amount", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Amount{}, fmt.Errorf("%q is not a decimal amount: %w", s, err)
	}
	return Amount{d}, nil
}

// MustParse is Parse for constants; it panics on a bad literal.
func MustParse(s string) Amount {
	a, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

// FromInt returns a whole amount.
func FromInt(n int64) Amount { return Amount{decimal.NewFromInt(n)} }

// FractionDigits is the number of digits written after the point in the literal
// the amount was parsed from, trailing zeros included ("1.50" has 2).
func FractionDigits(s string) int {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// ValidLiteral reports whether s is a money literal: a plain decimal with at
// most two fraction digits, positive unless signed is true (then non-zero).
func ValidLiteral(s string, signed bool) bool {
	a, err := Parse(s)
	if err != nil || FractionDigits(s) > 2 {
		return false
	}
	if signed {
		return !a.IsZero()
	}
	return a.Sign() > 0
}

func (a Amount) Add(b Amount) Amount       { return Amount{a.d.Add(b.d)} }
func (a Amount) Sub(b Amount) Amount       { return Amount{a.d.Sub(b.d)} }
func (a Amount) Neg() Amount               { return Amount{a.d.Neg()} }
func (a Amount) Cmp(b Amount) int          { return a.d.Cmp(b.d) }
func (a Amount) Equal(b Amount) bool       { return a.d.Equal(b.d) }
func (a Amount) Sign() int                 { return a.d.Sign() }
func (a Amount) IsZero() bool              { return a.d.IsZero() }
func (a Amount) GreaterThan(b Amount) bool { return a.d.GreaterThan(b.d) }
func (a Amount) LessThan(b Amount) bool    { return a.d.LessThan(b.d) }

// MulDiv returns a × n / d rounded half-up to two places, for shares and
// percentages shown to people; sums are never computed through it.
func (a Amount) MulDiv(n, d int64) Amount {
	if d == 0 {
		return Zero
	}
	return Amount{a.d.Mul(decimal.NewFromInt(n)).DivRound(decimal.NewFromInt(d), 2)}
}

// Percent returns a / b × 100 rounded to one decimal place; 0 when b is zero.
func Percent(a, b Amount) string {
	if b.IsZero() {
		return "0.0"
	}
	return a.d.Mul(decimal.NewFromInt(100)).DivRound(b.d, 1).StringFixed(1)
}

// PercentFloat is Percent as a float for drawing bars, never for money.
func PercentFloat(a, b Amount) float64 {
	if b.IsZero() {
		return 0
	}
	f, _ := a.d.Mul(decimal.NewFromInt(100)).Div(b.d).Float64()
	return f
}

// String writes the amount with exactly two fraction digits ("1280.50").
func (a Amount) String() string { return a.d.StringFixed(2) }

// Grouped writes the amount with thousands separators ("1,280.50") for tables.
func (a Amount) Grouped() string {
	s := a.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

// MarshalJSON writes the amount as an exact decimal string ("1280.50").
func (a Amount) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// UnmarshalJSON reads a decimal string or number.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Sum adds amounts exactly.
func Sum(as ...Amount) Amount {
	t := Zero
	for _, a := range as {
		t = t.Add(a)
	}
	return t
}
