package api

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/userpool"
)

var update = flag.Bool("update", false, "rewrite the operations table in README.md")

// operationsTable renders the README's table of operations.
func operationsTable() string {
	handlers := Handlers(&userpool.Service{})
	var b strings.Builder
	notes := Notes()
	b.WriteString("| operation | status | notes |\n| --- | --- | --- |\n")
	for _, name := range model.OperationNames() {
		status := "not implemented"
		if _, ok := handlers[name]; ok {
			status = "implemented"
		}
		b.WriteString("| " + name + " | " + status + " | " + notes[name] + " |\n")
	}
	return b.String()
}

// TestREADMEOperations keeps the README's operations table equal to what
// the server serves. Run with -update to rewrite it.
func TestREADMEOperations(t *testing.T) {
	const path = "../../README.md"
	const begin, end = "<!-- operations:begin -->\n", "<!-- operations:end -->"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatal("README.md lacks the operations markers")
	}
	want := operationsTable()
	got := doc[i+len(begin) : j]
	if got == want {
		return
	}
	if *update {
		doc = doc[:i+len(begin)] + want + doc[j:]
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md operations table is stale; run go test ./internal/api -run TestREADMEOperations -update")
}

func TestNotesNameHandlers(t *testing.T) {
	handlers := Handlers(&userpool.Service{})
	for name := range Notes() {
		if _, ok := handlers[name]; !ok {
			t.Errorf("note for %s, which is not implemented", name)
		}
	}
}

func TestHandlersExistInModel(t *testing.T) {
	for name := range Handlers(&userpool.Service{}) {
		if _, ok := model.LookupOperation(name); !ok {
			t.Errorf("handler %s is not an operation of the model", name)
		}
	}
}
