package main

import (
	"fmt"
	"strings"
)

// encodeFile emits an AppendJSON method for every structure shape (except
// documents, which write their raw JSON) that writes exactly what
// encoding/json writes for it: members in declaration order, nil pointers,
// slices and maps left out (omitzero), map keys sorted, strings escaped
// the same way. It also lists every structure for the differential test.
func (g *gen) encodeFile() string {
	var w strings.Builder
	var all []string
	for _, name := range g.m.shapeNames() {
		s := g.m.Shapes[name]
		if s.Type != "structure" || s.Document {
			continue
		}
		all = append(all, name)
		fmt.Fprintf(&w, "// AppendJSON appends the JSON form of %s to b, as encoding/json\n// writes it.\n", name)
		fmt.Fprintf(&w, "func (s *%s) AppendJSON(b []byte) []byte {\n", name)
		w.WriteString("if s == nil {\nreturn append(b, \"null\"...)\n}\n")
		if len(s.Members) == 0 {
			w.WriteString("return append(b, \"{}\"...)\n}\n\n")
			continue
		}
		w.WriteString("b = append(b, '{')\nstart := len(b)\n")
		for _, mem := range s.Members {
			field := "s." + goFieldName(mem.Name)
			key := fmt.Sprintf("%q", `"`+mem.Name+`":`)
			fmt.Fprintf(&w, "if %s != nil {\nb = appendKey(b, start, %s)\n", field, key)
			ms := g.m.Shapes[mem.Shape]
			switch ms.Type {
			case "list", "map", "blob":
				w.WriteString(g.encodeValue(mem.Shape, field, 0))
			default:
				w.WriteString(g.encodeValue(mem.Shape, "(*"+field+")", 0))
			}
			w.WriteString("}\n")
		}
		w.WriteString("return append(b, '}')\n}\n\n")
	}
	w.WriteString("// encodableShapes returns a new value of every structure shape with\n// an AppendJSON method.\n")
	w.WriteString("func encodableShapes() []func() any {\nreturn []func() any{\n")
	for _, name := range all {
		fmt.Fprintf(&w, "func() any { return new(%s) },\n", name)
	}
	w.WriteString("}\n}\n")
	return w.String()
}

// encodeValue is the statements appending the value form of shape name,
// held in expr, to b. depth names loop variables of nested lists and maps.
func (g *gen) encodeValue(name, expr string, depth int) string {
	s := g.m.Shapes[name]
	switch s.Type {
	case "string":
		return "b = appendString(b, " + expr + ")\n"
	case "integer", "long":
		g.imports["strconv"] = true
		return "b = strconv.AppendInt(b, int64(" + expr + "), 10)\n"
	case "boolean":
		g.imports["strconv"] = true
		return "b = strconv.AppendBool(b, " + expr + ")\n"
	case "timestamp":
		return "b = appendTime(b, " + expr + ")\n"
	case "blob":
		return "b = appendBlob(b, " + expr + ")\n"
	case "list":
		v := fmt.Sprintf("v%d", depth)
		i := fmt.Sprintf("i%d", depth)
		return fmt.Sprintf("if %s == nil {\nb = append(b, \"null\"...)\n} else {\nb = append(b, '[')\nfor %s := range %s {\nif %s > 0 {\nb = append(b, ',')\n}\n%s := &%s[%s]\n%s}\nb = append(b, ']')\n}\n",
			expr, i, expr, i, v, expr, i, g.encodeValue(s.Member.Shape, "(*"+v+")", depth+1))
	case "map":
		k := fmt.Sprintf("k%d", depth)
		i := fmt.Sprintf("i%d", depth)
		v := fmt.Sprintf("v%d", depth)
		return fmt.Sprintf("if %s == nil {\nb = append(b, \"null\"...)\n} else {\nb = append(b, '{')\nfor %s, %s := range sortedKeys(%s) {\nif %s > 0 {\nb = append(b, ',')\n}\nb = appendString(b, %s)\nb = append(b, ':')\n%s := %s[%s]\n%s}\nb = append(b, '}')\n}\n",
			expr, i, k, expr, i, k, v, expr, k, g.encodeValue(s.Value.Shape, v, depth+1))
	}
	if s.Document {
		return "b = appendDocument(b, " + expr + ")\n"
	}
	if inner, ok := strings.CutPrefix(expr, "(*"); ok && strings.HasSuffix(inner, ")") {
		return "b = " + strings.TrimSuffix(inner, ")") + ".AppendJSON(b)\n"
	}
	return "b = (&" + expr + ").AppendJSON(b)\n"
}
