package report

import "github.com/opsbook/opsbook/pkg/record"

// Redact returns the set without the records marked classification:
// confidential, for reports that leave the department (§6). Reports never
// print customer contact details in the first place.
func Redact(set *record.Set) *record.Set {
	var keep []*record.Record
	for _, r := range set.Records {
		if r.Str("classification") != "confidential" {
			keep = append(keep, r)
		}
	}
	return record.NewSet(keep)
}
