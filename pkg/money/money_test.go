package money

import (
	"regexp"
	"testing"
)

func TestParseExact(t *testing.T) {
	// 0.1 + 0.2 is the classic float failure; decimals must be exact.
	a := MustParse("0.10").Add(MustParse("0.20"))
	if !a.Equal(MustParse("0.3")) {
		t.Fatalf("0.10+0.20 = %s", a)
	}
	if got := MustParse("980.50").Add(MustParse("300")).String(); got != "1280.50" {
		t.Fatalf("sum = %s", got)
	}
}

func TestParseRefusesNonDecimals(t *testing.T) {
	for _, s := range []string{"1e3", "0x1F", ".inf", "+5", "1,000", "", "abc", "1.", ".5"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func TestValidLiteral(t *testing.T) {
	cases := map[string]bool{"1280.50": true, "1": true, "0.01": true, "0": false, "-5": false, "1.005": false, "12.3": true}
	for s, want := range cases {
		if got := ValidLiteral(s, false); got != want {
			t.Errorf("ValidLiteral(%q) = %v, want %v", s, got, want)
		}
	}
	if !ValidLiteral("-5000.00", true) || ValidLiteral("0", true) {
		t.Error("signed literal rules wrong")
	}
}

func TestGroupedAndPercent(t *testing.T) {
	if g := MustParse("2400000").Grouped(); g != "2,400,000.00" {
		t.Errorf("Grouped = %s", g)
	}
	if g := MustParse("-1234.5").Grouped(); g != "-1,234.50" {
		t.Errorf("Grouped = %s", g)
	}
	if p := Percent(MustParse("1"), MustParse("3")); p != "33.3" {
		t.Errorf("Percent = %s", p)
	}
	if p := Percent(MustParse("1"), Zero); p != "0.0" {
		t.Errorf("Percent by zero = %s", p)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	b, _ := MustParse("1280.5").MarshalJSON()
	if string(b) != `"1280.50"` {
		t.Fatalf("json = %s", b)
	}
	var a Amount
	if err := a.UnmarshalJSON(b); err != nil || a.String() != "1280.50" {
		t.Fatalf("unmarshal: %v %s", err, a)
	}
}

// The literal shape as a regular expression: the reference plainLiteral
// must agree with.
var refLiteral = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

func FuzzPlainLiteral(f *testing.F) {
	for _, s := range []string{"0", "-0", "1280.50", "-300", "1.", ".5", "-", "", "1e3", "+1", "1,000", "1.2.3", "١٢", "0x1F", "12.5\n", "--1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := plainLiteral(s), refLiteral.MatchString(s); got != want {
			t.Fatalf("plainLiteral(%q) = %v, the regular expression says %v", s, got, want)
		}
	})
}
