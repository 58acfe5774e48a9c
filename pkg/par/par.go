// Package par runs a loop over an index range on all cores.
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls f over [0, n) in contiguous parts, one per core, and returns
// when all are done; a range shorter than min runs on the calling
// goroutine. f must be safe to run on several parts at once.
func For(n, min int, f func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	if n < min || n < 2 || w == 1 {
		f(0, n)
		return
	}
	w = minInt(w, n)
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		lo, hi := n*k/w, n*(k+1)/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}

// Each calls f for every index of [0, n), on all cores, each core taking
// the next index as it finishes one (for parts of uneven cost), and
// returns when all are done. f must be safe to run on several indexes at
// once.
func Each(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < minInt(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}
