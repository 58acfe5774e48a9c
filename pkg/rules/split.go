package rules

import (
	"sort"
	"strings"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
)

// splitClaims warns (split-claim) about claims that look like one expense
// cut into pieces to stay under an approver's limit: claims by one
// claimant on one day, or claims sharing a receipt (the same path, or a
// listed file with the same SHA-256), whose amounts together pass an
// approval limit that each of them stays under. The limits are the
// policy's, from the manager's up (leadership has none): a group of
// claims each within a manager's limit whose sum passes it would, as one
// claim, have needed the director. Rejected claims do not count. The
// warning is named on every claim of the group. Claims sharing a receipt
// that pass no limit together get receipt-shared instead: a receipt
// reimbursed twice (a copy of another claim's receipt under a new name
// has its SHA-256) stays under every limit.
func (r *run) splitClaims() {
	type group struct {
		why    i18n.Phrase
		recs   []*record.Record
		fields []string // where each claim's warning points
	}
	groups := map[string]*group{}
	add := func(key string, why i18n.Phrase, field string, rec *record.Record) {
		g := groups[key]
		if g == nil {
			g = &group{why: why}
			groups[key] = g
		}
		if len(g.recs) == 0 || g.recs[len(g.recs)-1] != rec {
			g.recs = append(g.recs, rec)
			g.fields = append(g.fields, field)
		}
	}
	for _, rec := range r.Set.OfKind(record.Expense) {
		if rec.Status() == "rejected" {
			continue
		}
		if _, ok := rec.Money("amount"); !ok {
			continue
		}
		claimant, date := rec.Str("claimant"), rec.Str("date")
		if claimant != "" && date != "" {
			add("day\x00"+claimant+"\x00"+date, i18n.P("by %s on %s", claimant, date), "date", rec)
		}
		sums := map[string]string{}
		for _, e := range Listed(rec) {
			sums[e.Path] = strings.ToLower(e.SHA256)
		}
		for _, n := range NamedAttachments(rec) {
			add("path\x00"+n.Path, i18n.P("sharing the receipt %s", n.Path), n.Field, rec)
			if h := sums[n.Path]; len(h) == 64 {
				add("hash\x00"+h, i18n.P("sharing a receipt with SHA-256 %s…", h[:12]), n.Field, rec)
			}
		}
	}
	limits := r.limits()
	keys := make([]string, 0, len(groups))
	for k, g := range groups {
		if len(g.recs) > 1 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	seen := map[string]bool{} // one warning per set of claims
	shared := map[string]bool{}
	for _, k := range keys {
		g := groups[k]
		ids := make([]string, len(g.recs))
		total, most := money.Zero, money.Zero
		for i, rec := range g.recs {
			ids[i] = rec.ID
			a, _ := rec.Money("amount")
			total = total.Add(a)
			if a.GreaterThan(most) {
				most = a
			}
		}
		sort.Strings(ids)
		set := strings.Join(ids, ",")
		if seen[set] {
			continue
		}
		for _, l := range limits {
			if most.GreaterThan(l.amount) || !total.GreaterThan(l.amount) {
				continue
			}
			seen[set] = true
			warn := r.group(diag.Warning, "split-claim", "claims %s %s total %s, over the %s's approval limit %s that each stays under: one expense split in parts is approved as one", i18n.Some(ids, groupNames), g.why, total, i18n.Word{Group: "role", Key: l.role}, l.amount)
			for i, rec := range g.recs {
				warn(rec, g.fields[i])
			}
			break
		}
		if !seen[set] && !strings.HasPrefix(k, "day\x00") && !shared[set] {
			// Under every limit, a receipt on two claims is still one
			// receipt: claimed twice, or one expense in parts.
			shared[set] = true
			warn := r.group(diag.Warning, "receipt-shared", "claims %s %s: a receipt is reimbursed once; if they are parts of one expense, check that together they claim no more than it", i18n.Some(ids, groupNames), g.why)
			for i, rec := range g.recs {
				warn(rec, g.fields[i])
			}
		}
	}
}

type limit struct {
	role   string
	amount money.Amount
}

// limits are the policy's approval limits, lowest first.
func (r *run) limits() []limit {
	var out []limit
	for role, a := range r.Policy.ApprovalLimits {
		out = append(out, limit{role, a})
	}
	sort.Slice(out, func(i, j int) bool {
		if c := out[i].amount.Cmp(out[j].amount); c != 0 {
			return c < 0
		}
		return out[i].role < out[j].role
	})
	return out
}
