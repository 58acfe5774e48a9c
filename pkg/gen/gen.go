// Package gen generates a realistic operations department of any size:
// people, customers, projects and their plans, complaints, appraisals,
// budgets and expense claims, valid under the default policy, with the
// receipts the claims name, optionally a git history in which every commit
// creates or moves one record by a person allowed to, and the same expenses
// as a ledger journal. The output depends only on the options: the same seed
// gives the same department, byte for byte.
//
// It backs cmd/opsbook-gen, the benchmarks and the tests that need a large
// department.
package gen

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/record"
)

// Options say what to generate.
type Options struct {
	// Records is the number of record files (at least MinRecords).
	Records int
	// Seed makes the department; the same seed gives the same files.
	Seed uint64
	// Commits, when positive, makes a git repository whose history has
	// this many commits: an import of the older records, then one commit per
	// creation or move of the most recent expenses and complaints.
	Commits int
	// Ledger, when set, is a file to write the expenses to as a ledger
	// journal with a periodic (yearly) budget.
	Ledger string
	// Until is the last moment of the department's life (default
	// DefaultUntil); records are dated before it and their states are what
	// their workflows reached by then.
	Until time.Time
}

// MinRecords is the smallest department that has every kind.
const MinRecords = 60

// DefaultUntil is the default end of the generated period.
var DefaultUntil = time.Date(2026, 11, 20, 18, 0, 0, 0, tz)

var tz = time.FixedZone("CST", 8*3600)

// Stats tells what was generated.
type Stats struct {
	Kinds       map[record.Kind]int
	Records     int
	Bytes       int64 // of the record files
	Attachments int
	Commits     int
	// History is the number of records whose life the history replays.
	History int
}

type person struct {
	handle, name, role, group, forge, key string
	reportsTo                             *person
	emails                                []string
	// left is when an inactive person left; zero while active.
	left time.Time
}

func (p *person) activeAt(t time.Time) bool { return p.left.IsZero() || t.Before(p.left) }

type event struct {
	at    time.Time
	actor *person
	verb  string
}

type file struct {
	path string
	data []byte
}

// rec is one generated record and its life.
type rec struct {
	kind record.Kind
	id   string
	at   time.Time // created
	doc  doc
	// states[i] is the state after events[i]; events[0] creates the record.
	// Kinds without a workflow have one event and state "".
	states []string
	events []event
	files  []file

	// Expense facts for budgets and the ledger.
	claimant *person
	date     time.Time
	category string
	amount   cents
	project  *rec
	title    string

	// Project facts.
	team    []*person
	owner   *person
	stateAt map[string]time.Time
}

func (r *rec) status() string { return r.states[len(r.states)-1] }
func (r *rec) final() int     { return len(r.events) - 1 }
func (r *rec) path() string   { return "records/" + record.RelPath(r.kind, r.id) }

// live appends the next event of a planned life when it happens by until;
// it reports whether it did.
func (g *gen) live(r *rec, at time.Time, actor *person, verb, state string) bool {
	if at.After(g.until) || (len(r.events) > 0 && at.Before(r.events[len(r.events)-1].at)) {
		return false
	}
	r.events = append(r.events, event{at, actor, verb})
	r.states = append(r.states, state)
	return true
}

type gen struct {
	opt   Options
	rng   *rand.Rand
	until time.Time
	start time.Time
	years []int

	people                                             []*person
	director                                           *person
	leaders, finance, managers, specialists, claimants []*person
	customers, projects, plans, complaints, appraisals []*rec
	expenses, budgets, persons                         []*rec
	team                                               []*rec // training plans, trainings, violations
	seq                                                map[string]int
}

func newGen(opt Options) (*gen, error) {
	if opt.Records < MinRecords {
		return nil, fmt.Errorf("at least %d records are needed for a department with every kind (got %d)", MinRecords, opt.Records)
	}
	if opt.Until.IsZero() {
		opt.Until = DefaultUntil
	}
	g := &gen{opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)), until: opt.Until.In(tz), seq: map[string]int{}}
	ny := 2 + opt.Records/25000
	if ny > 10 {
		ny = 10
	}
	first := g.until.Year() - ny + 1
	for y := first; y <= g.until.Year(); y++ {
		g.years = append(g.years, y)
	}
	g.start = time.Date(first, 1, 1, 0, 0, 0, 0, tz)
	return g, nil
}

// build makes every record in memory.
func (g *gen) build() error {
	n := g.opt.Records
	g.makePeople(12 + n/2000)
	nBudgets := len(g.years)
	nCustomers := max(3, n*3/100)
	nProjects := max(2, n/100)
	nAppraisals := max(4, n*3/100)
	nComplaints := max(5, n*22/100)

	g.makeCustomers(nCustomers)
	g.makeProjects(nProjects)
	g.makeAppraisals(nAppraisals)
	g.makeComplaints(nComplaints)
	g.makeTeam()
	fixed := len(g.persons) + nBudgets + len(g.customers) + len(g.projects) + len(g.plans) + len(g.appraisals) + len(g.complaints) + len(g.team)
	nExpenses := n - fixed
	if nExpenses < 1 {
		return fmt.Errorf("%d records are too few for this department (%d needed before expenses)", n, fixed+1)
	}
	g.makeExpenses(nExpenses)
	g.makeBudgets()
	return nil
}

// all lists every record in a fixed order.
func (g *gen) all() []*rec {
	var out []*rec
	for _, l := range [][]*rec{g.persons, g.customers, g.projects, g.plans, g.complaints, g.appraisals, g.budgets, g.expenses, g.team} {
		out = append(out, l...)
	}
	return out
}

// ---- randomness helpers ----

func (g *gen) intn(n int) int { return g.rng.IntN(n) }

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func pick[T any](g *gen, l []T) T { return l[g.rng.IntN(len(l))] }

// between returns a uniform moment in [a, b).
func (g *gen) between(a, b time.Time) time.Time {
	d := b.Sub(a)
	if d <= 0 {
		return a
	}
	return a.Add(time.Duration(g.rng.Int64N(int64(d))))
}

// workday moves t into office hours (09:00–18:00) on its day.
func (g *gen) workday(t time.Time) time.Time {
	t = t.In(tz)
	return time.Date(t.Year(), t.Month(), t.Day(), 9, 0, 0, 0, tz).Add(time.Duration(g.intn(9*60)) * time.Minute)
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// after returns a moment lo to hi days after t, in office hours.
func (g *gen) after(t time.Time, lo, hi int) time.Time {
	d := lo
	if hi > lo {
		d += g.intn(hi - lo + 1)
	}
	u := g.workday(t.Add(days(d)))
	if !u.After(t) {
		u = t.Add(time.Duration(10+g.intn(120)) * time.Minute)
	}
	return u
}

// times returns n sorted moments spread over [from, to).
func (g *gen) times(n int, from, to time.Time) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = g.workday(g.between(from, to))
		if out[i].After(to) {
			out[i] = to
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// nextID allocates the next id of kind k in year y.
func (g *gen) nextID(k record.Kind, y int) string {
	key := string(k) + strconv.Itoa(y)
	if k == record.Customer {
		key = string(k)
	}
	g.seq[key]++
	return record.FormatID(k, y, g.seq[key])
}

// activeClaimant picks a person who may claim at t.
func (g *gen) activeAt(pool []*person, t time.Time) *person {
	for {
		p := pick(g, pool)
		if p.activeAt(t) {
			return p
		}
	}
}

// approver picks who approves (rejects, returns) a claim of amount by c.
func (g *gen) approver(c *person, amount cents) *person {
	switch {
	case amount <= 500000 && c.role == "specialist":
		return c.reportsTo
	case amount <= 500000 && c.role == "manager":
		return g.director
	case amount <= 5000000 && c != g.director:
		return g.director
	}
	return pick(g, g.leaders)
}

// ---- people ----

func (g *gen) makePeople(n int) {
	used := map[string]bool{}
	newPerson := func(role string) *person {
		s, gv := pick(g, surnames), pick(g, givenNames)
		h := s.pinyin + "." + gv.pinyin
		for i := 2; used[h]; i++ {
			h = s.pinyin + "." + gv.pinyin + strconv.Itoa(i)
		}
		used[h] = true
		p := &person{handle: h, role: role,
			name:   fmt.Sprintf("%s%s (%s %s)", s.han, gv.han, titleCase(s.pinyin), titleCase(gv.pinyin)),
			emails: []string{h + "@example.com"},
			forge:  strings.ReplaceAll(h, ".", "") + "-ops"}
		var key [32]byte
		for i := range key {
			key[i] = byte(g.intn(256))
		}
		p.key = sshKey(key[:]) + " " + h + "@" + pick(g, devices)
		g.people = append(g.people, p)
		return p
	}
	g.director = newPerson("director")
	g.director.group = "運營部"
	g.leaders = []*person{newPerson("leadership"), newPerson("leadership")}
	g.finance = []*person{newPerson("finance"), newPerson("finance")}
	nm := max(2, n/8)
	for i := 0; i < nm; i++ {
		m := newPerson("manager")
		m.group = groups[i%len(groups)]
		m.reportsTo = g.director
		g.managers = append(g.managers, m)
	}
	for len(g.people) < n {
		s := newPerson("specialist")
		m := g.managers[len(g.specialists)%len(g.managers)]
		s.group, s.reportsTo = m.group, m
		if g.chance(0.06) {
			s.left = g.between(g.until.AddDate(-1, 0, 0), g.until.AddDate(0, 0, -30))
		}
		g.specialists = append(g.specialists, s)
	}
	// A second email for some, as people commit from two addresses.
	for _, p := range g.managers {
		if g.chance(0.3) {
			parts := strings.SplitN(p.handle, ".", 2)
			p.emails = append(p.emails, parts[0][:1]+"."+parts[1]+"@example.com")
		}
	}
	g.claimants = append(append([]*person{g.director}, g.managers...), g.specialists...)
	for _, p := range g.people {
		r := &rec{kind: record.Person, id: p.handle, at: g.start, states: []string{""}, events: []event{{g.start, g.director, "create"}}}
		d := &r.doc
		switch p.role {
		case "director":
			d.add(0, "# 運營總監 — the one active director; sponsors every project\n")
		case "leadership":
			d.add(0, "# 公司領導 (company leadership, outside the department): approves projects, plans, budgets\n")
		}
		d.kv(0, "kind", "person")
		d.kv(0, "id", p.handle)
		d.kv(0, "name", str(p.name))
		d.kv(0, "role", p.role)
		if p.group != "" {
			d.kv(0, "group", p.group)
		}
		if p.reportsTo != nil {
			d.kv(0, "reports_to", p.reportsTo.handle)
		}
		d.kv(0, "emails", list(p.emails))
		d.add(0, "keys:\n  - "+p.key+"\n")
		d.kv(0, "forge", p.forge)
		if !p.left.IsZero() {
			d.add(0, "# "+date(p.left)+" 離職 (left the company); kept inactive so older records still resolve\n")
			d.kv(0, "active", "false")
		} else {
			d.kv(0, "active", "true")
			d.add(0, "nda:\n  signed: "+date(g.start.AddDate(-1, 0, 0))+"\n")
		}
		g.persons = append(g.persons, r)
	}
}

func titleCase(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// ---- customers ----

func (g *gen) makeCustomers(n int) {
	for _, t := range g.times(n, g.start.AddDate(-2, 0, 0), g.until.AddDate(0, 0, -1)) {
		r := &rec{kind: record.Customer, id: g.nextID(record.Customer, 0), at: t, states: []string{""}}
		creator := g.activeAt(g.specialists, g.until)
		r.events = []event{{t, creator, "create"}}
		d := &r.doc
		d.kv(0, "kind", "customer")
		d.kv(0, "id", r.id)
		city := pick(g, cities)
		d.kv(0, "name", city+pick(g, companyWords)+pick(g, companyKinds))
		if g.chance(0.7) {
			d.kv(0, "classification", "confidential")
		}
		d.kv(0, "segment", pick(g, segments))
		d.kv(0, "since", date(t))
		var b block
		b.line(0, "contact:")
		b.line(2, "name: "+pick(g, surnames).han+pick(g, []string{"經理", "先生", "女士", "總"}))
		b.line(2, fmt.Sprintf("phone: \"+86 %d 5550 %04d\"", 130+g.intn(60), g.intn(10000)))
		b.line(2, fmt.Sprintf("email: purchasing%d@customer%d.example", g.intn(100), g.intn(1000)))
		b.line(2, fmt.Sprintf("address: %s市%s %d 號", city, pick(g, streets), 1+g.intn(300)))
		d.add(0, b.String())
		d.kv(0, "purchases", fmt.Sprintf("年度框架協議，季度補貨，採購額約 %d 萬元", 10+g.intn(300)))
		if g.chance(0.5) {
			d.kv(0, "preferences", pick(g, []string{"偏好微信溝通；月初對賬", "只接受郵件報價", "Prefers phone calls in the morning"}))
		}
		if nv := g.intn(4); nv > 0 {
			var v block
			v.line(0, "visits:")
			for _, vt := range g.times(nv, t, g.until) {
				v.line(2, "- date: "+date(vt))
				v.line(4, "by: "+g.activeAt(g.specialists, vt).handle)
				v.line(4, "note: "+pick(g, []string{"回訪新品試用情況", "季度對賬及補貨計劃", "Quarterly review meeting", "處理投訴後回訪，客戶滿意"}))
			}
			d.add(0, v.String())
		}
		g.customers = append(g.customers, r)
	}
}

// ---- projects, plans and project appraisals ----

type apprSpec struct {
	at        time.Time
	employee  *person
	appraiser *person
	period    string
	project   *rec
	// life: times of submit, review, ack, close (zero: not reached)
	steps []time.Time
}

var projectOrder = []string{"proposed", "feasibility", "approved", "planning", "executing", "closing", "closed"}

func (g *gen) makeProjects(n int) {
	type planSpec struct {
		at       time.Time
		project  *rec
		revision int
		prev     *planSpec
		rec      *rec
		steps    []struct {
			at    time.Time
			state string
		}
		end time.Time
	}
	var plans []*planSpec
	horizon := g.until.AddDate(0, 0, -20)
	for _, t := range g.times(n, g.start, horizon) {
		r := &rec{kind: record.Project, id: g.nextID(record.Project, t.Year()), at: t, stateAt: map[string]time.Time{}}
		r.owner = pick(g, g.managers)
		g.live(r, t, g.director, "create", "proposed")
		r.stateAt["proposed"] = t
		// Plan the life; stop at the first step past until.
		steps := []struct {
			state, verb string
			actor       *person
			lo, hi      int
		}{
			{"feasibility", "assess", g.director, 5, 25},
			{"approved", "approve", pick(g, g.leaders), 5, 20},
			{"planning", "plan", r.owner, 3, 12},
			{"executing", "start", r.owner, 20, 45},
			{"closing", "finish", r.owner, 60, 200},
			{"closed", "close", g.director, 20, 40},
		}
		rejected := g.chance(0.08)
		cancelAt, holdAt := -1, -1
		switch x := g.rng.Float64(); {
		case x < 0.04:
			cancelAt = 1 + g.intn(4)
		case x < 0.07:
			holdAt = 1 + g.intn(5)
		}
		for i, s := range steps {
			at := g.after(r.events[len(r.events)-1].at, s.lo, s.hi)
			if i == cancelAt {
				g.live(r, at, g.director, "cancel", "cancelled")
				break
			}
			if i == holdAt {
				if g.live(r, at, pick(g, g.leaders), "hold", "on_hold") {
					r.stateAt["hold"] = at
				}
				break
			}
			if s.state == "approved" && rejected {
				g.live(r, at, s.actor, "reject", "rejected")
				break
			}
			if !g.live(r, at, s.actor, s.verb, s.state) {
				break
			}
			r.stateAt[s.state] = at
		}
		// Team: specialists active through the project.
		for i := 0; i < 1+g.intn(3); i++ {
			p := g.activeAt(g.specialists, g.until)
			if !containsP(r.team, p) {
				r.team = append(r.team, p)
			}
		}
		g.projects = append(g.projects, r)
		// A plan once the project is being planned.
		if pt, ok := r.stateAt["planning"]; ok {
			ps := &planSpec{at: g.after(pt, 0, 2), project: r, revision: 1}
			plans = append(plans, ps)
			exec, executing := r.stateAt["executing"]
			end := r.stateAt["closed"]
			if !executing {
				exec = g.after(pt, 20, 45) // review steps spread towards the planned start
			}
			span := exec.Sub(ps.at)
			add := func(p *planSpec, at time.Time, state string) {
				if !at.After(g.until) {
					p.steps = append(p.steps, struct {
						at    time.Time
						state string
					}{at, state})
				}
			}
			add(ps, ps.at.Add(span/4), "in_review")
			add(ps, ps.at.Add(span/2), "reviewed")
			add(ps, ps.at.Add(span*3/4), "approved")
			if executing {
				add(ps, exec, "active")
				if !end.IsZero() {
					add(ps, end, "completed")
				} else if g.chance(0.15) && r.status() != "on_hold" {
					// A second revision replaces the first while executing.
					rt := g.after(exec, 15, 30)
					if act := g.after(rt, 10, 20); act.Before(g.until) && (r.stateAt["closing"].IsZero() || act.Before(r.stateAt["closing"])) {
						p2 := &planSpec{at: rt, project: r, revision: 2, prev: ps}
						span2 := act.Sub(rt)
						add(p2, rt.Add(span2/4), "in_review")
						add(p2, rt.Add(span2/2), "reviewed")
						add(p2, rt.Add(span2*3/4), "approved")
						add(p2, act, "active")
						add(ps, act, "superseded")
						plans = append(plans, p2)
					}
				}
			}
			ps.end = end
		}
	}
	// Project documents, now that ids exist.
	for _, r := range g.projects {
		g.projectDoc(r)
	}
	// Plans get ids in creation order.
	sort.SliceStable(plans, func(i, j int) bool { return plans[i].at.Before(plans[j].at) })
	for _, ps := range plans {
		r := &rec{kind: record.Plan, id: g.nextID(record.Plan, ps.at.Year()), at: ps.at}
		ps.rec = r
		g.live(r, ps.at, ps.project.owner, "create", "draft")
		for _, s := range ps.steps {
			r.events = append(r.events, event{s.at, ps.project.owner, s.state})
			r.states = append(r.states, s.state)
		}
		var prev *rec
		if ps.prev != nil {
			prev = ps.prev.rec
		}
		g.planDoc(r, ps.project, ps.revision, prev)
		g.plans = append(g.plans, r)
	}
}

func containsP(l []*person, p *person) bool {
	for _, x := range l {
		if x == p {
			return true
		}
	}
	return false
}

func (g *gen) projectDoc(r *rec) {
	d := &r.doc
	title := fmt.Sprintf("%d %s%s", r.at.Year(), pick(g, cities), pick(g, projectTitles))
	d.kv(0, "kind", "project")
	d.kv(0, "id", r.id)
	d.kv(0, "title", str(title))
	d.status()
	d.kv(0, "objective", pick(g, objectives))
	d.kv(0, "sponsor", g.director.handle)
	d.kv(0, "owner", r.owner.handle)
	var team []string
	for _, p := range r.team {
		team = append(team, p.handle)
	}
	d.kv(0, "team", list(team))
	ps := g.after(r.at, 40, 80)
	pe := ps.AddDate(0, 3+g.intn(9), 0)
	d.add(0, "planned:\n  start: "+date(ps)+"\n  end: "+date(pe)+"\n")
	if ex, ok := r.stateAt["executing"]; ok {
		a := "actual:\n  start: " + date(ex) + "\n"
		if cl, ok := r.stateAt["closing"]; ok {
			a += "  end: " + date(cl) + "\n"
		}
		d.add(0, a)
	}
	st := r.status()
	files := len(r.files)
	if _, ok := r.stateAt["feasibility"]; ok {
		rep := attachmentDir(r.id) + "feasibility.md"
		concl := "feasible"
		if st == "rejected" {
			concl = "not_feasible"
		}
		fd := r.stateAt["feasibility"].AddDate(0, 0, 3)
		d.add(0, "feasibility:\n  report: "+rep+"\n  conclusion: "+concl+"\n  date: "+date(fd)+"\n")
		r.files = append(r.files, file{rep, []byte(fmt.Sprintf("# %s %s — 可行性報告 (feasibility report)\n\n結論 Conclusion: %s\n", r.id, title, concl))})
	}
	if st == "closed" {
		rep := attachmentDir(r.id) + "closure-report.md"
		var b block
		b.line(0, "closure:")
		b.line(2, fmt.Sprintf("summary: 目標達成 %d%%，預算使用率 %d%%", 80+g.intn(40), 40+g.intn(55)))
		b.line(2, "lessons:")
		for i := 0; i < 1+g.intn(3); i++ {
			b.line(4, "- "+str(lessons[(i+g.intn(len(lessons)))%len(lessons)]))
		}
		b.line(2, "evaluation: "+pick(g, []string{"目標達成，整體評價良好 (good)", "部分達成 (partly met)", "超額完成 (exceeded)"}))
		b.line(2, "report: "+rep)
		d.add(0, b.String())
		r.files = append(r.files, file{rep, []byte(fmt.Sprintf("# %s %s — 結項報告 (closure report)\n", r.id, title))})
	}
	if n := len(r.files) - files; n > 0 {
		d.add(0, attachmentList(r.files[files:]))
	}
	if st == "on_hold" {
		from := r.states[len(r.states)-2]
		d.add(0, "hold:\n  from: "+from+"\n  reason: "+pick(g, []string{"等待公司年度預算調整", "合作方延期", "Waiting for the new product's certification"})+"\n")
	}
}

func (g *gen) planDoc(r *rec, project *rec, revision int, prev *rec) {
	d := &r.doc
	d.kv(0, "kind", "plan")
	d.kv(0, "id", r.id)
	t := "運營方案"
	if revision > 1 {
		t += "（第二版）"
	}
	d.kv(0, "title", str(project.id+" "+t))
	d.status()
	d.kv(0, "project", project.id)
	d.kv(0, "author", project.owner.handle)
	d.kv(0, "revision", strconv.Itoa(revision))
	if prev != nil {
		d.kv(0, "supersedes", prev.id)
	}
	st := r.status()
	due := g.after(r.at, 90, 240)
	var b block
	b.line(0, "goals:")
	for i := 0; i < 1+g.intn(3); i++ {
		k := kpis[(i+g.intn(len(kpis)))%len(kpis)]
		b.line(2, "- kpi: "+k.name)
		b.line(4, "target: "+strconv.Itoa(10+g.intn(20000)))
		b.line(4, "unit: "+k.unit)
		b.line(4, "due: "+date(due))
	}
	d.add(0, b.String())
	d.kv(0, "strategy", pick(g, []string{"門店掃碼入會送禮 + 小程序拼團", "以經銷商渠道為主，線上直播為輔", "Livestream first, stores for sampling"}))
	var chs []string
	for i := 0; i < 2+g.intn(2); i++ {
		c := channels[(i+g.intn(len(channels)))%len(channels)]
		if !containsS(chs, c) {
			chs = append(chs, c)
		}
	}
	d.add(0, "promotion:\n  channels: "+list(chs)+"\n  schedule: "+pick(g, []string{"首月預熱，次月主推，第三月收尾", "每月會員日定向推送", "Two waves, spring and autumn"})+"\n")
	var rb block
	rb.line(0, "resources:")
	rb.line(2, "people:")
	share := 100 / len(project.team)
	for _, p := range project.team {
		rb.line(4, "- handle: "+p.handle)
		rb.line(6, "share: "+strconv.Itoa(share))
	}
	rb.line(2, "budget:")
	rb.line(4, "- category: marketing")
	rb.line(6, "amount: "+cents(int64(5+g.intn(40))*1000000).String())
	d.add(0, rb.String())
	// Tasks and checks: done before until when the plan is active, so an
	// active plan is on schedule as of the generated period's end.
	active := st == "active"
	var tb block
	tb.line(0, "tasks:")
	for i := 0; i < 2+g.intn(4); i++ {
		p := pick(g, project.team)
		tdue := g.after(r.at, 20+30*i, 40+30*i)
		status := "todo"
		switch {
		case st == "completed" || st == "superseded" || tdue.Before(g.until):
			status = "done"
		case active && g.chance(0.5):
			status = "doing"
		}
		tb.line(2, "- title: "+pick(g, []string{"物料投放", "活動上線", "會員回訪", "數據復盤", "Prepare the launch event", "經銷商培訓"}))
		tb.line(4, "assignee: "+p.handle)
		tb.line(4, "due: "+date(tdue))
		tb.line(4, "status: "+status)
	}
	d.add(0, tb.String())
	if act := stateTime(r, "active"); !act.IsZero() {
		end := g.until
		for i, s := range r.states {
			if s == "completed" || s == "superseded" {
				end = r.events[i].at
			}
		}
		var cb block
		cb.line(0, "checks:")
		n := 0
		first := act.AddDate(0, 0, 10)
		if first.After(end) {
			first = act.Add(end.Sub(act) / 2)
		}
		var dates []time.Time
		for c := first; !c.After(end); c = c.AddDate(0, 0, 12) {
			dates = append(dates, c)
		}
		if len(dates) > 30 {
			dates = dates[len(dates)-30:] // the older ones are in git
		}
		for _, c := range dates {
			n++
			cb.line(2, "- date: "+date(c))
			cb.line(4, "by: "+project.owner.handle)
			cb.line(4, fmt.Sprintf("summary: 進度 %d%%，按計劃推進", min(100, n*10)))
			cb.line(4, "issues: "+pick(g, []string{"無", "物料到貨偏晚", "Conversion below target"}))
		}
		if n > 0 {
			d.add(0, cb.String())
		}
	}
}

func stateTime(r *rec, state string) time.Time {
	for i, s := range r.states {
		if s == state {
			return r.events[i].at
		}
	}
	return time.Time{}
}

func containsS(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// ---- appraisals ----

func (g *gen) makeAppraisals(n int) {
	var specs []*apprSpec
	appraiser := func(e *person) *person {
		if e.reportsTo != nil {
			return e.reportsTo
		}
		return g.director
	}
	// Every member of a project past executing is appraised on it.
	for _, p := range g.projects {
		cl, ok := p.stateAt["closing"]
		if !ok {
			continue
		}
		for _, m := range p.team {
			s := &apprSpec{at: g.after(cl, 0, 1), employee: m, appraiser: appraiser(m), project: p}
			t := s.at
			for i := 0; i < 4; i++ {
				t = t.Add(time.Duration(20+g.intn(40)) * time.Hour)
				s.steps = append(s.steps, t)
			}
			// Acknowledged before the project closes.
			if c, ok := p.stateAt["closed"]; ok && !s.steps[2].Before(c) {
				step := c.Sub(s.at) / 4
				for i := 0; i < 3; i++ {
					s.steps[i] = s.at.Add(step * time.Duration(i+1))
				}
			}
			specs = append(specs, s)
		}
	}
	// Periodic appraisals of managers and specialists: half-years, then
	// quarters when the department needs more.
	emps := append(append([]*person{}, g.managers...), g.specialists...)
	var periods []struct {
		name string
		end  time.Time
	}
	quarters := n-len(specs) > 2*len(g.years)*len(emps)
	for _, y := range g.years {
		if quarters {
			for q := 1; q <= 4; q++ {
				periods = append(periods, struct {
					name string
					end  time.Time
				}{fmt.Sprintf("%d-Q%d", y, q), time.Date(y, time.Month(3*q), 28, 18, 0, 0, 0, tz)})
			}
		} else {
			periods = append(periods,
				struct {
					name string
					end  time.Time
				}{fmt.Sprintf("%d-H1", y), time.Date(y, 6, 30, 18, 0, 0, 0, tz)},
				struct {
					name string
					end  time.Time
				}{fmt.Sprintf("%d-H2", y), time.Date(y, 12, 31, 18, 0, 0, 0, tz)})
		}
	}
	// Fill from the most recent periods backwards so that the newest have
	// every employee.
	need := n - len(specs)
	for pi := len(periods) - 1; pi >= 0 && need > 0; pi-- {
		per := periods[pi]
		at := g.after(per.end, 3, 15)
		if at.After(g.until) {
			continue
		}
		for _, e := range emps {
			if need == 0 {
				break
			}
			if !e.activeAt(at) {
				continue
			}
			s := &apprSpec{at: at, employee: e, appraiser: appraiser(e), period: per.name}
			t := at
			for i := 0; i < 4; i++ {
				t = g.after(t, 2, 10)
				s.steps = append(s.steps, t)
			}
			specs = append(specs, s)
			need--
		}
	}
	sort.SliceStable(specs, func(i, j int) bool { return specs[i].at.Before(specs[j].at) })
	last := map[*person]*rec{} // the previous appraisal of each employee
	lastBelow := map[*person]bool{}
	for _, s := range specs {
		if s.at.After(g.until) {
			continue
		}
		r := &rec{kind: record.Appraisal, id: g.nextID(record.Appraisal, s.at.Year()), at: s.at}
		g.live(r, s.at, s.appraiser, "create", "draft")
		for i, st := range []string{"submitted", "reviewed", "acknowledged", "closed"} {
			actor := g.director
			if st == "submitted" {
				actor = s.appraiser
			} else if st == "acknowledged" {
				actor = s.employee
			}
			if !g.live(r, s.steps[i], actor, st, st) {
				break
			}
		}
		d := &r.doc
		d.kv(0, "kind", "appraisal")
		d.kv(0, "id", r.id)
		what := s.period
		if s.project != nil {
			what = s.project.id + " 項目"
		}
		d.kv(0, "title", str(strings.SplitN(s.employee.name, " ", 2)[0]+" "+what+"考核"))
		d.status()
		d.kv(0, "employee", s.employee.handle)
		d.kv(0, "appraiser", s.appraiser.handle)
		if s.period != "" {
			d.kv(0, "period", s.period)
		}
		if s.project != nil {
			d.kv(0, "project", s.project.id)
		}
		weights := pick(g, [][]int{{40, 30, 30}, {50, 25, 25}, {60, 25, 15}, {40, 30, 15, 15}, {100}})
		base := 55 + g.intn(40)
		if g.chance(0.05) {
			base = 35 + g.intn(20)
		}
		var b block
		b.line(0, "indicators:")
		sum := 0
		for i, w := range weights {
			sc := min(100, max(0, base+g.intn(11)-5))
			sum += w * sc
			b.line(2, "- name: "+str(indicatorNames[(i+g.intn(len(indicatorNames)))%len(indicatorNames)]))
			b.line(4, "weight: "+strconv.Itoa(w))
			b.line(4, "score: "+strconv.Itoa(sc))
			if g.chance(0.3) {
				b.line(4, "comment: "+pick(g, []string{"超額完成", "主動協助新人", "需加強時效", "Solid delivery"}))
			}
		}
		d.add(0, b.String())
		total := cents(sum) // Σ w×s / 100, in hundredths
		d.kv(0, "total", strings.TrimSuffix(strings.TrimSuffix(total.String(), "0"), ".0"))
		rating := ratingOf(sum)
		d.kv(0, "rating", rating)
		below := rating == "below" || rating == "unsatisfactory"
		if below {
			d.add(0, "improvement:\n  goals: "+pick(g, []string{"三個月內投訴處理時效達標", "完成銷售技巧培訓並通過考核"})+"\n  coach: "+s.appraiser.handle+"\n  review_date: "+date(s.at.AddDate(0, 3, 0))+"\n")
		}
		// A closed appraisal records its outcome, one its rating allows.
		switch {
		case r.status() != "closed":
		case !below && g.chance(0.4):
			d.add(0, "outcome:\n  reward: "+pick(g, []string{"項目獎金 3,000 元", "年終獎 1.2 倍", "優秀員工表彰"})+"\n")
		default:
			d.add(0, "outcome:\n  none: true\n")
		}
		// A follow-up after a below-standard appraisal that improved.
		if prev := last[s.employee]; prev != nil && lastBelow[s.employee] && !below {
			d.kv(0, "follow_up_of", prev.id)
		}
		last[s.employee], lastBelow[s.employee] = r, below
		g.appraisals = append(g.appraisals, r)
	}
}

// ratingOf rates a total given in hundredths under the default thresholds.
func ratingOf(hundredths int) string {
	switch {
	case hundredths >= 9000:
		return "outstanding"
	case hundredths >= 8000:
		return "exceeds"
	case hundredths >= 6000:
		return "meets"
	case hundredths >= 4000:
		return "below"
	}
	return "unsatisfactory"
}
