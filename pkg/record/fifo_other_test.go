//go:build !unix

package record

import "errors"

func mkfifo(string) error { return errors.New("not on this system") }
