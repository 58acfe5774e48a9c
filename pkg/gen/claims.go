package gen

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/record"
)

var complaintCategories = []string{"product", "service", "billing", "delivery", "staff", "other"}

// sla is the default policy's (respond, resolve) hours per severity.
var sla = map[string][2]int{"critical": {1, 24}, "high": {4, 72}, "medium": {8, 120}, "low": {24, 240}}

const never = 1 << 30 // a stage a record's life did not reach

func hours(f float64) time.Duration { return time.Duration(f * float64(time.Hour)) }

func (g *gen) makeComplaints(n int) {
	handlers := append(append([]*person{}, g.specialists...), g.managers...)
	for _, t := range g.times(n, g.start, g.until) {
		r := &rec{kind: record.Complaint, id: g.nextID(record.Complaint, t.Year()), at: t}
		cat := pick(g, complaintCategories)
		typ := "complaint"
		if cat == "other" || g.chance(0.15) {
			typ = "inquiry"
		}
		sev := "low"
		switch x := g.rng.Float64(); {
		case x < 0.05:
			sev = "critical"
		case x < 0.25:
			sev = "high"
		case x < 0.65:
			sev = "medium"
		}
		lim := sla[sev]
		received := t.Add(-time.Duration(g.intn(50)) * time.Minute)
		receiver := g.activeAt(handlers, received)
		assignee := g.activeAt(g.specialists, received.Add(hours(float64(lim[1]))+days(10)))
		manager := assignee.reportsTo

		ack, inv, res, cls := never, never, never, never
		g.live(r, received.Add(time.Duration(1+g.intn(20))*time.Minute), receiver, "create", "received")
		respond := hours(float64(lim[0]) * (0.15 + 0.75*g.rng.Float64()))
		if g.chance(0.02) {
			respond = hours(float64(lim[0]) * (1.2 + 2*g.rng.Float64()))
		}
		ackAt := received.Add(respond)
		resolveAt := received.Add(hours(float64(lim[1]) * (0.3 + 0.6*g.rng.Float64())))
		if g.chance(0.02) {
			resolveAt = received.Add(hours(float64(lim[1]) * (1.1 + g.rng.Float64())))
		}
		if g.live(r, ackAt, manager, "ack", "acknowledged") {
			ack = r.final()
			if typ == "complaint" || g.chance(0.3) {
				invAt := ackAt.Add(ackAt.Sub(received)/2 + time.Duration(5+g.intn(30))*time.Minute)
				if invAt.Before(resolveAt) && g.live(r, invAt, assignee, "investigate", "investigating") {
					inv = r.final()
				}
			}
			if (typ == "inquiry" || inv != never) && g.live(r, resolveAt, assignee, "resolve", "resolved") {
				res = r.final()
				if g.live(r, g.after(resolveAt, 1, 5), manager, "close", "closed") {
					cls = r.final()
					if g.chance(0.03) {
						g.live(r, g.after(r.events[cls].at, 2, 10), manager, "reopen", "reopened")
					}
				}
			}
		}

		d := &r.doc
		d.kv(0, "kind", "complaint")
		d.kv(0, "id", r.id)
		title := pick(g, complaintTitles[cat])
		d.kv(0, "title", str(title))
		d.status()
		customer := g.customerAt(received)
		if customer == nil || g.chance(0.3) {
			d.kv(0, "classification", "confidential")
		}
		d.kv(0, "type", typ)
		d.kv(0, "channel", pick(g, []string{"phone", "email", "web", "wechat", "in_person", "social", "other"}))
		if customer != nil {
			d.kv(0, "customer", customer.id)
		} else {
			d.add(0, fmt.Sprintf("contact:\n  name: %s%s\n  phone: \"+86 %d 5550 %04d\"\n  email: customer%d@example.net\n",
				pick(g, surnames).han, pick(g, []string{"先生", "女士"}), 130+g.intn(60), g.intn(10000), g.intn(100000)))
		}
		d.kv(0, "category", cat)
		d.kv(0, "severity", sev)
		d.kv(0, "received_at", instant(received))
		d.kv(0, "summary", str(fmt.Sprintf("客戶反映%s，希望儘快處理 (%s)", title, pick(g, cities))))
		if ack != never {
			d.kv(ack, "assignee", assignee.handle)
			d.kv(ack, "acknowledged_at", instant(ackAt))
		}
		if res != never {
			if typ == "complaint" {
				d.add(res, "investigation:\n  root_cause: "+str(pick(g, rootCauses))+"\n")
			}
			d.add(res, "resolution:\n  solution: "+str(pick(g, solutions))+"\n  resolved_at: "+instant(resolveAt)+"\n")
			upd := ackAt.Add(resolveAt.Sub(ackAt) / 2)
			d.add(res, "updates:\n  - at: "+instant(upd)+"\n    by: "+assignee.handle+"\n    note: "+pick(g, []string{"已告知客戶處理進度", "已安排補發，預計兩天內到貨", "Called the customer with an update"})+"\n")
		}
		if cls != never {
			if g.chance(0.08) {
				d.kv(cls, "satisfaction", "unreachable")
			} else {
				d.kv(cls, "satisfaction", strconv.Itoa(1+g.intn(5)))
			}
		}
		if res != never && (sev == "high" || sev == "critical") {
			d.kv(res, "prevention", str(pick(g, preventions)))
		}
		g.complaints = append(g.complaints, r)
	}
}

// customerAt picks a customer known at t, or nil (a walk-in contact).
func (g *gen) customerAt(t time.Time) *rec {
	if g.chance(0.35) {
		return nil
	}
	i := sort.Search(len(g.customers), func(i int) bool { return g.customers[i].at.After(t) })
	if i == 0 {
		return nil
	}
	return g.customers[g.intn(i)]
}

var expenseCategories = []struct {
	name     string
	weight   int
	lo, hi   int64 // typical amount range in yuan
	bigLimit int64 // rare large claims up to this
}{
	{"travel", 25, 150, 6000, 30000},
	{"office", 20, 30, 1500, 8000},
	{"marketing", 20, 300, 12000, 80000},
	{"other", 15, 20, 1200, 5000},
	{"training", 10, 200, 6000, 20000},
	{"personnel", 10, 800, 9000, 40000},
}

func (g *gen) category() int {
	x := g.intn(100)
	for i, c := range expenseCategories {
		if x < c.weight {
			return i
		}
		x -= c.weight
	}
	return 0
}

func (g *gen) makeExpenses(n int) {
	// Projects a claim may be charged to at a moment: those executing.
	executing := func(t time.Time) *rec {
		for try := 0; try < 6; try++ {
			p := pick(g, g.projects)
			ex, ok := p.stateAt["executing"]
			if !ok || ex.After(t) {
				continue
			}
			if cl, ok := p.stateAt["closing"]; ok && cl.Before(t) {
				continue
			}
			if p.status() == "cancelled" || p.status() == "on_hold" {
				continue
			}
			return p
		}
		return nil
	}
	for _, t := range g.times(n, g.start, g.until.Add(-2*time.Hour)) {
		ci := g.category()
		c := expenseCategories[ci]
		var yuan int64
		if g.chance(0.03) {
			yuan = c.hi + g.rng.Int64N(c.bigLimit-c.hi)
		} else {
			// Skewed towards small claims.
			f := g.rng.Float64()
			yuan = c.lo + int64(f*f*float64(c.hi-c.lo))
		}
		amount := cents(yuan*100 + int64(g.pickCents()))
		claimant := g.activeAt(g.claimants, t.Add(days(20)))
		created := g.after(t, 0, 3)
		if created.After(g.until) {
			created = g.until.Add(-time.Minute)
		}
		r := &rec{kind: record.Expense, id: g.nextID(record.Expense, created.Year()), at: created,
			claimant: claimant, date: t, category: c.name, amount: amount}
		g.live(r, created, claimant, "create", "draft")
		g.expenseLife(r)
		if c.name == "marketing" || c.name == "travel" || g.chance(0.05) {
			if g.chance(0.3) {
				r.project = executing(t)
			}
		}
		g.expenseDoc(r)
		g.expenses = append(g.expenses, r)
	}
}

func (g *gen) pickCents() int {
	switch g.intn(4) {
	case 0:
		return g.intn(100)
	case 1:
		return 50
	}
	return 0
}

// expenseLife plays a claim's workflow from draft.
func (g *gen) expenseLife(r *rec) {
	c := r.claimant
	if g.chance(0.03) {
		return // left in draft
	}
	at := r.at
	submit := func() bool {
		at = g.after(at, 0, 2)
		return g.live(r, at, c, "submit", "submitted")
	}
	if !submit() {
		return
	}
	ap := g.approver(c, r.amount)
	at = g.after(at, 1, 6)
	switch x := g.rng.Float64(); {
	case x < 0.04:
		g.live(r, at, ap, "reject", "rejected")
		return
	case x < 0.11:
		if !g.live(r, at, ap, "return", "returned") {
			return
		}
		if g.chance(0.2) {
			return // still with the claimant
		}
		at = g.after(at, 1, 4)
		if !g.live(r, at, c, "revise", "draft") || !submit() {
			return
		}
		at = g.after(at, 1, 6)
	}
	if !g.live(r, at, ap, "approve", "approved") {
		return
	}
	if g.chance(0.02) {
		return // approved, waiting for payment
	}
	g.live(r, g.after(at, 2, 12), pick(g, g.finance), "pay", "paid")
}

func (g *gen) expenseDoc(r *rec) {
	c := expenseCategories[0]
	for _, x := range expenseCategories {
		if x.name == r.category {
			c = x
		}
	}
	_ = c
	d := &r.doc
	title := pick(g, expenseTitles[r.category])
	if r.category == "travel" && g.chance(0.6) {
		title = pick(g, cities) + title
	}
	r.title = title
	d.kv(0, "kind", "expense")
	d.kv(0, "id", r.id)
	d.kv(0, "title", str(title))
	d.status()
	d.kv(0, "claimant", r.claimant.handle)
	d.kv(0, "date", date(r.date))
	d.kv(0, "category", r.category)
	d.kv(0, "amount", r.amount.String())
	if r.project != nil {
		d.kv(0, "project", r.project.id)
	}
	dir := attachmentDir(r.id)
	receiptText := func(item string, a cents) []byte {
		return []byte(fmt.Sprintf("電子發票 / e-invoice (generated)\n報銷單 Claim: %s %s\n日期 Date: %s\n項目 Item: %s\n金額 Amount: CNY %s\n報銷人 Claimant: %s\n",
			r.id, title, date(r.date), item, a, r.claimant.handle))
	}
	needsReceipt := r.amount > 50000
	var listed []file
	if r.amount >= 20000 && g.chance(0.45) {
		// Items that add up to the amount, each with its receipt when needed.
		k := 2 + g.intn(3)
		parts := g.split(r.amount, k)
		var b block
		b.line(0, "items:")
		names := expenseItems[r.category]
		for i, a := range parts {
			name := names[(i+g.intn(len(names)))%len(names)]
			b.line(2, "- description: "+str(name))
			b.line(4, "amount: "+a.String())
			if needsReceipt || g.chance(0.5) {
				p := dir + "receipt-" + strconv.Itoa(i+1) + ".txt"
				b.line(4, "receipt: "+p)
				r.files = append(r.files, file{p, receiptText(name, a)})
				listed = append(listed, r.files[len(r.files)-1])
			}
		}
		d.add(0, b.String())
	} else if needsReceipt || g.chance(0.4) {
		p := dir + "receipt.txt"
		d.kv(0, "receipt", p)
		r.files = append(r.files, file{p, receiptText(title, r.amount)})
		listed = append(listed, r.files[len(r.files)-1])
	}
	if len(listed) > 0 {
		d.add(0, attachmentList(listed))
	}
	if g.chance(0.2) {
		d.kv(0, "note", str(pick(g, []string{"已與客戶確認行程", "季度集中採購", "Paid by personal card", "活動結束後補報", "發票已寄財務"})))
	}
}

// split divides an amount into k positive parts that add up exactly.
func (g *gen) split(a cents, k int) []cents {
	out := make([]cents, k)
	rest := a
	for i := 0; i < k-1; i++ {
		share := rest / cents(k-i)
		p := share/2 + cents(g.rng.Int64N(int64(share)))
		p -= p % 100 // whole yuan for all but the last
		if p <= 0 {
			p = 1
		}
		out[i] = p
		rest -= p
	}
	out[k-1] = rest
	return out
}

// ---- budgets ----

func (g *gen) makeBudgets() {
	type key struct {
		year     int
		category string
		project  string
	}
	spent := map[key]cents{}
	for _, e := range g.expenses {
		if st := e.status(); st != "approved" && st != "paid" {
			continue
		}
		y := e.date.Year()
		spent[key{y, e.category, ""}] += e.amount
		if e.project != nil {
			spent[key{y, e.category, e.project.id}] += e.amount
		}
	}
	roundUp := func(c, unit cents) cents { return (c + unit - 1) / unit * unit }
	for _, y := range g.years {
		created := time.Date(y-1, 12, 1, 10, 0, 0, 0, tz)
		r := &rec{kind: record.Budget, id: record.FormatID(record.Budget, y, 0), at: created}
		g.live(r, created, g.director, "create", "draft")
		g.live(r, time.Date(y-1, 12, 20, 15, 0, 0, 0, tz), pick(g, g.leaders), "approve", "approved")
		g.live(r, time.Date(y+1, 1, 20, 10, 0, 0, 0, tz), g.director, "close", "closed")
		d := &r.doc
		d.kv(0, "kind", "budget")
		d.kv(0, "id", r.id)
		d.kv(0, "title", fmt.Sprintf("運營部 %d 年度費用預算", y))
		d.status()
		d.kv(0, "year", strconv.Itoa(y))
		var b block
		b.line(0, "lines:")
		var projectLines []key
		for k := range spent {
			if k.year == y && k.project != "" && g.projectLineWanted(k.project) {
				projectLines = append(projectLines, k)
			}
		}
		sort.Slice(projectLines, func(i, j int) bool {
			a, b := projectLines[i], projectLines[j]
			if a.category != b.category {
				return a.category < b.category
			}
			return a.project < b.project
		})
		for _, c := range expenseCategories {
			s := spent[key{y, c.name, ""}]
			var inLines cents
			var pl []key
			for _, k := range projectLines {
				if k.category == c.name {
					pl = append(pl, k)
				}
			}
			var plAmounts []cents
			for _, k := range pl {
				a := roundUp(spent[k]*13/10+500000, 100000)
				plAmounts = append(plAmounts, a)
				inLines += a
			}
			// The category line covers the rest with room to spare.
			line := roundUp(s*5/4+1000000, 1000000) - inLines
			if line < 1000000 {
				line = 1000000
			}
			b.line(2, "- category: "+c.name)
			b.line(4, "amount: "+line.String())
			if len(pl) > 0 && c.name == "marketing" {
				b.line(2, "# project lines also cap that project's spend in the category")
			}
			for i, k := range pl {
				b.line(2, "- category: "+c.name)
				b.line(4, "project: "+k.project)
				b.line(4, "amount: "+plAmounts[i].String())
			}
		}
		d.add(0, b.String())
		if g.chance(0.4) {
			d.add(0, fmt.Sprintf("amendments:\n  - date: %d-09-01\n    category: marketing\n    amount: 50000.00\n    reason: 秋季新品追加推廣\n", y))
		}
		g.budgets = append(g.budgets, r)
	}
}

// projectLineWanted decides, once per project, whether budgets give it its
// own lines.
func (g *gen) projectLineWanted(id string) bool {
	n := 0
	for _, c := range id {
		n = n*31 + int(c)
	}
	return n%2 == 0
}

// attachmentList is the record's attachments list for files, each with its
// SHA-256, as opsbook attach writes it.
func attachmentList(files []file) string {
	var b block
	b.line(0, "attachments:")
	for _, f := range files {
		b.line(2, "- path: "+f.path)
		b.line(4, "sha256: \""+attach.SumBytes(f.data)+"\"")
	}
	return b.String()
}
