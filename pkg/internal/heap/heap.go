// Package heap sets when the garbage collector first runs in a command.
//
// An opsbook command is short: it opens the index, reads a few records
// and exits. At Go's default (GOGC=100) the first collection comes when
// the heap reaches 4 MB, the next at twice what survived, and so on: a
// command whose heap ends near 60 MB collects four or five times, each
// time tracing the index's entries again, for memory it would have given
// back at exit anyway. At 100,000 records that was a third of `show`'s
// CPU time.
//
// Floor lets the heap grow to a floor before the first collection (as
// the Go compiler does with its starting heap): the collector is off and
// a soft memory limit at the floor starts the first collection. After it
// the limit is lifted and the percentage is the default again, so a
// command whose live heap is larger than the floor (a cold `validate`)
// collects as before and never runs against a limit it cannot meet.
//
// A process that runs on (the file-system monitor) lifts the floor at
// once (Lift): its live heap is a few megabytes, so the first collection
// would come only once it had kept the floor's worth of garbage.
//
// Code that changes the percentage for a while (debug.SetGCPercent) must
// call SetPercent instead, and Pause to switch the collector off: while
// the floor holds SetPercent records the percentage wanted after it, so a
// save-and-restore around a stretch of work cannot switch the collector
// off for good by restoring a value read while the floor held; pauses
// are counted, so two overlapping on two goroutines cannot either.
package heap

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
)

var (
	mu      sync.Mutex
	holding bool // the floor holds: the collector is off, the limit set
	// percent is the percentage wanted when neither the floor nor a pause
	// holds: at first the runtime's own (GOGC from the environment, or
	// 100), then as SetPercent last asked
	percent       = runtimePercent()
	limit   int64 = math.MaxInt64 // the memory limit before the floor
	floor   int64 = math.MaxInt64 // the floor's, while it holds
	floored bool                  // a floor was set: the limit is ours to set
	paused  int                   // Pause's callers not yet resumed: the collector is off
)

// apply sets the runtime's percentage and memory limit to what is asked
// (mu held): during a pause the collector is off and the limit is the
// one from before the floor; while the floor holds the collector is off
// and the floor is the limit; else the percentage and the limit are as
// before the floor (the percentage as SetPercent last asked).
//
// A pause lifts the floor's limit because the limit would otherwise start
// collections in the middle of the stretch: the runtime collects, and
// gives memory back to the system, whenever the heap nears the limit,
// with the collector off or not. A stretch that decodes more than the
// floor (the index of 300,000 records makes about 100 MB) then ran
// collections over what it had just made, tracing it each time: `show`
// at 300,000 records collected three times where one is due.
func apply() {
	if paused > 0 || holding {
		debug.SetGCPercent(-1)
	} else {
		debug.SetGCPercent(percent)
	}
	switch {
	case !floored: // the user's choice (GOMEMLIMIT), or none, stands
	case holding && paused == 0:
		debug.SetMemoryLimit(floor)
	default:
		debug.SetMemoryLimit(limit)
	}
}

// runtimePercent is the runtime's percentage, as it read GOGC at start.
func runtimePercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

// Pause switches the collector off until resume is called, for a stretch
// that makes values which stay (decoding a file): pauses may nest and
// overlap on several goroutines, and the collector runs again when the
// last is resumed, at the percentage SetPercent last asked (a pause
// saving and restoring the percentage itself could, overlapping another,
// restore "off" for good).
func Pause() (resume func()) {
	if usersChoice() {
		return func() {}
	}
	mu.Lock()
	paused++
	apply()
	mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			paused--
			apply()
			mu.Unlock()
		})
	}
}

// usersChoice tells whether GOGC or GOMEMLIMIT is set in the environment:
// then the runtime's own settings stand throughout, with no floor, no
// pause and no percentage changed for a while (a user who set GOGC=off or
// a low one for a small machine gets exactly that).
func usersChoice() bool {
	return os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != ""
}

// Floor lets the heap grow to bytes before the first collection, unless
// GOGC or GOMEMLIMIT is set (the user's choice stands). It returns
// whether the floor was set.
func Floor(bytes int64) bool {
	if usersChoice() {
		return false
	}
	mu.Lock()
	defer mu.Unlock()
	if holding {
		return true
	}
	holding = true
	if paused == 0 { // during a pause the runtime's is ours: "off"
		percent = debug.SetGCPercent(-1)
	}
	limit = debug.SetMemoryLimit(-1)
	floor, floored = bytes, true
	apply()
	// The cleanup runs once a collection has found the sentinel
	// unreachable: after the first collection from now.
	sentinel := new([64]byte)
	runtime.AddCleanup(sentinel, func(struct{}) { lift() }, struct{}{})
	runtime.KeepAlive(sentinel)
	return true
}

// AtLeast raises the floor to bytes while it holds (no collection yet),
// for a command that is about to make values which stay to its end and
// which alone come near the floor (the index of a large department: at
// 300,000 records its entries take about 100 MB): the first collection
// would come while they are made, or just after, and trace them all for
// garbage made before them. The caller asks for what it will make plus
// the room the rest of the command needs. Nothing is done once the floor
// is lifted, or with GOGC or GOMEMLIMIT set (the user's choice stands),
// or when the floor is already that high.
func AtLeast(bytes int64) {
	mu.Lock()
	defer mu.Unlock()
	if !holding || !floored || bytes <= floor {
		return
	}
	floor = bytes
	apply()
}

// Lift ends the floor now, as the first collection would: for a process
// that runs on (the file-system monitor), whose heap may never reach the
// floor, and which would otherwise keep every byte of garbage it makes
// until it does. Nothing is done when the floor does not hold.
func Lift() { lift() }

// lift ends the floor: the limit and the percentage are as before it
// (the percentage as SetPercent last asked).
func lift() {
	mu.Lock()
	defer mu.Unlock()
	if !holding {
		return
	}
	holding = false
	apply()
}

// Holding tells whether the floor still holds (no collection since it
// was set).
func Holding() bool {
	mu.Lock()
	defer mu.Unlock()
	return holding
}

// SetPercent is debug.SetGCPercent for code that changes the percentage
// for a while: it returns the percentage it replaces, to be given back
// later. While the floor holds or a pause runs, the new percentage takes
// effect when they end. (To switch the collector off for a while, Pause.)
func SetPercent(p int) int {
	mu.Lock()
	defer mu.Unlock()
	if usersChoice() {
		return percent
	}
	old := percent
	percent = p
	apply()
	return old
}
