package inbox

import (
	"time"

	"github.com/opsbook/opsbook/pkg/internal/memojson"
	"github.com/opsbook/opsbook/pkg/record"
)

// An inbox may be kept between runs and given again while nothing it was
// made from has changed (the CLI keeps it in a memo: the same records,
// policy, attachments and commit state, the same day, and a moment before
// the horizon the build registered in Input.Horizon). Keep and Kept carry
// what the page needs besides the JSON shape: each item's rank, deadline,
// the needs in the reader's language and a status report's cadence.

// keptItem is an item as kept.
type keptItem struct {
	Item
	Rank      rank      `json:"rank"`
	Deadline  time.Time `json:"deadline"`
	NeedsText []string  `json:"needs_text,omitempty"`
	Days      int       `json:"days,omitempty"`
}

type keptInbox struct {
	Person  string     `json:"person"`
	Name    string     `json:"name"`
	Role    string     `json:"role"`
	Manager bool       `json:"manager"`
	Items   []keptItem `json:"items"`
	Team    []keptItem `json:"team"`
}

// Keep returns the inbox as kept.
func (box *Inbox) Keep() ([]byte, error) {
	k := keptInbox{Person: box.Person, Name: box.Name, Role: box.Role, Manager: box.Manager,
		Items: keepItems(box.Items), Team: keepItems(box.Team)}
	return memojson.Marshal(k)
}

func keepItems(items []Item) []keptItem {
	out := make([]keptItem, len(items))
	for i, it := range items {
		out[i] = keptItem{Item: it, Rank: it.rank, Deadline: it.deadline, NeedsText: it.needsText, Days: it.days}
	}
	return out
}

// Kept is the inbox kept in data, as of now.
func Kept(data []byte, now time.Time) (*Inbox, error) {
	var k keptInbox
	if err := memojson.Unmarshal(data, &k); err != nil {
		return nil, err
	}
	box := &Inbox{Person: k.Person, Name: k.Name, Role: k.Role, AsOf: now.Format(time.RFC3339), Manager: k.Manager,
		Items: keptItems(k.Items, now), Team: keptItems(k.Team, now)}
	return box, nil
}

// keptItems are the items kept, their deadlines placed again by now's
// time zone. Build placed them by it: a date's end is midnight there, a
// clock's due is written with its offset then. Two zones alike at now
// (the CLI keeps an inbox per zone name and offset) may differ at other
// instants: America/Denver and America/Phoenix are both MST, -07:00, in
// November, but only Denver was at -06:00 in October, so the end of an
// October day is an hour apart in the two, and "overdue N days" differs
// late in the evening.
func keptItems(items []keptItem, now time.Time) []Item {
	out := make([]Item, len(items))
	for i, k := range items {
		it := k.Item
		it.rank, it.deadline, it.needsText, it.days = k.Rank, k.Deadline, k.NeedsText, k.Days
		switch {
		case it.deadline.IsZero():
		case it.Clock != "":
			it.deadline = it.deadline.In(now.Location())
			it.Due = it.deadline.Format(time.RFC3339)
		default:
			if d, ok := dayEnd(it.Due, now.Location()); ok {
				it.deadline = d
			}
		}
		out[i] = it
	}
	return out
}

// NextInstant is the earliest instant (an RFC 3339 date and time) a record
// of set holds that is not before now; zero when there is none. A move
// tried as of now stamps now into the record (acknowledged_at,
// resolved_at ...), and the rules compare such stamps with the instants
// the records hold, not with the clock: answers tried as of N may differ
// at a later M of the same day only when a record holds an instant in
// [N, M]. Build registers it in Input.Horizon.
func NextInstant(set *record.Set, now time.Time) time.Time {
	var next time.Time
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case record.Map:
			for _, f := range v {
				walk(f.Value)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case string:
			// 2006-01-02T15:04:05Z at least; a date alone is compared
			// by its day, which a kept inbox never leaves
			if len(v) < 20 || v[4] != '-' || v[10] != 'T' && v[10] != 't' {
				return
			}
			t, err := time.Parse(time.RFC3339, v)
			if err == nil && !t.Before(now) && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
	}
	for _, rec := range set.Records {
		walk(rec.Data)
	}
	return next
}
