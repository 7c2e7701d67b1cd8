package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// generic turns an SDK value into plain JSON data (maps, slices, strings,
// json.Number, bools), dropping the SDK's ResultMetadata.
func generic(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var g any
	if err := d.Decode(&g); err != nil {
		return nil, err
	}
	if m, ok := g.(map[string]any); ok {
		delete(m, "ResultMetadata")
	}
	return prune(g), nil
}

// prune drops null members, as the wire omits absent members.
func prune(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if x == nil {
				delete(t, k)
				continue
			}
			t[k] = prune(x)
		}
	case []any:
		for i := range t {
			t[i] = prune(t[i])
		}
	}
	return v
}

// emit prints the selected part of a response (an SDK output or plain data).
func (inv *invocation) emit(resp any) error {
	g, err := generic(resp)
	if err != nil {
		return err
	}
	v, err := inv.selectValue(g)
	if err != nil {
		return err
	}
	return render(inv.env.Stdout, inv.output, v)
}

// selectValue applies --select to the response.
func (inv *invocation) selectValue(g any) (any, error) {
	s := inv.sel
	switch {
	case s == "*" || s == "":
		return g, nil
	case strings.HasPrefix(s, "^"):
		name, _ := inv.paramName(s[1:])
		return inv.paramValues[name], nil
	}
	if v, ok := lookup(g, s); ok {
		return v, nil
	}
	if inv.selBase != "" {
		if base, ok := lookup(g, inv.selBase); ok {
			if v, ok := lookup(base, s); ok {
				return v, nil
			}
		}
	}
	return nil, nil
}

// lookup follows a dotted path of members (case-insensitive) and list
// indexes.
func lookup(v any, path string) (any, bool) {
	for part := range strings.SplitSeq(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			found := false
			for k, x := range t {
				if strings.EqualFold(k, part) {
					v, found = x, true
					break
				}
			}
			if !found {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// render writes v in the chosen format. Nothing is printed for an absent
// or empty result, and a single scalar is printed bare in every format so
// that `--select AccessToken` pipes into another command.
func render(w io.Writer, format string, v any) error {
	switch t := v.(type) {
	case nil:
		return nil
	case map[string]any:
		if len(t) == 0 {
			return nil
		}
	case string, json.Number, bool:
		_, err := fmt.Fprintln(w, t)
		return err
	}
	switch format {
	case "text":
		return renderText(w, v)
	case "table":
		return renderTable(w, v)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// flatten lists the scalar leaves of v as dotted paths.
func flatten(prefix string, v any, out *[][2]string) {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch t := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			flatten(join(k), t[k], out)
		}
	case []any:
		for i, x := range t {
			flatten(join(strconv.Itoa(i)), x, out)
		}
	default:
		*out = append(*out, [2]string{prefix, scalar(v)})
	}
}

func scalar(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	default:
		return fmt.Sprint(t)
	}
}

// renderText prints one "path<TAB>value" line per leaf, for scripts.
// A list of name/value attributes prints as "Name<TAB>Value" lines.
func renderText(w io.Writer, v any) error {
	var rows [][2]string
	if attrs, ok := nameValues(v); ok {
		rows = attrs
	} else {
		flatten("", v, &rows)
	}
	for _, r := range rows {
		if _, err := fmt.Fprintf(w, "%s\t%s\n", r[0], r[1]); err != nil {
			return err
		}
	}
	return nil
}

// nameValues recognises a list of {Name, Value} objects.
func nameValues(v any) ([][2]string, bool) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, false
	}
	var rows [][2]string
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok || len(m) > 2 {
			return nil, false
		}
		name, ok := m["Name"].(string)
		if !ok {
			return nil, false
		}
		rows = append(rows, [2]string{name, scalar(m["Value"])})
	}
	return rows, true
}

// renderTable draws a bordered table: one row per element for a list of
// objects, otherwise one row per leaf.
func renderTable(w io.Writer, v any) error {
	var header []string
	var rows [][]string
	if list, ok := v.([]any); ok && allObjects(list) {
		cols := map[string]bool{}
		flat := make([]map[string]string, len(list))
		for i, x := range list {
			var leaves [][2]string
			flatten("", x, &leaves)
			flat[i] = map[string]string{}
			for _, l := range leaves {
				cols[l[0]] = true
				flat[i][l[0]] = l[1]
			}
		}
		header = sortedKeys(cols)
		for _, f := range flat {
			row := make([]string, len(header))
			for j, c := range header {
				row[j] = f[c]
			}
			rows = append(rows, row)
		}
	} else {
		header = []string{"Name", "Value"}
		var leaves [][2]string
		if attrs, ok := nameValues(v); ok {
			leaves = attrs
		} else {
			flatten("", v, &leaves)
		}
		for _, l := range leaves {
			rows = append(rows, []string{l[0], l[1]})
		}
	}
	return drawTable(w, header, rows)
}

func allObjects(list []any) bool {
	for _, x := range list {
		if _, ok := x.(map[string]any); !ok {
			return false
		}
	}
	return len(list) > 0
}

// maxCell keeps a long value (a token) from making the table unreadable.
const maxCell = 60

func drawTable(w io.Writer, header []string, rows [][]string) error {
	cell := func(s string) string {
		s = strings.ReplaceAll(s, "\n", " ")
		if r := []rune(s); len(r) > maxCell {
			return string(r[:maxCell-1]) + "…"
		}
		return s
	}
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = len([]rune(h))
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(cell(c))))
		}
	}
	var b strings.Builder
	line := func() {
		b.WriteString("+")
		for _, n := range widths {
			b.WriteString(strings.Repeat("-", n+2) + "+")
		}
		b.WriteString("\n")
	}
	row := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			c = cell(c)
			b.WriteString(" " + c + strings.Repeat(" ", widths[i]-len([]rune(c))) + " |")
		}
		b.WriteString("\n")
	}
	line()
	row(header)
	line()
	for _, r := range rows {
		row(r)
	}
	line()
	_, err := io.WriteString(w, b.String())
	return err
}
