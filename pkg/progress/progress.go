// Package progress tells a long step's progress to a callback from one
// goroutine, about ten times a second, while workers count what they have
// done.
package progress

import (
	"sync/atomic"
	"time"
)

// Interval is how often Tick reports.
const Interval = 100 * time.Millisecond

// Tick calls report(count, total) every Interval until stop is called;
// stop returns once report is no longer being called, so the caller may
// then report the end itself. A nil report makes Tick do nothing.
func Tick(report func(done, total int), count *atomic.Int64, total int) (stop func()) {
	if report == nil {
		return func() {}
	}
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(Interval)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				report(int(count.Load()), total)
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}
