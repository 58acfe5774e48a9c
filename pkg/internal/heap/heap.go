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
// call SetPercent instead: while the floor holds it records the
// percentage wanted after it, and a save-and-restore around a stretch of
// work cannot switch the collector off for good by restoring a value read
// while the floor held.
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
	holding bool  // the floor holds: the collector is off, the limit set
	percent       = 100
	limit   int64 = math.MaxInt64
)

// Floor lets the heap grow to bytes before the first collection, unless
// GOGC or GOMEMLIMIT is set (the user's choice stands). It returns
// whether the floor was set.
func Floor(bytes int64) bool {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return false
	}
	mu.Lock()
	defer mu.Unlock()
	if holding {
		return true
	}
	holding = true
	percent = debug.SetGCPercent(-1)
	limit = debug.SetMemoryLimit(bytes)
	// The cleanup runs once a collection has found the sentinel
	// unreachable: after the first collection from now.
	sentinel := new([64]byte)
	runtime.AddCleanup(sentinel, func(struct{}) { lift() }, struct{}{})
	runtime.KeepAlive(sentinel)
	return true
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
	debug.SetMemoryLimit(limit)
	debug.SetGCPercent(percent)
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
// later. While the floor holds, the new percentage takes effect when the
// floor is lifted.
func SetPercent(p int) int {
	mu.Lock()
	defer mu.Unlock()
	if holding {
		old := percent
		percent = p
		return old
	}
	old := debug.SetGCPercent(p)
	percent = p
	return old
}
