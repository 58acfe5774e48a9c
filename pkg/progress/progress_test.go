package progress

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestTick(t *testing.T) {
	var count atomic.Int64
	var calls atomic.Int64
	var last atomic.Int64
	stop := Tick(func(done, total int) {
		if total != 10 {
			t.Errorf("total %d", total)
		}
		calls.Add(1)
		last.Store(int64(done))
	}, &count, 10)
	count.Store(7)
	for deadline := time.Now().Add(10 * time.Second); calls.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(Interval / 4)
	}
	stop()
	n := calls.Load()
	if n == 0 || last.Load() != 7 {
		t.Fatalf("%d reports, last %d", n, last.Load())
	}
	time.Sleep(2 * Interval)
	if calls.Load() != n {
		t.Error("reported after stop returned")
	}
	Tick(nil, &count, 10)() // nothing to report: nothing runs
}
