package report

import (
	"strings"
	"testing"
)

// complaintSet is six complaints whose figures are worked out by hand in
// TestComplaintsReportByHand. SLA (default policy, hours respond/resolve):
// critical 1/24, high 4/72, medium 8/120, low 24/240. Now is
// 2026-04-03T09:00+08:00.
func complaintSet(t *testing.T) []string {
	return []string{
		// A: medium, answered in 2h, resolved in 100h, closed, scored 4.
		`
kind: complaint
id: CMP-2026-0001
title: A
status: closed
type: complaint
channel: phone
customer: CUS-0001
category: delivery
severity: medium
received_at: 2026-03-01T10:00:00+08:00
summary: s
assignee: wu.qiang
acknowledged_at: 2026-03-01T12:00:00+08:00
resolution: {solution: x, resolved_at: 2026-03-05T14:00:00+08:00}
satisfaction: 4
`,
		// B: medium, same customer, related to A: a repeat. Answered in 10h
		// (over 8), resolved in 130h (over 120), scored 2.
		`
kind: complaint
id: CMP-2026-0002
title: B
status: closed
type: complaint
channel: email
customer: CUS-0001
category: delivery
severity: medium
received_at: 2026-03-05T10:00:00+08:00
summary: s
assignee: wu.qiang
acknowledged_at: 2026-03-05T20:00:00+08:00
resolution: {solution: x, resolved_at: 2026-03-10T20:00:00+08:00}
satisfaction: 2
related: [CMP-2026-0001]
`,
		// C: low inquiry, answered in 1h, still investigating after 48h.
		`
kind: complaint
id: CMP-2026-0003
title: C
status: investigating
type: inquiry
channel: wechat
contact: {name: 王先生, phone: "+86 138 0000 0000", email: wang@example.net}
category: product
severity: low
received_at: 2026-04-01T09:00:00+08:00
summary: s
assignee: sun.li
acknowledged_at: 2026-04-01T10:00:00+08:00
`,
		// D: high, answered in 1h, resolved in 50h, then reopened; the
		// customer could not be reached. Related to E, which came later:
		// not a repeat.
		`
kind: complaint
id: CMP-2026-0004
title: D
status: reopened
type: complaint
channel: phone
customer: CUS-0002
category: billing
severity: high
received_at: 2026-02-01T09:00:00+08:00
summary: s
assignee: sun.li
acknowledged_at: 2026-02-01T10:00:00+08:00
resolution: {solution: x, resolved_at: 2026-02-03T11:00:00+08:00}
satisfaction: unreachable
related: [CMP-2026-0006]
`,
		// E: received in 2025, outside the period.
		`
kind: complaint
id: CMP-2025-0001
title: E
status: closed
type: complaint
channel: phone
customer: CUS-0002
category: billing
severity: high
received_at: 2025-12-30T09:00:00+08:00
summary: s
assignee: sun.li
acknowledged_at: 2025-12-30T09:30:00+08:00
resolution: {solution: x, resolved_at: 2025-12-31T09:00:00+08:00}
satisfaction: 5
`,
		// F: critical, not acknowledged after 13h (over 1h): an open breach.
		// Related to C, an earlier complaint of another contact: not a repeat.
		`
kind: complaint
id: CMP-2026-0006
title: F
status: received
type: complaint
channel: web
contact: {name: 李女士, phone: "+86 139 0000 0000"}
category: product
severity: critical
received_at: 2026-04-02T20:00:00+08:00
summary: s
related: [CMP-2026-0003]
`,
	}
}

func TestComplaintsReportByHand(t *testing.T) {
	c := ctxAt(t, set(t, complaintSet(t)...), "2026-04-03T09:00:00+08:00")
	r := ComplaintsReport(c, YearPeriod(2026))

	eq(t, "total (E is 2025)", r.Total, 5)
	eq(t, "to", r.To, "2026-12-31")

	// First response: A 2h, B 10h, C 1h, D 1h measured; F still running.
	// Sorted 1,1,2,10: median rank ⌈2⌉ → 1h; p90 rank ⌈3.6⌉ = 4 → 10h.
	// Breaches: B (10 > 8) and F (13 > 1, open). Within: A, C, D = 3 of 4.
	rs := r.All.Respond
	eq(t, "respond measured", rs.Measured, 4)
	eq(t, "respond median", num(rs.MedianHours), "1.0")
	eq(t, "respond p90", num(rs.P90Hours), "10.0")
	eq(t, "respond within", rs.WithinSLA, 3)
	eq(t, "respond within %", rs.WithinSLAPercent, "75.0")
	eq(t, "respond breaches", rs.Breaches, 2)
	eq(t, "respond open breaches", rs.OpenBreaches, 1)

	// Resolution: A 100h, B 130h. D was reopened (by hand: no reopened_at),
	// so its old 50h resolution no longer stops its clock, which runs on
	// from received_at: an open breach. Sorted 100,130: median rank 1 →
	// 100h; p90 rank ⌈1.8⌉ = 2 → 130h. Breaches: B (130 > 120) and D. C
	// (48h of 240) and F (13h of 24) still run within their SLA.
	rv := r.All.Resolve
	eq(t, "resolve measured", rv.Measured, 2)
	eq(t, "resolve median", num(rv.MedianHours), "100.0")
	eq(t, "resolve p90", num(rv.P90Hours), "130.0")
	eq(t, "resolve breaches", rv.Breaches, 2)
	eq(t, "resolve open breaches", rv.OpenBreaches, 1)

	// Severity groups carry their SLA; medium holds A and B.
	var med ComplaintGroup
	for _, g := range r.BySeverity {
		if g.Key == "medium" {
			med = g
		}
	}
	eq(t, "medium count", med.Count, 2)
	eq(t, "medium respond SLA", *med.SLARespondHours, 8)
	eq(t, "medium respond median", num(med.Respond.MedianHours), "2.0")
	eq(t, "medium resolve p90", num(med.Resolve.P90Hours), "130.0")

	// Breach list: B respond, B resolve, D resolve (reopened, open), F
	// respond (open).
	var br []string
	for _, b := range r.Breaches {
		br = append(br, b.ID+"/"+b.Clock+"/"+string(b.Hours))
	}
	eq(t, "breaches", strings.Join(br, " "), "CMP-2026-0002/respond/10.0 CMP-2026-0002/resolve/130.0 CMP-2026-0004/resolve/1464.0 CMP-2026-0006/respond/13.0")

	// Volume: every known value is listed, zeros included; shares of 5.
	counts := func(gs []ComplaintGroup) string {
		var s []string
		for _, g := range gs {
			s = append(s, g.Key+"="+itoa(g.Count))
		}
		return strings.Join(s, " ")
	}
	eq(t, "by type", counts(r.ByType), "complaint=4 inquiry=1")
	eq(t, "by severity", counts(r.BySeverity), "critical=1 high=1 medium=2 low=1")
	eq(t, "by category", counts(r.ByCategory), "product=2 service=0 billing=1 delivery=2 staff=0 other=0")
	eq(t, "by channel", counts(r.ByChannel), "phone=2 email=1 web=1 wechat=1 in_person=0 social=0 other=0")
	eq(t, "delivery share", r.ByCategory[3].Percent, "40.0")
	eq(t, "months", len(r.ByMonth), 12)
	eq(t, "march", r.ByMonth[2].Key+"="+itoa(r.ByMonth[2].Count), "2026-03=2")

	// Satisfaction: 4 and 2 → 3.00; D unreachable; nothing unscored.
	eq(t, "scored", r.Satisfaction.Scored, 2)
	eq(t, "average", num(r.Satisfaction.Average), "3.00")
	eq(t, "unreachable", r.Satisfaction.Unreachable, 1)
	eq(t, "unscored", r.Satisfaction.Unscored, 0)
	eq(t, "distribution", r.Satisfaction.Distribution["2"]+r.Satisfaction.Distribution["4"], 2)

	// Reopen: resolved at least once are A, B, D; D is reopened → 1 of 3.
	eq(t, "reopen", itoa(r.Reopen.Count)+"/"+itoa(r.Reopen.Of)+" "+r.Reopen.Percent, "1/3 33.3")
	eq(t, "reopen ids", strings.Join(r.Reopen.IDs, ","), "CMP-2026-0004")
	// Repeat: only B → 1 of 5.
	eq(t, "repeat", itoa(r.Repeat.Count)+"/"+itoa(r.Repeat.Of)+" "+r.Repeat.Percent, "1/5 20.0")
	eq(t, "repeat ids", strings.Join(r.Repeat.IDs, ","), "CMP-2026-0002")

	// Backlog: C (48h → 1-3d), D (received 2026-02-01 → >30d), F (13h → <1d).
	eq(t, "open", r.Backlog.Open, 3)
	var bs []string
	for _, b := range r.Backlog.Buckets {
		bs = append(bs, b.Bucket+"="+itoa(b.Count))
	}
	eq(t, "buckets", strings.Join(bs, " "), "<1d=1 1-3d=1 3-7d=0 7-30d=0 >30d=1")
	eq(t, "most urgent first", r.Backlog.Items[0].ID, "CMP-2026-0006")
	eq(t, "F past SLA", r.Backlog.Items[0].PastSLA, true)
	eq(t, "C age", string(r.Backlog.Items[2].AgeHours), "48.0")
}

func TestComplaintsReportPeriod(t *testing.T) {
	c := ctxAt(t, set(t, complaintSet(t)...), "2026-04-03T09:00:00+08:00")
	q1, _ := ParsePeriod("2026-Q1")
	r := ComplaintsReport(c, q1)
	// A, B (March) and D (February).
	eq(t, "Q1 total", r.Total, 3)
	eq(t, "Q1 months", len(r.ByMonth), 3)
	m, _ := ParsePeriod("2025-12")
	eq(t, "2025-12 total", ComplaintsReport(c, m).Total, 1)
}

func TestReopenedFromFile(t *testing.T) {
	s := set(t, `
kind: complaint
id: CMP-2026-0001
status: investigating
resolution: {solution: x, resolved_at: 2026-03-05T14:00:00+08:00}
`, `
kind: complaint
id: CMP-2026-0002
status: investigating
`, `
kind: complaint
id: CMP-2026-0003
status: closed
resolution: {solution: x, resolved_at: 2026-03-05T14:00:00+08:00}
`)
	eq(t, "investigating with a resolution", Reopened(s.Get("CMP-2026-0001")), true)
	eq(t, "investigating, never resolved", Reopened(s.Get("CMP-2026-0002")), false)
	eq(t, "closed", Reopened(s.Get("CMP-2026-0003")), false)
}

func TestComplaintsRedact(t *testing.T) {
	docs := complaintSet(t)
	docs[2] = strings.Replace(docs[2], "status: investigating\n", "status: investigating\nclassification: confidential\n", 1)
	c := ctxAt(t, Redact(set(t, docs...), nil), "2026-04-03T09:00:00+08:00")
	r := ComplaintsReport(c, YearPeriod(2026))
	eq(t, "redacted total", r.Total, 4)
	for _, it := range r.Backlog.Items {
		if it.ID == "CMP-2026-0003" {
			t.Error("a confidential complaint is in the redacted backlog")
		}
	}
}
