package workflow

import (
	"sort"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
)

// Approvals made together. One actor approving several claims in one
// change (one commit: `opsbook approve ID ID…`) approves them in one act.
// Claims by one claimant on one day, or sharing a receipt, are one expense
// split in parts (the rules' split-claim warning), so approved together
// their sum must be within the approver's limit, as one claim of that sum
// would be. Approved one by one, each is within the limit and the
// split-claim warning asks the approver to look; approved together, the
// approver has seen the whole and it is theirs to approve only when the
// whole is within their limit.

// groupNames is how many claims of a group a refusal names (the rest
// counted), as the rules' findings about a group do.
const groupNames = 10

// checkTogether refuses (approval-limit) each claim of such a group whose
// sum passes the actor's limit while each claim stays within it (a claim
// over the limit by itself is refused by checkLimit already). Leadership
// has no limit.
func checkTogether(a Actor, changes []Change, env Env) []*Refusal {
	limit, limited := env.limit(a.Role)
	if !limited {
		return nil
	}
	type group struct {
		why  i18n.Phrase
		recs []*record.Record
	}
	groups := map[string]*group{}
	var keys []string
	add := func(key string, why i18n.Phrase, rec *record.Record) {
		g := groups[key]
		if g == nil {
			g = &group{why: why}
			groups[key] = g
			keys = append(keys, key)
		}
		for _, r := range g.recs {
			// One record judged twice (a merge's own change of a claim
			// and its undoing of another side's) counts once.
			if r == rec || (r.ID != "" && r.ID == rec.ID) {
				return
			}
		}
		g.recs = append(g.recs, rec)
	}
	for _, ch := range changes {
		b := ch.Before
		if b == nil || ch.After == nil || b.Kind != record.Expense || ch.After.Kind != record.Expense ||
			b.Status() == "approved" || ch.After.Status() != "approved" {
			continue
		}
		amount, ok := b.Money("amount")
		if !ok || amount.GreaterThan(limit) {
			continue
		}
		if c, d := b.Str("claimant"), b.Str("date"); c != "" && d != "" {
			add("day\x00"+c+"\x00"+d, i18n.P("by %s on %s", c, d), b)
		}
		for _, p := range receipts(b) {
			add("receipt\x00"+p, i18n.P("sharing the receipt %s", p), b)
		}
	}
	var out []*Refusal
	refused := map[*record.Record]bool{}
	for _, k := range keys {
		g := groups[k]
		if len(g.recs) < 2 {
			continue
		}
		total := money.Zero
		ids := make([]string, len(g.recs))
		for i, rec := range g.recs {
			amt, _ := rec.Money("amount")
			total = total.Add(amt)
			ids[i] = rec.ID
		}
		if !total.GreaterThan(limit) {
			continue
		}
		sort.Strings(ids)
		for _, rec := range g.recs {
			if refused[rec] {
				continue
			}
			refused[rec] = true
			var others []string
			for _, id := range ids {
				if id != rec.ID {
					others = append(others, id)
				}
			}
			out = append(out, refuse(rec, RuleApprovalLimit, "amount",
				"%s may not approve %s together with %s: the claims %s (%s) total %s, over the %s limit of %s (one expense split in parts is approved as one); %s must approve them",
				a.words(), rec.ID, i18n.Some(others, groupNames), g.why, i18n.Some(ids, groupNames), total.Grouped(), roleWord(a.Role), limit.Grouped(), approversOver(a, total, env)))
		}
	}
	return out
}

// receipts are the receipt paths a claim names (its own and its items').
func receipts(rec *record.Record) []string {
	var out []string
	if p := rec.Str("receipt"); p != "" {
		out = append(out, p)
	}
	for _, v := range rec.List("items") {
		if m, ok := v.(record.Map); ok {
			if p, ok := m.Get("receipt"); ok && record.Text(p) != "" {
				out = append(out, record.Text(p))
			}
		}
	}
	return out
}

// approversOver names who may approve amount when a may not.
func approversOver(a Actor, amount money.Amount, env Env) any {
	var can []any
	if a.Role == Manager {
		if dl, _ := env.limit(Director); !amount.GreaterThan(dl) {
			can = append(can, rolePhrase(Director))
		}
	}
	return joinOr(append(can, rolePhrase(Leadership)))
}
