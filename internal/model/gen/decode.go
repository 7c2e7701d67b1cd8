package main

import (
	"fmt"
	"strings"
)

// decodeFile emits a DecodeJSON method for every structure shape (except
// documents, which decode as raw JSON). Members match by exact name, as AWS
// does; unknown members are skipped.
func (g *gen) decodeFile() string {
	var w strings.Builder
	for _, name := range g.m.shapeNames() {
		s := g.m.Shapes[name]
		if s.Type != "structure" || s.Document {
			continue
		}
		fmt.Fprintf(&w, "// DecodeJSON reads the JSON form of %s from r; null leaves s\n// unchanged and unknown members are skipped.\n", name)
		fmt.Fprintf(&w, "func (s *%s) DecodeJSON(r *Reader) error {\n", name)
		w.WriteString("if r.null() {\nreturn nil\n}\n")
		w.WriteString("if err := r.beginObject(); err != nil {\nreturn err\n}\n")
		w.WriteString("for first := true; ; first = false {\n")
		if len(s.Members) == 0 {
			w.WriteString("_, ok, err := r.nextKey(first)\nif err != nil || !ok {\nreturn err\n}\n")
			w.WriteString("if err := r.skip(); err != nil {\nreturn err\n}\n}\n}\n\n")
			continue
		}
		w.WriteString("key, ok, err := r.nextKey(first)\nif err != nil || !ok {\nreturn err\n}\n")
		w.WriteString("switch string(key) {\n")
		for _, mem := range s.Members {
			fmt.Fprintf(&w, "case %q:\n", mem.Name)
			fmt.Fprintf(&w, "if err := %s; err != nil {\nreturn inMember(err, %q)\n}\n",
				g.decodeMember(mem.Shape, "&s."+goFieldName(mem.Name)), mem.Name)
		}
		w.WriteString("default:\nif err := r.skip(); err != nil {\nreturn err\n}\n")
		w.WriteString("}\n}\n}\n\n")
	}
	return w.String()
}

// decodeMember is the expression decoding a structure member of shape name
// into the pointer-form field at addr.
func (g *gen) decodeMember(name, addr string) string {
	switch s := g.m.Shapes[name]; s.Type {
	case "string":
		return "r.stringPtr(" + addr + ")"
	case "blob":
		return "decBlob(" + addr + ", r)"
	case "list":
		return "decodeList(r, " + addr + ", " + g.decodeElem(s.Member.Shape) + ")"
	case "map":
		return "decodeMap(r, " + addr + ", " + g.decodeElem(s.Value.Shape) + ")"
	default:
		return "decodePtr(r, " + addr + ", " + g.decodeElem(name) + ")"
	}
}

// decodeElem is a func(*T, *Reader) error decoding the value form T of
// shape name.
func (g *gen) decodeElem(name string) string {
	s := g.m.Shapes[name]
	switch s.Type {
	case "string":
		return "decString"
	case "integer":
		return "decInt32"
	case "long":
		return "decInt64"
	case "boolean":
		return "decBool"
	case "double", "float":
		return "decFloat64"
	case "timestamp":
		return "decTime"
	case "blob":
		return "decBlob"
	case "list":
		return fmt.Sprintf("func(p *%s, r *Reader) error {\nreturn decodeList(r, p, %s)\n}",
			g.goType(name, false), g.decodeElem(s.Member.Shape))
	case "map":
		return fmt.Sprintf("func(p *%s, r *Reader) error {\nreturn decodeMap(r, p, %s)\n}",
			g.goType(name, false), g.decodeElem(s.Value.Shape))
	}
	if s.Document {
		return "decDocument"
	}
	return "(*" + name + ").DecodeJSON"
}
