package report

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// NearestRank returns the p-th percentile (0 < p <= 100) of ds by the
// nearest-rank method: sort ascending and take the value at rank
// ⌈p/100 × n⌉ (1-based). The result is always one of the observations, so
// "median 4.0h" names a real complaint's time; with an even count the median
// is the lower middle value, not the mean of the two. ok is false for no
// observations.
func NearestRank(ds []time.Duration, p int) (time.Duration, bool) {
	if len(ds) == 0 || p <= 0 || p > 100 {
		return 0, false
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	// ⌈p·n/100⌉ in integers, so no rounding error picks the wrong rank.
	rank := (p*len(s) + 99) / 100
	return s[rank-1], true
}

// hoursOf writes a duration as hours with one decimal (a JSON number), or
// nil for "no observation".
func hoursOf(d time.Duration, ok bool) *json.Number {
	if !ok {
		return nil
	}
	n := json.Number(strconv.FormatFloat(math.Round(d.Hours()*10)/10, 'f', 1, 64))
	return &n
}

// percentOf is n/of × 100 with one decimal, exact ("0.0" when of is 0).
func percentOf(n, of int) string {
	if of == 0 {
		return "0.0"
	}
	return decimal.NewFromInt(int64(n)).Mul(decimal.NewFromInt(100)).DivRound(decimal.NewFromInt(int64(of)), 1).StringFixed(1)
}

// PercentValue reads a percentage written by this package, for drawing.
func PercentValue(s string) float64 {
	if s == "" {
		return 101 // spending without a budget: a full bar, marked over
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// average is sum/n rounded half-up to places, exact; nil for n == 0.
func average(sum decimal.Decimal, n, places int) *json.Number {
	if n == 0 {
		return nil
	}
	v := json.Number(sum.DivRound(decimal.NewFromInt(int64(n)), int32(places)).StringFixed(int32(places)))
	return &v
}

// numText is a JSON number as text, "—" for none.
func numText(n *json.Number, suffix string) string {
	if n == nil {
		return "—"
	}
	return string(*n) + suffix
}
