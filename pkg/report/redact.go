package report

import (
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/record"
)

// Redact returns the set without the confidential records (marked
// classification: confidential, or confidential by their kind's default),
// for reports that leave the department (§6). Reports never print customer
// contact details in the first place.
func Redact(set *record.Set, p *config.Policy) *record.Set {
	var keep []*record.Record
	for _, r := range set.Records {
		if !query.Confidential(r, p) {
			keep = append(keep, r)
		}
	}
	return record.NewSet(keep)
}
