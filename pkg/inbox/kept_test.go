package inbox

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, wherever the tests run
)

// TestKeptPlacesDeadlinesByNow: an inbox kept in America/Denver and given
// in America/Phoenix (both MST, -07:00, on 10 March 2027) writes a
// clock's due after Denver's change to -06:00 with Phoenix's offset, and
// ends a date at Phoenix's midnight, as Build in Phoenix does.
func TestKeptPlacesDeadlinesByNow(t *testing.T) {
	denver, err := time.LoadLocation("America/Denver")
	if err != nil {
		t.Fatal(err)
	}
	phoenix, err := time.LoadLocation("America/Phoenix")
	if err != nil {
		t.Fatal(err)
	}
	made := time.Date(2027, 3, 10, 12, 0, 0, 0, denver)
	clock := made.Add(5 * 24 * time.Hour) // 15 March, -06:00 in Denver
	dayEndDenver, _ := dayEnd("2026-10-20", denver)
	box := &Inbox{Person: "li.wei", Items: []Item{
		{Record: "CMP-2027-0001", Clock: "respond", Due: clock.Format(time.RFC3339), rank: rankClock, deadline: clock},
		{Record: "TSK-2026-0001", Due: "2026-10-20", Overdue: true, rank: rankOverdue, deadline: dayEndDenver},
	}, Team: []Item{}}
	data, err := box.Keep()
	if err != nil {
		t.Fatal(err)
	}
	now := made.In(phoenix)
	a, ao := made.Zone()
	if b, bo := now.Zone(); a != b || ao != bo {
		t.Fatalf("Denver and Phoenix differ at %s: %s %d, %s %d", made, a, ao, b, bo)
	}
	kept, err := Kept(data, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kept.Items[0].Due, clock.In(phoenix).Format(time.RFC3339); got != want || got == box.Items[0].Due {
		t.Errorf("clock due kept in Denver, given in Phoenix: %s, want %s (Denver wrote %s)", got, want, box.Items[0].Due)
	}
	want, _ := dayEnd("2026-10-20", phoenix)
	if got := kept.Items[1].deadline; !got.Equal(want) || got.Equal(dayEndDenver) {
		t.Errorf("the end of 2026-10-20 kept in Denver, given in Phoenix: %s, want %s", got, want)
	}
	if got, want := when(kept.Items[1], time.Date(2026, 11, 26, 23, 30, 0, 0, phoenix)), when(Item{Overdue: true, deadline: want}, time.Date(2026, 11, 26, 23, 30, 0, 0, phoenix)); got != want {
		t.Errorf("overdue kept in Denver, given in Phoenix: %q, want %q", got, want)
	}
}
