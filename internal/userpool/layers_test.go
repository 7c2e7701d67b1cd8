package userpool

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// layers lists the areas from the bottom up: an area may import only the
// areas before it in this list (see doc.go).
var layers = []string{"core", "passwords", "triggers", "tokens", "delivery", "resourceservers", "domains", "oauth", "pools", "groups", "users", "imports", "federation", "mfa", "passkeys", "devices", "auth", "login", "settings", "branding"}

const areaPrefix = "github.com/cognate-idp/cognate/internal/userpool/"

// TestAreaLayers fails when an area imports an area of its own layer or a
// higher one, or when a directory here is not a known area.
func TestAreaLayers(t *testing.T) {
	rank := map[string]int{}
	for i, a := range layers {
		rank[a] = i
	}
	dirs, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() || d.Name() == "testdata" {
			continue
		}
		area := d.Name()
		r, known := rank[area]
		if !known {
			t.Errorf("%s/ is not in layers: add the new area there and to doc.go", area)
			continue
		}
		files, _ := filepath.Glob(filepath.Join(area, "*.go"))
		for _, f := range files {
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, im := range af.Imports {
				path, _ := strconv.Unquote(im.Path.Value)
				dep, ok := strings.CutPrefix(path, areaPrefix)
				if !ok {
					continue
				}
				if dr, known := rank[dep]; !known || dr >= r {
					t.Errorf("%s imports %s: an area may import only areas below it (%v)", f, dep, layers[:r])
				}
			}
		}
	}
}

// TestFileLength keeps the files of the service readable.
func TestFileLength(t *testing.T) {
	files, _ := filepath.Glob("*/*.go")
	top, _ := filepath.Glob("*.go")
	for _, f := range append(files, top...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(b, []byte("\n")); n > 600 {
			t.Errorf("%s has %d lines; split it by what its parts do (at most 600)", f, n)
		}
	}
}
