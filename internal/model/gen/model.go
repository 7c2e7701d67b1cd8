package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// ref points at another shape (list member, map key or value).
type ref struct {
	Shape     string `json:"shape"`
	Sensitive bool   `json:"sensitive"`
}

// member is one member of a structure, in model declaration order.
type member struct {
	Name      string
	Shape     string
	Sensitive bool
}

// shape is one entry of the model's "shapes" table.
type shape struct {
	Name          string
	Type          string   `json:"type"`
	RequiredList  []string `json:"required"`
	Min           *int64   `json:"min"`
	Max           *int64   `json:"max"`
	Pattern       *string  `json:"pattern"`
	Enum          []string `json:"enum"`
	Sensitive     bool     `json:"sensitive"`
	Exception     bool     `json:"exception"`
	Fault         bool     `json:"fault"`
	Document      bool     `json:"document"`
	Member        *ref     `json:"member"`
	Key           *ref     `json:"key"`
	Value         *ref     `json:"value"`
	Documentation string   `json:"documentation"`

	RawMembers json.RawMessage `json:"members"`
	Members    []member        `json:"-"`
	Required   map[string]bool `json:"-"`
}

// operation is one entry of the model's "operations" table.
type operation struct {
	Name     string   `json:"name"`
	Input    *ref     `json:"input"`
	Output   *ref     `json:"output"`
	Errors   []ref    `json:"errors"`
	AuthType string   `json:"authtype"`
	Auth     []string `json:"auth"`
}

// model is the parsed service model.
type model struct {
	Metadata struct {
		TargetPrefix string `json:"targetPrefix"`
		APIVersion   string `json:"apiVersion"`
	}
	Shapes     map[string]*shape
	Operations map[string]*operation
}

// shapeNames returns the shape names in sorted order.
func (m *model) shapeNames() []string {
	names := make([]string, 0, len(m.Shapes))
	for n := range m.Shapes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// operationNames returns the operation names in sorted order.
func (m *model) operationNames() []string {
	names := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// loadModel reads and checks the botocore JSON model at path.
func loadModel(path string) (*model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Metadata   json.RawMessage       `json:"metadata"`
		Shapes     map[string]*shape     `json:"shapes"`
		Operations map[string]*operation `json:"operations"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m := &model{Shapes: raw.Shapes, Operations: raw.Operations}
	if err := json.Unmarshal(raw.Metadata, &m.Metadata); err != nil {
		return nil, fmt.Errorf("%s: metadata: %w", path, err)
	}
	for name, s := range m.Shapes {
		s.Name = name
		s.Required = map[string]bool{}
		for _, r := range s.RequiredList {
			s.Required[r] = true
		}
		if s.Type == "structure" && len(s.RawMembers) > 0 {
			if s.Members, err = orderedMembers(s.RawMembers); err != nil {
				return nil, fmt.Errorf("shape %s: %w", name, err)
			}
		}
	}
	for name, op := range m.Operations {
		op.Name = name
	}
	return m, m.check()
}

// check rejects model features the generator does not handle, so that a new
// model version fails loudly instead of producing wrong code.
func (m *model) check() error {
	known := map[string]bool{"structure": true, "string": true, "list": true, "map": true,
		"integer": true, "long": true, "boolean": true, "double": true, "float": true,
		"timestamp": true, "blob": true}
	exists := func(r *ref, what string) error {
		if r == nil || m.Shapes[r.Shape] == nil {
			return fmt.Errorf("%s refers to an unknown shape", what)
		}
		return nil
	}
	for _, name := range m.shapeNames() {
		s := m.Shapes[name]
		if !known[s.Type] {
			return fmt.Errorf("shape %s: unsupported type %q", name, s.Type)
		}
		switch s.Type {
		case "structure":
			for _, mem := range s.Members {
				if err := exists(&ref{Shape: mem.Shape}, name+"."+mem.Name); err != nil {
					return err
				}
				if !isIdent(mem.Name) {
					return fmt.Errorf("shape %s: member %q is not a Go identifier", name, mem.Name)
				}
				if f := goFieldName(mem.Name); f == "Validate" || f == "DecodeJSON" {
					return fmt.Errorf("shape %s: member %q collides with a method", name, mem.Name)
				}
			}
		case "list":
			if err := exists(s.Member, name+" member"); err != nil {
				return err
			}
		case "map":
			if err := exists(s.Key, name+" key"); err != nil {
				return err
			}
			if err := exists(s.Value, name+" value"); err != nil {
				return err
			}
			if m.Shapes[s.Key.Shape].Type != "string" {
				return fmt.Errorf("shape %s: map keys must be strings", name)
			}
		}
	}
	for _, name := range m.operationNames() {
		o := m.Operations[name]
		if o.Input != nil {
			if err := exists(o.Input, name+" input"); err != nil {
				return err
			}
		}
		if o.Output != nil {
			if err := exists(o.Output, name+" output"); err != nil {
				return err
			}
		}
	}
	return nil
}

// orderedMembers decodes a "members" object keeping declaration order,
// which encoding/json's maps would lose.
func orderedMembers(raw json.RawMessage) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("members: want an object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		var r ref
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("member %s: %w", name, err)
		}
		out = append(out, member{Name: name, Shape: r.Shape, Sensitive: r.Sensitive})
	}
	return out, nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9'
		if !ok {
			return false
		}
	}
	return true
}

// goFieldName is the exported Go field name of a member: the member name
// itself, upper-cased first letter for the few lower-case wire names
// (e.g. "message" on exceptions) so that encoding/json can see the field.
func goFieldName(member string) string {
	return strings.ToUpper(member[:1]) + member[1:]
}

// pathName is the member's name in validation paths: lowerCamelCase.
func pathName(member string) string {
	return strings.ToLower(member[:1]) + member[1:]
}
