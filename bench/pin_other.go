//go:build !linux

package main

import (
	"errors"
	"time"
)

var errLinuxOnly = errors.New("implemented on Linux only")

func pinThread(cpu int) error { return errLinuxOnly }

func threadCPUTime() (time.Duration, error) { return 0, errLinuxOnly }
