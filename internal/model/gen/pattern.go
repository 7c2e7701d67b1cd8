package main

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// patternKind says how a model pattern is checked in generated code.
type patternKind int

const (
	patRegexp patternKind = iota // precompiled regexp.Regexp
	patClass                     // generated loop over one character class
	patAny                       // matches every string: no check
	patSkip                      // Go cannot compile it: not checked
)

// pattern is one distinct model pattern and how it is checked.
type pattern struct {
	Java   string // the model's text, printed in messages
	Go     string // the anchored RE2 translation
	Kind   patternKind
	Reason string // why it is skipped (patSkip)
	Func   string // name of the generated match function

	// patClass only.
	Plus     bool      // at least one character required
	ASCII    [128]bool // membership of the ASCII characters
	NonASCII string    // "none", "all" or "tables"
	Tables   []string  // unicode table names when NonASCII == "tables"
	ranges   []rune    // the class as lo/hi pairs, for verification
	tabs     []*unicode.RangeTable
}

// translate turns a Java regex into RE2 syntax. Java's \s is
// [ \t\n\x0B\f\r] (RE2 lacks \x0B), so it is spelled out; everything else the
// model uses (\p{L}, \w, \x21, classes) means the same in both.
func translate(java string) string {
	const space = `\t\n\x0B\f\r `
	p := strings.ReplaceAll(java, `[\S]`, `[^`+space+`]`)
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			n := p[i+1]
			i++
			switch {
			case n == 's' && inClass:
				b.WriteString(space)
			case n == 's':
				b.WriteString("[" + space + "]")
			case n == 'S' && !inClass:
				b.WriteString("[^" + space + "]")
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' { // a leading ] is literal
				b.WriteString(`\]`)
				i++
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// compilePattern decides how java is checked.
func compilePattern(java, fn string) *pattern {
	p := &pattern{Java: java, Func: fn, Go: "^(?:" + translate(java) + ")$"}
	if _, err := regexp.Compile(p.Go); err != nil {
		p.Kind = patSkip
		p.Reason = strings.ReplaceAll(err.Error(), "\n", " ")
		return p
	}
	p.Kind = patRegexp
	re, err := syntax.Parse(translate(java), syntax.Perl)
	if err != nil {
		return p
	}
	re = re.Simplify()
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	if len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
		subs = subs[1:]
	}
	if len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpEndText {
		subs = subs[:len(subs)-1]
	}
	if len(subs) != 1 || (subs[0].Op != syntax.OpPlus && subs[0].Op != syntax.OpStar) {
		return p
	}
	ranges, ok := classRanges(subs[0].Sub[0])
	if !ok {
		return p
	}
	p.Plus = subs[0].Op == syntax.OpPlus
	p.ranges = ranges
	for c := range 128 {
		p.ASCII[c] = inRanges(ranges, rune(c))
	}
	if !p.Plus && allRunes(ranges) {
		p.Kind = patAny
		return p
	}
	if p.fitNonASCII(java) {
		p.Kind = patClass
	}
	return p
}

// fitNonASCII finds a cheap description of the class above ASCII (none,
// all, or a union of the \p{..} tables named in the pattern) and verifies it
// rune by rune against RE2's own reading of the class.
func (p *pattern) fitNonASCII(java string) bool {
	var tabs []*unicode.RangeTable
	var names []string
	unicodeName := regexp.MustCompile(`\\p\{(\w+)\}`)
	for _, m := range unicodeName.FindAllStringSubmatch(java, -1) {
		t, ok := unicode.Categories[m[1]]
		if !ok {
			return false
		}
		tabs = append(tabs, t)
		names = append(names, m[1])
	}
	candidates := []struct {
		kind string
		in   func(rune) bool
	}{
		{"none", func(rune) bool { return false }},
		{"all", func(rune) bool { return true }},
		{"tables", func(r rune) bool { return len(tabs) > 0 && unicode.IsOneOf(tabs, r) }},
	}
	for _, c := range candidates {
		if p.verify(c.in) {
			p.NonASCII = c.kind
			if c.kind == "tables" {
				p.Tables, p.tabs = names, tabs
			}
			return true
		}
	}
	return false
}

func (p *pattern) verify(in func(rune) bool) bool {
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		if r == 0xD800 { // surrogates never appear in decoded Go strings
			r = 0xE000
		}
		if in(r) != inRanges(p.ranges, r) {
			return false
		}
	}
	return true
}

// classRanges returns the lo/hi rune pairs of a single-character node.
func classRanges(re *syntax.Regexp) ([]rune, bool) {
	switch re.Op {
	case syntax.OpCharClass:
		return re.Rune, true
	case syntax.OpLiteral:
		if len(re.Rune) == 1 && re.Flags&syntax.FoldCase == 0 {
			return []rune{re.Rune[0], re.Rune[0]}, true
		}
	case syntax.OpAnyChar:
		return []rune{0, unicode.MaxRune}, true
	case syntax.OpAnyCharNotNL:
		return []rune{0, '\n' - 1, '\n' + 1, unicode.MaxRune}, true
	}
	return nil, false
}

func inRanges(ranges []rune, r rune) bool {
	n := len(ranges) / 2
	i := sort.Search(n, func(i int) bool { return ranges[2*i+1] >= r })
	return i < n && ranges[2*i] <= r
}

func allRunes(ranges []rune) bool {
	return len(ranges) == 2 && ranges[0] == 0 && ranges[1] == unicode.MaxRune
}

// asciiTable renders the ASCII membership as a 128-character '0'/'1' string
// constant, indexed by the byte value.
func (p *pattern) asciiTable() string {
	var b strings.Builder
	for _, in := range p.ASCII {
		if in {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

// emit writes the match function (and its table or regexp) for p.
func (p *pattern) emit(w *strings.Builder, g *gen) {
	switch p.Kind {
	case patSkip, patAny:
		return
	case patRegexp:
		g.imports["regexp"] = true
		fmt.Fprintf(w, "// %sRE is the model pattern %s, anchored as Java's String.matches is.\n", p.Func, p.Java)
		fmt.Fprintf(w, "var %sRE = regexp.MustCompile(%s)\n\n", p.Func, goString(p.Go))
		fmt.Fprintf(w, "// %s reports whether x matches the model pattern %s.\n", p.Func, p.Java)
		fmt.Fprintf(w, "func %s(x string) bool { return %sRE.MatchString(x) }\n\n", p.Func, p.Func)
		return
	}
	g.imports["unicode/utf8"] = true
	fmt.Fprintf(w, "// %sASCII marks ('1') the ASCII bytes in the class of %s.\n", p.Func, p.Java)
	fmt.Fprintf(w, "const %sASCII = %q\n\n", p.Func, p.asciiTable())
	fmt.Fprintf(w, "// %s reports whether x matches the model pattern %s,\n// compiled to a character-set loop instead of a regexp.\n", p.Func, p.Java)
	fmt.Fprintf(w, "func %s(x string) bool {\n", p.Func)
	if p.Plus {
		fmt.Fprintf(w, "if len(x) == 0 {\nreturn false\n}\n")
	}
	switch p.NonASCII {
	case "none":
		fmt.Fprintf(w, "for i := 0; i < len(x); i++ {\nif c := x[i]; c >= utf8.RuneSelf || %sASCII[c] != '1' {\nreturn false\n}\n}\nreturn true\n}\n\n", p.Func)
	case "all":
		fmt.Fprintf(w, "for i := 0; i < len(x); i++ {\nif c := x[i]; c < utf8.RuneSelf && %sASCII[c] != '1' {\nreturn false\n}\n}\nreturn true\n}\n\n", p.Func)
	case "tables":
		g.imports["unicode"] = true
		var conds []string
		for _, t := range p.Tables {
			conds = append(conds, fmt.Sprintf("unicode.Is(unicode.%s, r)", t))
		}
		fmt.Fprintf(w, "for i := 0; i < len(x); {\nc := x[i]\nif c < utf8.RuneSelf {\nif %sASCII[c] != '1' {\nreturn false\n}\ni++\ncontinue\n}\n", p.Func)
		fmt.Fprintf(w, "r, size := utf8.DecodeRuneInString(x[i:])\nif !(%s) {\nreturn false\n}\ni += size\n}\nreturn true\n}\n\n", strings.Join(conds, " || "))
	}
}

// goString quotes s as a raw string when possible, for readable regexps.
func goString(s string) string {
	if !strings.Contains(s, "`") {
		return "`" + s + "`"
	}
	return fmt.Sprintf("%q", s)
}
