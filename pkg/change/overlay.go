package change

import (
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// overlay is the repository's records as they are with a change made: the
// records the workflow's order checks look up (a plan's project, a
// project's plans).
type overlay struct {
	set     workflow.Records
	changes []workflow.Change
}

func (o overlay) Get(id string) *record.Record {
	for _, c := range o.changes {
		if c.After != nil && c.After.ID == id {
			return c.After
		}
		if c.After == nil && c.Before != nil && c.Before.ID == id {
			return nil
		}
	}
	return o.set.Get(id)
}

func (o overlay) OfKind(k record.Kind) []*record.Record {
	changed := map[string]bool{}
	var out []*record.Record
	for _, c := range o.changes {
		if c.Before != nil {
			changed[c.Before.Path] = true
		}
		if c.After != nil && c.After.Kind == k {
			changed[c.After.Path] = true
			out = append(out, c.After)
		}
	}
	for _, r := range o.set.OfKind(k) {
		if !changed[r.Path] {
			out = append(out, r)
		}
	}
	return out
}
