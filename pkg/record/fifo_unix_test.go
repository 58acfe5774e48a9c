//go:build unix

package record

import "syscall"

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
