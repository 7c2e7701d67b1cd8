// Package version says which build of Cognate is running.
package version

import (
	"runtime/debug"
	"sync"
)

// Version may be set at link time (-ldflags "-X
// github.com/cognate-idp/cognate/internal/version.Version=v1.2.3");
// otherwise String reads the module version and VCS revision the Go
// toolchain embedded.
var Version = ""

var once = sync.OnceValue(func() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" && v == "(devel)" {
		return "devel-" + rev + modified
	}
	return v
})

// String is the running build's version, e.g. "v1.2.3" or
// "devel-0123456789ab".
func String() string { return once() }
