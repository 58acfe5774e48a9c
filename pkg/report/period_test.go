package report

import (
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	for _, c := range []struct{ in, from, to, last string }{
		{"2026", "2026-01-01", "2027-01-01", "2026-12-31"},
		{"2026-H1", "2026-01-01", "2026-07-01", "2026-06-30"},
		{"2026-H2", "2026-07-01", "2027-01-01", "2026-12-31"},
		{"2026-Q1", "2026-01-01", "2026-04-01", "2026-03-31"},
		{"2026-Q3", "2026-07-01", "2026-10-01", "2026-09-30"},
		{"2026-Q4", "2026-10-01", "2027-01-01", "2026-12-31"},
		{"2026-02", "2026-02-01", "2026-03-01", "2026-02-28"},
		{"2024-02", "2024-02-01", "2024-03-01", "2024-02-29"},
		{"2026-12", "2026-12-01", "2027-01-01", "2026-12-31"},
	} {
		p, err := ParsePeriod(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if p.From != c.from || p.To != c.to || p.Last() != c.last || p.Label != c.in {
			t.Errorf("%s = %+v (last %s), want %s..%s (last %s)", c.in, p, p.Last(), c.from, c.to, c.last)
		}
	}
	for _, bad := range []string{"", "26", "2026-H3", "2026-Q0", "2026-Q5", "2026-13", "2026-00", "2026-3", "2026/03", "2026-W01", "0999", "2026-H1 "} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) accepted", bad)
		}
	}
}

func TestPeriodContains(t *testing.T) {
	q3, _ := ParsePeriod("2026-Q3")
	for in, want := range map[string]bool{
		"2026-06-30":                false,
		"2026-07-01":                true,
		"2026-09-30":                true,
		"2026-10-01":                false,
		"2026-09-30T23:59:00+08:00": true,  // the day written in the instant
		"2026-10-01T00:10:00+08:00": false, // even if it is still 09-30 in UTC
		"2026-07":                   false,
		"":                          false,
	} {
		eq(t, "Q3 contains "+in, q3.Contains(in), want)
	}
	h1, _ := ParsePeriod("2026-H1")
	y, _ := ParsePeriod("2026")
	m3, _ := ParsePeriod("2026-03")
	eq(t, "2026-03 within 2026-H1", m3.Within(h1), true)
	eq(t, "2026 within 2026-H1", y.Within(h1), false)
	eq(t, "2026-H1 within 2026", h1.Within(y), true)
	eq(t, "year", q3.Year(), 2026)
}

func TestNearestRank(t *testing.T) {
	h := func(xs ...int) []time.Duration {
		var out []time.Duration
		for _, x := range xs {
			out = append(out, time.Duration(x)*time.Hour)
		}
		return out
	}
	for _, c := range []struct {
		in      []time.Duration
		p, want int
	}{
		// 1..10: median rank ⌈5⌉ = 5, p90 rank ⌈9⌉ = 9.
		{h(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 50, 5},
		{h(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 90, 9},
		// Four values: median is the lower middle (rank 2), p90 rank ⌈3.6⌉ = 4.
		{h(4, 1, 3, 2), 50, 2},
		{h(4, 1, 3, 2), 90, 4},
		// One value is every percentile.
		{h(7), 50, 7},
		{h(7), 90, 7},
		// Eleven values: p90 rank ⌈9.9⌉ = 10.
		{h(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 90, 10},
		{h(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 100, 11},
	} {
		got, ok := NearestRank(c.in, c.p)
		if !ok || got != time.Duration(c.want)*time.Hour {
			t.Errorf("NearestRank(%v, %d) = %v, %v; want %dh", c.in, c.p, got, ok, c.want)
		}
	}
	if _, ok := NearestRank(nil, 50); ok {
		t.Error("NearestRank of nothing reported a value")
	}
	if hoursOf(NearestRank(nil, 50)) != nil {
		t.Error("hoursOf(no value) is not null")
	}
	if got := hoursOf(95*time.Minute, true); string(*got) != "1.6" {
		t.Errorf("hoursOf(95m) = %s, want 1.6", *got)
	}
}
