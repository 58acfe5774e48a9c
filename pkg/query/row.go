package query

import (
	"strconv"
	"time"

	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// Row is one record as a query sees it: its data (redacted, when the
// output leaves the department) and its derived fields, computed once when
// first asked for.
type Row struct {
	Record *record.Record
	// Data is what filters, sorts and columns read; the record's own data
	// unless redacted.
	Data    record.Map
	ctx     *rules.Context
	derived map[string]derivedValue
}

type derivedValue struct {
	v  any
	ok bool
}

// NewRow wraps a record. Data is the record's data as it may be shown (see
// Redact); nil means the record's own.
func NewRow(c *rules.Context, r *record.Record, data record.Map) *Row {
	if data == nil {
		data = r.Data
	}
	return &Row{Record: r, Data: data, ctx: c}
}

// NewRows wraps records, leaving out confidential ones and redacting
// confidential fields when redact is set.
func NewRows(c *rules.Context, recs []*record.Record, redact bool) []*Row {
	rows := make([]*Row, 0, len(recs))
	for _, r := range recs {
		data := r.Data
		if redact {
			var visible bool
			if data, visible = Redact(r, c.Policy); !visible {
				continue
			}
		}
		rows = append(rows, NewRow(c, r, data))
	}
	return rows
}

// Values returns the values a field holds in the row: none when absent,
// several when the path crosses a list ("items.amount" is every item's
// amount). A value that is itself a list is returned as one []any.
func (row *Row) Values(f Field) []any {
	if f.derived != nil {
		dv, ok := row.derived[f.derived.Name]
		if !ok {
			dv.v, dv.ok = f.derived.value(row.ctx, row.Record)
			if row.derived == nil {
				row.derived = map[string]derivedValue{}
			}
			row.derived[f.derived.Name] = dv
		}
		if !dv.ok {
			return nil
		}
		return []any{dv.v}
	}
	if len(f.parts) == 1 {
		switch f.parts[0] {
		case "kind":
			return []any{string(row.Record.Kind)}
		case "id":
			if row.Record.ID != "" {
				return []any{row.Record.ID}
			}
		case "path":
			return []any{row.Record.Path}
		}
	}
	// Most paths cross only mappings: follow them without the walk below,
	// which is left for a path through a list. (This runs for every row a
	// filter, sort or column reads.)
	var v any = row.Data
	parts := f.parts
	for len(parts) > 0 {
		t, ok := v.(record.Map)
		if !ok {
			break
		}
		if v, ok = t.Get(parts[0]); !ok {
			return nil
		}
		parts = parts[1:]
	}
	if len(parts) == 0 {
		return []any{v}
	}
	if _, ok := v.([]any); !ok {
		return nil
	}
	var out []any
	var walk func(v any, parts []string)
	walk = func(v any, parts []string) {
		if len(parts) == 0 {
			out = append(out, v)
			return
		}
		switch t := v.(type) {
		case record.Map:
			if x, ok := t.Get(parts[0]); ok {
				walk(x, parts[1:])
			}
		case []any:
			if i, err := strconv.Atoi(parts[0]); err == nil {
				if i >= 0 && i < len(t) {
					walk(t[i], parts[1:])
				}
				return
			}
			for _, x := range t {
				walk(x, parts)
			}
		}
	}
	walk(v, parts)
	return out
}

// Value returns the field's value in a plain form for JSON and YAML output:
// durations as Go duration text ("26h30m0s"), several values (through a
// list) as a list. ok is false when the field is absent.
func (row *Row) Value(f Field) (any, bool) {
	vs := row.Values(f)
	for i, v := range vs {
		if d, ok := v.(time.Duration); ok {
			vs[i] = d.String()
		}
	}
	switch len(vs) {
	case 0:
		return nil, false
	case 1:
		return vs[0], true
	}
	return vs, true
}

// Object is the row as one JSON object: its fields plus kind, id and path.
func (row *Row) Object() record.Map {
	out := make(record.Map, len(row.Data), len(row.Data)+3)
	copy(out, row.Data)
	out.Set("kind", string(row.Record.Kind))
	out.Set("id", row.Record.ID)
	out.Set("path", row.Record.Path)
	return out
}

// elements spreads list values into their elements, for comparisons that
// apply to each element.
func elements(vs []any) []any {
	var out []any
	for _, v := range vs {
		if l, ok := v.([]any); ok {
			out = append(out, l...)
			continue
		}
		out = append(out, v)
	}
	return out
}
