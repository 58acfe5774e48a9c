package heap

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// current reads the percentage and the memory limit without changing them.
func current() (int, int64) {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p, debug.SetMemoryLimit(-1)
}

// waitLifted collects until the floor is lifted (the cleanup runs on a
// goroutine of its own after a collection).
func waitLifted(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for Holding() {
		if time.Now().After(deadline) {
			t.Fatal("the floor still holds after collections")
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

var sink [][]byte

// noUsersChoice clears GOGC and GOMEMLIMIT for the test (Floor leaves the
// runtime alone when either is set).
func noUsersChoice(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
}

func numGC() uint32 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.NumGC
}

func TestFloorDefersTheFirstCollection(t *testing.T) {
	noUsersChoice(t)
	if !Floor(1 << 30) {
		t.Fatal("Floor refused with neither GOGC nor GOMEMLIMIT set")
	}
	before := numGC()
	for range 256 { // 64 MB of garbage: several collections at GOGC=100
		sink = append(sink[:0], make([]byte, 256<<10))
	}
	if n := numGC() - before; n != 0 {
		t.Errorf("%d collections below the floor", n)
	}
	if p, l := current(); p != -1 || l != 1<<30 {
		t.Errorf("under the floor: percentage %d, limit %d; want -1 and the floor", p, l)
	}
	waitLifted(t)
	if p, l := current(); p != 100 || l != math.MaxInt64 {
		t.Errorf("after the first collection: percentage %d, limit %d; want 100 and none", p, l)
	}
}

// AtLeast raises a floor that holds, never lowers it, and does nothing
// once the floor is lifted.
func TestAtLeastRaisesTheFloor(t *testing.T) {
	noUsersChoice(t)
	// a first floor above the test's heap (one below it would start a
	// collection at once, lifting the floor before AtLeast)
	Floor(64 << 20)
	AtLeast(1 << 30)
	AtLeast(1 << 21) // lower: no change
	if p, l := current(); p != -1 || l != 1<<30 {
		t.Fatalf("raised: percentage %d, limit %d; want -1 and the raised floor", p, l)
	}
	before := numGC()
	for range 512 { // 128 MB of garbage: far past the first floor
		sink = append(sink[:0], make([]byte, 256<<10))
	}
	if n := numGC() - before; n != 0 {
		t.Errorf("%d collections below the raised floor", n)
	}
	waitLifted(t)
	AtLeast(1 << 31)
	if p, l := current(); p != 100 || l != math.MaxInt64 {
		t.Errorf("AtLeast after the lift: percentage %d, limit %d; want 100 and none", p, l)
	}
}

func TestSetPercentUnderTheFloor(t *testing.T) {
	noUsersChoice(t)
	Floor(1 << 30)
	// a stretch of work saving and restoring the percentage while the
	// floor holds leaves the collector off, not at its value
	if old := SetPercent(10); old != 100 {
		t.Errorf("SetPercent returned %d, want the percentage wanted after the floor (100)", old)
	}
	if p, _ := current(); p != -1 {
		t.Errorf("SetPercent under the floor switched the collector on (%d)", p)
	}
	waitLifted(t)
	if p, _ := current(); p != 10 {
		t.Errorf("after the floor: percentage %d, want the one asked under it (10)", p)
	}
	// the restore after the floor is lifted sets it
	if old := SetPercent(100); old != 10 {
		t.Errorf("SetPercent returned %d, want 10", old)
	}
	if p, l := current(); p != 100 || l != math.MaxInt64 {
		t.Errorf("percentage %d, limit %d; want 100 and none", p, l)
	}
}

func TestRestoreAcrossTheLift(t *testing.T) {
	noUsersChoice(t)
	Floor(1 << 30)
	old := SetPercent(-1) // the collector off for a stretch
	waitLifted(t)         // the first collection comes meanwhile
	SetPercent(old)       // and the stretch ends
	if p, l := current(); p != 100 || l != math.MaxInt64 {
		t.Errorf("percentage %d, limit %d after the stretch; want 100 and none (not off for good)", p, l)
	}
}

func TestUsersChoiceStands(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv("GOGC", "")
			t.Setenv("GOMEMLIMIT", "")
			t.Setenv(env, "200")
			if Floor(1 << 30) {
				t.Errorf("Floor set with %s in the environment", env)
			}
			if Holding() {
				t.Error("the floor holds")
			}
			// nor do a pause or a percentage for a while change it
			p0, l0 := current()
			resume := Pause()
			if p, l := current(); p != p0 || l != l0 {
				t.Errorf("a pause with %s set: percentage %d, limit %d; want %d and %d", env, p, l, p0, l0)
			}
			resume()
			old := SetPercent(10)
			if p, _ := current(); p != p0 {
				t.Errorf("SetPercent(10) with %s set: percentage %d, want %d", env, p, p0)
			}
			SetPercent(old)
			if p, l := current(); p != p0 || l != l0 {
				t.Errorf("after: percentage %d, limit %d; want %d and %d", p, l, p0, l0)
			}
		})
	}
}

func TestPausesOverlap(t *testing.T) {
	noUsersChoice(t)
	Lift()
	SetPercent(100)
	// two stretches on two goroutines, the first ending first: the
	// collector stays off until the last ends
	a := Pause()
	b := Pause()
	a()
	a() // a second call does nothing
	if p, _ := current(); p != -1 {
		t.Errorf("one pause of two ended: percentage %d, want off", p)
	}
	// a percentage asked meanwhile takes effect after
	old := SetPercent(50)
	if p, _ := current(); p != -1 {
		t.Errorf("SetPercent during a pause switched the collector on (%d)", p)
	}
	b()
	if p, _ := current(); p != 50 {
		t.Errorf("after the pauses: percentage %d, want 50", p)
	}
	SetPercent(old)
	if p, _ := current(); p != 100 {
		t.Errorf("percentage %d, want 100", p)
	}
}

func TestPauseUnderTheFloor(t *testing.T) {
	noUsersChoice(t)
	Floor(1 << 30)
	resume := Pause()
	waitLifted(t) // the first collection comes during the pause
	if p, l := current(); p != -1 || l != math.MaxInt64 {
		t.Errorf("lifted during a pause: percentage %d, limit %d; want off and no limit", p, l)
	}
	resume()
	if p, _ := current(); p != 100 {
		t.Errorf("after the pause: percentage %d, want 100", p)
	}
}

// A pause while the floor holds lifts the floor's memory limit until it
// ends: the runtime collects whenever the heap nears the limit, collector
// off or not, so a stretch decoding more than the floor would otherwise
// collect (and give pages back to the system) over what it just made.
func TestPauseLiftsTheFloorsLimit(t *testing.T) {
	noUsersChoice(t)
	Lift()
	const floorBytes = 1 << 40 // never reached: no collection ends it here
	if !Floor(floorBytes) {
		t.Fatal("Floor refused")
	}
	defer Lift()
	if _, l := current(); l != floorBytes {
		t.Fatalf("under the floor: limit %d, want %d", l, int64(floorBytes))
	}
	resume := Pause()
	if p, l := current(); p != -1 || l != math.MaxInt64 {
		t.Errorf("during a pause: percentage %d, limit %d; want off and no limit", p, l)
	}
	resume()
	if !Holding() {
		t.Fatal("the floor was lifted: nothing here collects")
	}
	if p, l := current(); p != -1 || l != floorBytes {
		t.Errorf("after the pause: percentage %d, limit %d; want off and the floor", p, l)
	}
}

// A floor set during a pause takes the percentage wanted after it, not
// the pause's "off": once both end the collector runs again.
func TestFloorDuringAPause(t *testing.T) {
	noUsersChoice(t)
	Lift()
	SetPercent(100)
	resume := Pause()
	if !Floor(1 << 40) {
		t.Fatal("Floor refused")
	}
	resume()
	Lift()
	if p, l := current(); p != 100 || l != math.MaxInt64 {
		t.Errorf("after the pause and the floor: percentage %d, limit %d; want 100 and none", p, l)
	}
}
