package cli

import (
	"context"
	"slices"
	"time"

	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
)

// listedFromIndex counts the lists answered from the index, for the tests.
var listedFromIndex int

// inIndex reports whether the index holds what a field reads: a clear
// top-level field (index.Clear) or the kind, id or path.
func inIndex(f query.Field) bool {
	name, ok := f.TopLevel()
	if !ok {
		return false
	}
	return name == "kind" || name == "id" || name == "path" || slices.Contains(index.Clear, name)
}

// listIndexed answers `list` from the index when every field the filter
// and the sort read is one the index holds: the kind's entries stand in
// for its records (an entry whose clear fields it could not keep is read
// in full), and only the files of the rows shown are read, when a column
// needs more than the index holds. ok is false when the index cannot
// answer (a field it does not hold, no index, a file changed since the
// refresh): the caller loads the kind's records.
func (o *listOpts) listIndexed(ctx context.Context, kind record.Kind, now time.Time, q *query.Query,
	order query.Order, cols []query.Field) (rows []*query.Row, matched, total int, ok bool, err error) {
	for _, f := range q.Fields() {
		if !inIndex(f) {
			return nil, 0, 0, false, nil
		}
	}
	for _, k := range order {
		if !inIndex(k.Field) {
			return nil, 0, 0, false, nil
		}
	}
	// Without --columns, -o json and yaml show every field of the record.
	full := o.columns == "" && (o.output == "json" || o.output == "yaml")
	for _, c := range cols {
		full = full || !inIndex(c)
	}
	d, err := repo.OpenIndexed(ctx, o.dir, kind)
	if err != nil {
		// no index, or a repository that cannot be read: the full path
		// says why as it always has
		return nil, 0, 0, false, ctx.Err()
	}
	entries, readable := d.OfKind(kind)
	if !readable {
		return nil, 0, 0, false, nil // the full load warns of the file
	}
	// An entry that does not stand for its record (Odd) is read in full;
	// so is one holding encrypted values (Sealed), revealed as the full
	// path reveals every record of the kind, in the same order (which
	// tells of a ciphertext it cannot open).
	// The skeletons hold the fields the filter, the sort and the columns
	// read, no more (thousands of entries: most of the cost was making
	// every clear field of each).
	read1 := map[string]bool{}
	for _, f := range q.Fields() {
		name, _ := f.TopLevel()
		read1[name] = true
	}
	for _, k := range order {
		name, _ := k.Field.TopLevel()
		read1[name] = true
	}
	for _, c := range cols {
		if name, ok := c.TopLevel(); ok {
			read1[name] = true
		}
	}
	keep := func(field string) bool { return read1[field] }
	recs := make([]*record.Record, len(entries))
	var whole []*index.Entry
	var at []int
	for i, e := range entries {
		if e.Odd || e.Sealed {
			whole, at = append(whole, e), append(at, i)
			continue
		}
		recs[i] = e.SkeletonOf(keep)
	}
	read, err := d.Read(whole)
	if err != nil {
		return nil, 0, 0, false, nil
	}
	read = o.revealAll(read, false)
	isWhole := make(map[*record.Record]bool, len(read))
	for j, i := range at {
		recs[i] = read[j]
		isWhole[read[j]] = true
	}
	entryOf := make(map[*record.Record]*index.Entry, len(recs))
	for i, r := range recs {
		entryOf[r] = entries[i]
	}
	rc := &rules.Context{Set: record.NewSet(nil), Policy: d.Policy, Root: d.Root, Now: now}
	rows = q.Filter(query.NewRows(rc, recs, false))
	order.Sort(rows)
	matched = len(rows)
	if o.limit > 0 && len(rows) > o.limit {
		rows = rows[:o.limit]
	}
	if full {
		var shown []*index.Entry
		var at []int
		for i, row := range rows {
			if !isWhole[row.Record] {
				shown, at = append(shown, entryOf[row.Record]), append(at, i)
			}
		}
		read, err := d.Read(shown) // no ciphertext: nothing to reveal
		if err != nil {
			return nil, 0, 0, false, nil
		}
		recs := make([]*record.Record, len(rows))
		for i, row := range rows {
			recs[i] = row.Record
		}
		for j, i := range at {
			recs[i] = read[j]
		}
		rc.Set = record.NewSet(append([]*record.Record(nil), recs...))
		for i := range rows {
			rows[i] = query.NewRow(rc, recs[i], nil)
		}
	}
	o.twice = twiceIndexed(entries)
	o.warnInterrupted(d.Root)
	listedFromIndex++
	return rows, matched, len(entries), true, nil
}

// twiceIndexed are the ids of the entries that more than one file states,
// each with its files (as record.Set.Shared has them). Of the files that
// state one id at most one is filed under it, so only the ids of files
// not filed under their ids (a misfiled or planted file: seldom any) are
// looked for among the others, and a list of 100,000 entries builds no
// map of them.
func twiceIndexed(entries []*index.Entry) map[string][]*record.Record {
	var odd map[string]bool
	for _, e := range entries {
		if e.ID != "" && !record.FiledAt(e.Path, e.Kind, e.ID) {
			if odd == nil {
				odd = map[string]bool{}
			}
			odd[e.ID] = true
		}
	}
	if odd == nil {
		return nil
	}
	twice := map[string][]*record.Record{}
	for _, e := range entries {
		if odd[e.ID] {
			twice[e.ID] = append(twice[e.ID], &record.Record{ID: e.ID, Kind: e.Kind, Path: e.Path})
		}
	}
	for id, rs := range twice {
		if len(rs) < 2 {
			delete(twice, id)
		}
	}
	return twice
}
