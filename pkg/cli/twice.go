package cli

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
)

// One id stated by two record files (id-duplicate, which validate reports
// and a write refuses) is said once on standard error by every command
// that meets it, and taken the same way by all:
//
//   - a command given the id (show, set, move, a verb, edit, attach,
//     attachment, readers) takes the file filed under the id (its kind's
//     folder and year, the id as its name) and names the others; with none
//     filed under it, it refuses, naming them all, so a file planted
//     elsewhere stating a record's id is never taken for that record;
//   - a command that reads many records (list, summary, the reports, the
//     inbox) counts each file as the record it is, as before, so its
//     output keeps every row, and names each such id once (twiceWarning).

// filedUnderID is the record to take for rec's id when more than one file
// states it: the one filed under the id, with a note on w naming the
// others ("shown is" for show, "taken is" for the rest). None filed under
// it: refused, naming them all.
func filedUnderID(w io.Writer, r *repo.Repo, rec *record.Record, show bool) (*record.Record, error) {
	holders := r.Set.All(rec.ID)
	if len(holders) < 2 {
		return rec, nil
	}
	var filed *record.Record
	var others, all []string
	for _, x := range holders {
		all = append(all, x.Path)
		if filed == nil && x.Kind != "" && x.Path == path.Join(r.Policy.Records, record.RelPath(x.Kind, x.ID)) {
			filed = x
		} else {
			others = append(others, x.Path)
		}
	}
	if filed == nil {
		return nil, refused(i18n.Errorf("%s is stated by %d files, none filed under the id: %s (id-duplicate: give the others their own ids with `opsbook renumber`)",
			rec.ID, len(holders), i18n.JoinStrings(i18n.P(", "), all)))
	}
	if show {
		fmt.Fprintln(w, "opsbook: "+i18n.Sprintf("%s is also stated by %s: shown is %s, filed under the id (id-duplicate: give the others their own ids with `opsbook renumber`)",
			rec.ID, i18n.JoinStrings(i18n.P(", "), others), filed.Path))
	} else {
		fmt.Fprintln(w, "opsbook: "+i18n.Sprintf("%s is also stated by %s: taken is %s, filed under the id (id-duplicate: give the others their own ids with `opsbook renumber`)",
			rec.ID, i18n.JoinStrings(i18n.P(", "), others), filed.Path))
	}
	return filed, nil
}

// twiceWarning names, once each, the ids that more than one record file
// of the set states ("" when none does): the answer counts each file as a
// record of its own.
// Of the files that state one id at most one is filed under it: only the
// ids of the files that are not (seldom any) are looked up, so that a
// department of 100,000 records builds no index of ids for this.
func twiceWarning(set *record.Set) string { return twiceSaid(sharedIDs(set)) }

// sharedIDs are the ids of set that more than one file states, each with
// its files (record.Set.Shared, found as twiceWarning says).
func sharedIDs(set *record.Set) map[string][]*record.Record {
	var shared map[string][]*record.Record
	for _, rec := range set.Records {
		if rec.ID == "" || record.FiledAt(rec.Path, rec.Kind, rec.ID) {
			continue
		}
		if rs := set.All(rec.ID); len(rs) > 1 {
			if shared == nil {
				shared = map[string][]*record.Record{}
			}
			shared[rec.ID] = rs
		}
	}
	return shared
}

// warnListedTwice is twiceWarning for list: of the ids that more than one
// file of the kind states (o.twice), those of the rows shown, each once.
func (o *listOpts) warnListedTwice(rows []*query.Row) {
	if len(o.twice) == 0 {
		return
	}
	shown := map[string][]*record.Record{}
	for _, row := range rows {
		if rs := o.twice[row.Record.ID]; rs != nil {
			shown[row.Record.ID] = rs
		}
	}
	fmt.Fprint(o.io.Err, twiceSaid(shown))
}

// twiceSaid is what twiceWarning says of these ids, each with its files.
func twiceSaid(shared map[string][]*record.Record) string {
	if len(shared) == 0 {
		return ""
	}
	ids := make([]string, 0, len(shared))
	for id := range shared {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b strings.Builder
	for i, id := range ids {
		if i == 5 {
			fmt.Fprintln(&b, "  "+i18n.Sprintf("... and %d more", len(ids)-5))
			break
		}
		var paths []string
		filed := ""
		for _, rec := range shared[id] {
			paths = append(paths, rec.Path)
			if filed == "" && record.FiledUnderID(rec) {
				filed = rec.Path
			}
		}
		files := i18n.JoinStrings(i18n.P(", "), paths)
		if filed != "" {
			fmt.Fprintln(&b, "opsbook: "+i18n.Sprintf("warning: %s is stated by %d files (%s): this answer counts each as a record; a command given the id takes %s, filed under it (id-duplicate: give the others their own ids with `opsbook renumber`)",
				id, len(paths), files, filed))
		} else {
			fmt.Fprintln(&b, "opsbook: "+i18n.Sprintf("warning: %s is stated by %d files (%s), none filed under it: this answer counts each as a record; a command given the id refuses (id-duplicate: give them their own ids with `opsbook renumber`)",
				id, len(paths), files))
		}
	}
	return b.String()
}
