// Command opsbook runs an operations department on plain YAML files in git.
package main

import (
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/opsbook/opsbook/pkg/cli"
)

func main() { os.Exit(run()) }

// run is cli.Main, profiled when OPSBOOK_CPUPROFILE or OPSBOOK_MEMPROFILE
// name a file to write the profile to: a measuring aid for the benchmarks
// (go tool pprof), not a feature.
func run() int {
	if p := os.Getenv("OPSBOOK_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			defer f.Close() // after the profile is stopped (defers run last first)
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	if p := os.Getenv("OPSBOOK_MEMPROFILE"); p != "" {
		runtime.MemProfileRate = 64 << 10
		defer func() {
			if f, err := os.Create(p); err == nil {
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	return cli.Main()
}
