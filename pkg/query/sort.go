package query

import (
	"sort"
	"strings"
)

// SortKey is one field of a --sort list.
type SortKey struct {
	Field Field
	Desc  bool
}

// Order is a --sort list: the first key decides, the next breaks ties.
type Order []SortKey

// ParseSort reads "FIELD[,-FIELD...]": a leading - sorts that field in
// descending order (+ is accepted for ascending).
func ParseSort(spec string, fields *Fields) (Order, error) {
	var o Order
	err := eachName(spec, "--sort", func(name string, pos, end int) error {
		k := SortKey{}
		if rest, ok := strings.CutPrefix(name, "-"); ok {
			k.Desc, name, pos = true, rest, pos+1
		} else if rest, ok := strings.CutPrefix(name, "+"); ok {
			name, pos = rest, pos+1
		}
		f, err := fields.Resolve(name)
		if err != nil {
			return errText(spec, pos, end, err.Error())
		}
		if f.Type == Object {
			return errAt(spec, pos, end, "%s is a group of fields: sort by one of them", name)
		}
		k.Field = f
		o = append(o, k)
		return nil
	})
	return o, err
}

// ParseColumns reads a comma-separated list of fields to show.
func ParseColumns(spec string, fields *Fields) ([]Field, error) {
	var cols []Field
	err := eachName(spec, "--columns", func(name string, pos, end int) error {
		f, err := fields.Resolve(name)
		if err != nil {
			return errText(spec, pos, end, err.Error())
		}
		cols = append(cols, f)
		return nil
	})
	return cols, err
}

// eachName calls fn with each comma-separated name of spec and its place.
func eachName(spec, flag string, fn func(name string, pos, end int) error) error {
	start := 0
	for start <= len(spec) {
		end := strings.IndexByte(spec[start:], ',')
		if end < 0 {
			end = len(spec)
		} else {
			end += start
		}
		raw := spec[start:end]
		name := strings.TrimSpace(raw)
		pos := start + strings.Index(raw, name)
		if name == "" {
			return errAt(spec, start, end, "empty field name in %s (fields are separated by single commas)", flag)
		}
		if err := fn(name, pos, pos+len(name)); err != nil {
			return err
		}
		start = end + 1
	}
	return nil
}

// Sort orders rows by the keys, stably (rows equal on every key keep their
// order, which is path order). A row without a value for a key sorts after
// the rows with one, whichever the direction.
func (o Order) Sort(rows []*Row) {
	if len(o) == 0 {
		return
	}
	sort.SliceStable(rows, func(i, j int) bool {
		for _, k := range o {
			a := first(rows[i].Values(k.Field))
			b := first(rows[j].Values(k.Field))
			switch {
			case a == nil && b == nil:
				continue
			case a == nil:
				return false
			case b == nil:
				return true
			}
			c := order(a, b, k.Field.scalar())
			if c == 0 {
				continue
			}
			if k.Desc {
				return c > 0
			}
			return c < 0
		}
		return false
	})
}

// first is a field's first scalar value: the first element of a list.
func first(vs []any) any {
	for _, v := range elements(vs) {
		if _, ok := textOf(v); ok {
			return v
		}
	}
	return nil
}
