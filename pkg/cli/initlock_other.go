//go:build !unix

package cli

import (
	"context"
	"time"
)

// lockFolder has no folder lock to take off Unix: two inits racing in one
// folder are then told apart only by the repository's own lock.
func lockFolder(ctx context.Context, dir string, wait time.Duration) (unlock func(), waited bool, err error) {
	return func() {}, false, nil
}
