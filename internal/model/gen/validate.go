package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Messages of Cognito's (Coral's) validation failures.
const (
	msgMinLen  = "Member must have length greater than or equal to %d"
	msgMaxLen  = "Member must have length less than or equal to %d"
	msgMinVal  = "Member must have value greater than or equal to %d"
	msgMaxVal  = "Member must have value less than or equal to %d"
	msgPattern = "Member must satisfy regular expression pattern: "
	msgEnum    = "Member must satisfy enum value set: ["
)

// collectPatterns compiles every distinct pattern once, named after the first
// shape (in sorted order) that uses it.
func (g *gen) collectPatterns() {
	for _, name := range g.m.shapeNames() {
		s := g.m.Shapes[name]
		if s.Pattern == nil || g.patterns[*s.Pattern] != nil {
			continue
		}
		g.patterns[*s.Pattern] = compilePattern(*s.Pattern, "match"+name)
	}
}

// checkedPattern returns the pattern of s when generated code checks it.
func (g *gen) checkedPattern(s *shape) *pattern {
	if s.Pattern == nil {
		return nil
	}
	p := g.patterns[*s.Pattern]
	if p.Kind == patRegexp || p.Kind == patClass {
		return p
	}
	return nil
}

func hasMin(s *shape) bool { return s.Min != nil && *s.Min > 0 }
func hasMax(s *shape) bool { return s.Max != nil }

// needsValidation reports whether a value of the shape can fail validation.
func (g *gen) needsValidation(name string) bool {
	if v, ok := g.needs[name]; ok {
		return v
	}
	g.needs[name] = false // breaks cycles; a cycle adds no constraint of its own
	s := g.m.Shapes[name]
	var v bool
	switch s.Type {
	case "string":
		v = hasMin(s) || hasMax(s) || g.checkedPattern(s) != nil || len(s.Enum) > 0
	case "integer", "long":
		v = s.Min != nil || s.Max != nil
	case "blob":
		v = hasMin(s) || hasMax(s)
	case "list":
		v = hasMin(s) || hasMax(s) || g.needsValidation(s.Member.Shape)
	case "map":
		v = hasMin(s) || hasMax(s) || g.needsValidation(s.Key.Shape) || g.needsValidation(s.Value.Shape)
	case "structure":
		v = len(s.RequiredList) > 0
		for _, mem := range s.Members {
			v = v || g.needsValidation(mem.Shape)
		}
	}
	g.needs[name] = v
	return v
}

// holdsSensitive reports whether a value of the shape may contain sensitive
// data, so that printing it whole would leak it.
func (g *gen) holdsSensitive(name string) bool {
	if v, ok := g.secret[name]; ok {
		return v
	}
	g.secret[name] = false
	s := g.m.Shapes[name]
	v := s.Sensitive
	switch s.Type {
	case "list":
		v = v || s.Member.Sensitive || g.holdsSensitive(s.Member.Shape)
	case "map":
		v = v || s.Value.Sensitive || g.holdsSensitive(s.Key.Shape) || g.holdsSensitive(s.Value.Shape)
	case "structure":
		for _, mem := range s.Members {
			v = v || mem.Sensitive || g.holdsSensitive(mem.Shape)
		}
	}
	g.secret[name] = v
	return v
}

func (g *gen) validateFile() string {
	g.collectPatterns()
	var w strings.Builder
	for _, name := range g.m.shapeNames() {
		if s := g.m.Shapes[name]; s.Type == "structure" {
			g.emitStruct(&w, s)
		}
	}
	for _, name := range g.m.shapeNames() {
		if s := g.m.Shapes[name]; s.Type == "map" && g.usedMaps[name] {
			g.emitMapOK(&w, s)
		}
	}
	for _, name := range g.m.shapeNames() {
		if g.used[name] {
			g.emitScalar(&w, g.m.Shapes[name])
		}
	}
	var pats []*pattern
	for _, p := range g.patterns {
		pats = append(pats, p)
	}
	slices.SortFunc(pats, func(a, b *pattern) int { return strings.Compare(a.Func, b.Func) })
	for _, p := range pats {
		switch p.Kind {
		case patSkip:
			fmt.Fprintf(&w, "// The model pattern %s (first used by %s) is not checked:\n// Go's regexp cannot compile it (%s).\n\n",
				p.Java, strings.TrimPrefix(p.Func, "match"), p.Reason)
		case patAny:
			fmt.Fprintf(&w, "// The model pattern %s (first used by %s) matches every string and is not checked.\n\n",
				p.Java, strings.TrimPrefix(p.Func, "match"))
		default:
			if g.patternUsed(p) {
				p.emit(&w, g)
			}
		}
	}
	return w.String()
}

func (g *gen) patternUsed(p *pattern) bool {
	for name := range g.used {
		if s := g.m.Shapes[name]; s.Pattern != nil && *s.Pattern == p.Java {
			return true
		}
	}
	return false
}

func (g *gen) emitStruct(w *strings.Builder, s *shape) {
	fmt.Fprintf(w, "// Validate checks s against the constraints of the %s shape and returns\n// nil or an InvalidParameterException with Cognito's message.\n", s.Name)
	fmt.Fprintf(w, "func (s *%s) Validate() error {\n", s.Name)
	if !g.needsValidation(s.Name) {
		w.WriteString("return nil\n}\n\n")
		return
	}
	fmt.Fprintf(w, "if s == nil {\nreturn nil\n}\nvar v validator\ns.validate(&v, nil, %t)\nreturn v.err()\n}\n\n", s.Sensitive)
	fmt.Fprintf(w, "func (s *%s) validate(v *validator, p *path, sens bool) {\n", s.Name)
	for _, mem := range s.Members {
		g.emitMember(w, s, mem)
	}
	w.WriteString("}\n\n")
}

func (g *gen) emitMember(w *strings.Builder, s *shape, mem member) {
	t := g.m.Shapes[mem.Shape]
	req, needs := s.Required[mem.Name], g.needsValidation(t.Name)
	if !req && !needs {
		return
	}
	field := "s." + goFieldName(mem.Name)
	leaf := strconv.Quote(pathName(mem.Name))
	sens := "sens"
	if mem.Sensitive || t.Sensitive {
		sens = "true"
	}
	val := field
	switch t.Type {
	case "string", "integer", "long", "boolean", "double", "float", "timestamp":
		val = "*" + field
	}
	if req {
		fmt.Fprintf(w, "if %s == nil {\nv.null(p, %s, %s)\n}", field, leaf, sens)
		if needs {
			w.WriteString(" else {\n")
			g.emitValue(w, t, val, "p", leaf, sens, 0)
			w.WriteString("}")
		}
		w.WriteString("\n")
		return
	}
	fmt.Fprintf(w, "if %s != nil {\n", field)
	g.emitValue(w, t, val, "p", leaf, sens, 0)
	w.WriteString("}\n")
}

// emitValue checks the value expr of shape t found at pathVar/leaf (leaf is
// a quoted Go string; "" means the node pathVar itself).
func (g *gen) emitValue(w *strings.Builder, t *shape, expr, pathVar, leaf, sens string, depth int) {
	if !g.needsValidation(t.Name) {
		return
	}
	switch t.Type {
	case "string":
		g.used[t.Name] = true
		fmt.Fprintf(w, "check%s(v, %s, %s, %s, %s)\n", t.Name, pathVar, leaf, expr, sens)
	case "integer", "long":
		g.used[t.Name] = true
		fmt.Fprintf(w, "check%s(v, %s, %s, int64(%s), %s)\n", t.Name, pathVar, leaf, expr, sens)
	case "blob":
		g.emitSize(w, t, expr, pathVar, leaf, sens)
	case "structure":
		if leaf == `""` {
			fmt.Fprintf(w, "%s.validate(v, %s, %s)\n", expr, pathVar, sens)
			return
		}
		fmt.Fprintf(w, "{\nq%d := path{parent: %s, name: %s}\n%s.validate(v, &q%d, %s)\n}\n", depth, pathVar, leaf, expr, depth, sens)
	case "list":
		g.emitSize(w, t, expr, pathVar, leaf, sens)
		elem := g.m.Shapes[t.Member.Shape]
		if !g.needsValidation(elem.Name) {
			return
		}
		esens := sens
		if t.Sensitive || t.Member.Sensitive || elem.Sensitive {
			esens = "true"
		}
		fmt.Fprintf(w, "for i%d := range %s {\nq%d := path{parent: %s, name: %s, index: i%d + 1, kind: listElem}\n",
			depth, expr, depth, pathVar, leaf, depth)
		g.emitValue(w, elem, fmt.Sprintf("%s[i%d]", expr, depth), fmt.Sprintf("&q%d", depth), `""`, esens, depth+1)
		w.WriteString("}\n")
	case "map":
		g.emitMap(w, t, expr, pathVar, leaf, sens, depth)
	default:
		panic(fmt.Sprintf("shape %s: constraints on a %s are not supported", t.Name, t.Type))
	}
}

// emitMap checks a map. The success path ranges over the map once without
// allocating; only when something fails are the keys sorted, so that the
// message lists failures in a stable order.
func (g *gen) emitMap(w *strings.Builder, t *shape, expr, pathVar, leaf, sens string, depth int) {
	g.emitSize(w, t, expr, pathVar, leaf, sens)
	key, val := g.m.Shapes[t.Key.Shape], g.m.Shapes[t.Value.Shape]
	keyNeeds, valNeeds := g.needsValidation(key.Name), g.needsValidation(val.Name)
	if !keyNeeds && !valNeeds {
		return
	}
	if valNeeds && !isScalar(val) {
		panic(fmt.Sprintf("shape %s: constrained %s map values are not supported", t.Name, val.Type))
	}
	if t.Sensitive || t.Value.Sensitive || val.Sensitive || key.Sensitive {
		sens = "true"
	}
	g.usedMaps[t.Name] = true
	fmt.Fprintf(w, "if !ok%s(%s) {\nfor _, k%d := range sortedKeys(%s) {\n", t.Name, expr, depth, expr)
	if keyNeeds {
		fmt.Fprintf(w, "kq%d := path{parent: %s, name: %s, key: k%d, kind: mapKey}\n", depth, pathVar, leaf, depth)
		g.emitValue(w, key, fmt.Sprintf("k%d", depth), fmt.Sprintf("&kq%d", depth), `""`, sens, depth+1)
	}
	if valNeeds {
		fmt.Fprintf(w, "vq%d := path{parent: %s, name: %s, key: k%d, kind: mapValue}\n", depth, pathVar, leaf, depth)
		g.emitValue(w, val, fmt.Sprintf("%s[k%d]", expr, depth), fmt.Sprintf("&vq%d", depth), `""`, sens, depth+1)
	}
	w.WriteString("}\n}\n")
}

func isScalar(s *shape) bool {
	return s.Type == "string" || s.Type == "integer" || s.Type == "long"
}

// emitSize checks the size of a list, map or blob. The value is printed the
// way Java prints collections, unless it may hold sensitive data.
func (g *gen) emitSize(w *strings.Builder, t *shape, expr, pathVar, leaf, sens string) {
	if g.holdsSensitive(t.Name) {
		sens = "true"
	}
	if hasMin(t) {
		fmt.Fprintf(w, "if len(%s) < %d {\nv.fail(%s, %s, display(%s), %s, %q)\n}\n",
			expr, *t.Min, pathVar, leaf, expr, sens, fmt.Sprintf(msgMinLen, *t.Min))
	}
	if hasMax(t) {
		fmt.Fprintf(w, "if len(%s) > %d {\nv.fail(%s, %s, display(%s), %s, %q)\n}\n",
			expr, *t.Max, pathVar, leaf, expr, sens, fmt.Sprintf(msgMaxLen, *t.Max))
	}
}

// emitMapOK writes the allocation-free predicate used by emitMap.
func (g *gen) emitMapOK(w *strings.Builder, t *shape) {
	key, val := g.m.Shapes[t.Key.Shape], g.m.Shapes[t.Value.Shape]
	var conds []string
	if g.needsValidation(key.Name) {
		g.used[key.Name] = true
		conds = append(conds, fmt.Sprintf("!ok%s(k)", key.Name))
	}
	if g.needsValidation(val.Name) {
		g.used[val.Name] = true
		arg := "x"
		if val.Type != "string" {
			arg = "int64(x)"
		}
		conds = append(conds, fmt.Sprintf("!ok%s(%s)", val.Name, arg))
	}
	k, x := "k", "x"
	if !g.needsValidation(key.Name) {
		k = "_"
	}
	if !g.needsValidation(val.Name) {
		x = "_"
	}
	fmt.Fprintf(w, "// ok%s reports whether every key and value of a %s map is valid.\n", t.Name, t.Name)
	fmt.Fprintf(w, "func ok%s(m %s) bool {\nfor %s, %s := range m {\nif %s {\nreturn false\n}\n}\nreturn true\n}\n\n",
		t.Name, g.goType(t.Name, false), k, x, strings.Join(conds, " || "))
}

// emitScalar writes check<Shape> (reports failures) and ok<Shape> (the
// allocation-free predicate it starts with) for a string or integer shape.
func (g *gen) emitScalar(w *strings.Builder, s *shape) {
	if s.Type == "integer" || s.Type == "long" {
		g.imports["strconv"] = true
		var conds []string
		if s.Min != nil {
			conds = append(conds, fmt.Sprintf("x >= %d", *s.Min))
		}
		if s.Max != nil {
			conds = append(conds, fmt.Sprintf("x <= %d", *s.Max))
		}
		fmt.Fprintf(w, "// ok%s reports whether x is in the range of %s.\nfunc ok%s(x int64) bool { return %s }\n\n",
			s.Name, s.Name, s.Name, strings.Join(conds, " && "))
		fmt.Fprintf(w, "// check%s reports a value of %s out of range.\n", s.Name, s.Name)
		fmt.Fprintf(w, "func check%s(v *validator, p *path, name string, x int64, sens bool) {\nif ok%s(x) {\nreturn\n}\n", s.Name, s.Name)
		if s.Min != nil {
			fmt.Fprintf(w, "if x < %d {\nv.fail(p, name, strconv.FormatInt(x, 10), sens, %q)\n}\n", *s.Min, fmt.Sprintf(msgMinVal, *s.Min))
		}
		if s.Max != nil {
			fmt.Fprintf(w, "if x > %d {\nv.fail(p, name, strconv.FormatInt(x, 10), sens, %q)\n}\n", *s.Max, fmt.Sprintf(msgMaxVal, *s.Max))
		}
		w.WriteString("}\n\n")
		return
	}
	var conds []string
	lenCheck := hasMin(s) || hasMax(s)
	if lenCheck {
		lo, hi := "0", "maxLength"
		if hasMin(s) {
			lo = strconv.FormatInt(*s.Min, 10)
		}
		if hasMax(s) {
			hi = strconv.FormatInt(*s.Max, 10)
		}
		conds = append(conds, fmt.Sprintf("lengthIn(x, %s, %s)", lo, hi))
	}
	p := g.checkedPattern(s)
	if p != nil {
		conds = append(conds, p.Func+"(x)")
	}
	if len(s.Enum) > 0 {
		conds = append(conds, "enum"+s.Name+"(x)")
	}
	fmt.Fprintf(w, "// ok%s reports whether x satisfies every constraint of %s.\nfunc ok%s(x string) bool { return %s }\n\n",
		s.Name, s.Name, s.Name, strings.Join(conds, " && "))
	fmt.Fprintf(w, "// check%s reports each constraint of %s that x fails.\n", s.Name, s.Name)
	if s.Pattern != nil && p == nil {
		fmt.Fprintf(w, "// Its pattern %s is not checked (see below).\n", *s.Pattern)
	}
	fmt.Fprintf(w, "func check%s(v *validator, p *path, name, x string, sens bool) {\nif ok%s(x) {\nreturn\n}\n", s.Name, s.Name)
	if lenCheck {
		g.imports["unicode/utf8"] = true
		w.WriteString("n := utf8.RuneCountInString(x)\n")
	}
	if hasMin(s) {
		fmt.Fprintf(w, "if n < %d {\nv.fail(p, name, x, sens, %q)\n}\n", *s.Min, fmt.Sprintf(msgMinLen, *s.Min))
	}
	if hasMax(s) {
		fmt.Fprintf(w, "if n > %d {\nv.fail(p, name, x, sens, %q)\n}\n", *s.Max, fmt.Sprintf(msgMaxLen, *s.Max))
	}
	if p != nil {
		fmt.Fprintf(w, "if !%s(x) {\nv.fail(p, name, x, sens, %q)\n}\n", p.Func, msgPattern+p.Java)
	}
	if len(s.Enum) > 0 {
		fmt.Fprintf(w, "if !enum%s(x) {\nv.fail(p, name, x, sens, %q)\n}\n", s.Name, msgEnum+strings.Join(s.Enum, ", ")+"]")
	}
	w.WriteString("}\n\n")
	if len(s.Enum) > 0 {
		quoted := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			quoted[i] = strconv.Quote(e)
		}
		fmt.Fprintf(w, "// enum%s reports whether x is one of the values of %s.\n", s.Name, s.Name)
		fmt.Fprintf(w, "func enum%s(x string) bool {\nswitch x {\ncase %s:\nreturn true\n}\nreturn false\n}\n\n",
			s.Name, strings.Join(quoted, ", "))
	}
}
