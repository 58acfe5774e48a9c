package gen

import (
	"fmt"
	"time"

	"github.com/opsbook/opsbook/pkg/record"
)

// makeTeam makes, for every year, the training plan the director writes
// and leadership approves, the two sessions delivering it, and one case of
// a breach of confidentiality; each as far along its workflow as the
// department's time reaches.
func (g *gen) makeTeam() {
	for _, y := range g.years {
		plan := &rec{kind: record.TrainingPlan, id: record.FormatID(record.TrainingPlan, y, 0), at: time.Date(y-1, 12, 5, 10, 0, 0, 0, tz)}
		g.live(plan, plan.at, g.director, "create", "draft")
		approved := time.Date(y-1, 12, 22, 15, 0, 0, 0, tz)
		g.live(plan, approved, pick(g, g.leaders), "approve", "approved")
		g.live(plan, time.Date(y+1, 1, 15, 10, 0, 0, 0, tz), g.director, "close", "closed")
		d := &plan.doc
		d.kv(0, "kind", "training-plan")
		d.kv(0, "id", plan.id)
		d.kv(0, "title", fmt.Sprintf("運營部 %d 年度培訓計劃", y))
		d.status()
		d.kv(0, "year", fmt.Sprint(y))
		d.kv(0, "author", g.director.handle)
		d.kv(1, "approved_on", date(approved))
		courses := []struct{ code, title, topic, month, hours string }{
			{"CONF-1", "保密制度與客戶信息保護", "confidentiality", "03", "2"},
			{"C02", "新品知識與賣點培訓", "business", "06", "3"},
		}
		var b block
		b.line(0, "courses:")
		for _, c := range courses {
			b.line(2, "- code: "+c.code)
			b.line(4, "title: "+c.title)
			b.line(4, "topic: "+c.topic)
			b.line(4, "delivery: internal")
			b.line(4, "audience:")
			b.line(6, "all: true")
			b.line(4, fmt.Sprintf("month: %d-%s", y, c.month))
			b.line(4, "hours: "+c.hours)
		}
		d.add(0, b.String())
		g.team = append(g.team, plan)

		for i, c := range courses {
			day := time.Date(y, time.Month(3+3*i), 12, 14, 0, 0, 0, tz)
			organiser := g.director
			if i > 0 {
				organiser = g.activeAt(g.managers, day)
			}
			t := &rec{kind: record.Training, id: g.nextID(record.Training, y), at: day.AddDate(0, 0, -20)}
			if !g.live(t, t.at, organiser, "create", "planned") {
				g.seq[string(record.Training)+fmt.Sprint(y)]--
				continue
			}
			held := g.live(t, day.Add(3*time.Hour), organiser, "deliver", "held")
			evaluated := time.Date(y, time.Month(3+3*i), 28, 10, 0, 0, 0, tz)
			if held {
				g.live(t, evaluated, organiser, "evaluate", "evaluated")
			}
			d := &t.doc
			d.kv(0, "kind", "training")
			d.kv(0, "id", t.id)
			d.kv(0, "title", c.title)
			d.status()
			d.kv(0, "organiser", organiser.handle)
			d.kv(0, "date", date(day))
			d.kv(0, "topic", c.topic)
			d.kv(0, "delivery", "internal")
			d.kv(0, "plan", plan.id)
			d.kv(0, "course", c.code)
			d.kv(0, "hours", c.hours)
			var a block
			a.line(0, "attendees:")
			for _, p := range g.people {
				if p.role == "leadership" || !p.activeAt(day) {
					continue
				}
				a.line(2, "- person: "+p.handle)
				if held {
					absent := g.chance(0.1)
					a.line(4, fmt.Sprintf("attended: %t", !absent))
					if !absent && len(t.states) > 2 && g.chance(0.8) {
						a.line(4, fmt.Sprintf("rating: %d", 3+g.intn(3)))
					}
				}
			}
			d.add(0, a.String())
			if len(t.states) > 2 {
				d.add(2, fmt.Sprintf("evaluation:\n  date: %s\n  by: %s\n  assessment: 課後測驗通過；抽查執行情況良好。\n", date(evaluated), organiser.handle))
			}
			g.team = append(g.team, t)
		}

		at := time.Date(y, 5, 10, 9, 0, 0, 0, tz)
		person := g.activeAt(g.specialists, at)
		reporter := g.activeAt(g.managers, at)
		v := &rec{kind: record.Violation, id: g.nextID(record.Violation, y), at: at.AddDate(0, 0, 2)}
		if !g.live(v, v.at, reporter, "create", "reported") {
			g.seq[string(record.Violation)+fmt.Sprint(y)]--
			continue
		}
		decided := at.AddDate(0, 0, 15)
		if g.live(v, at.AddDate(0, 0, 5), g.director, "investigate", "investigating") && g.live(v, decided, g.director, "decide", "decided") {
			g.live(v, at.AddDate(0, 0, 30), g.director, "close", "closed")
		}
		d = &v.doc
		d.kv(0, "kind", "violation")
		d.kv(0, "id", v.id)
		d.kv(0, "title", "客戶資料未按規定存放")
		d.status()
		d.kv(0, "classification", "confidential")
		d.kv(0, "person", person.handle)
		d.kv(0, "reporter", reporter.handle)
		d.kv(0, "reported_on", date(v.at))
		d.kv(0, "date", date(at))
		d.kv(0, "rule", "§7.2.2 涉密文件資料嚴格管理")
		d.kv(0, "facts", "客戶報價表存放在個人網盤。")
		d.kv(0, "severity", "minor")
		if len(v.states) > 2 {
			d.add(2, fmt.Sprintf("decision:\n  date: %s\n  by: %s\n  sanction: fine\n  amount: 200.00\n  reason: 初次違規；罰款並重修保密課程。\n", date(decided), g.director.handle))
		}
		if len(v.states) > 3 {
			d.kv(3, "closed_on", date(at.AddDate(0, 0, 30)))
		}
		g.team = append(g.team, v)
	}
}
