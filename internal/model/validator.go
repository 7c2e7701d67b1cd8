package model

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cognate-idp/cognate/internal/cognito"
)

// Validate calls the generated Validate method of v (a pointer to a model
// structure, as Operation.NewInput returns). A nil v is valid; any other
// value without a Validate method is a programming error.
func Validate(v any) error {
	if x, ok := v.(interface{ Validate() error }); ok {
		return x.Validate()
	}
	if v == nil {
		return nil
	}
	return fmt.Errorf("model: %T is not a model structure", v)
}

// maxLength stands for "no maximum" in generated length checks.
const maxLength = math.MaxInt

// pathKind says how a path node is printed.
type pathKind uint8

const (
	member   pathKind = iota // name
	listElem                 // name.<index>.member
	mapValue                 // name.<key>.member
	mapKey                   // name.<key>.key
)

// path is the location of a value, as a chain of nodes living on the stack
// of the generated validate methods. It is only rendered when a check fails,
// so the success path builds no strings.
type path struct {
	parent *path
	name   string
	key    string
	index  int
	kind   pathKind
}

func (p *path) write(b *strings.Builder) {
	if p.parent != nil {
		p.parent.write(b)
		if p.name != "" || p.kind != member {
			b.WriteByte('.')
		}
	}
	b.WriteString(p.name)
	sep := "."
	if p.name == "" {
		sep = ""
	}
	switch p.kind {
	case listElem:
		b.WriteString(sep + strconv.Itoa(p.index) + ".member")
	case mapValue:
		b.WriteString(sep + p.key + ".member")
	case mapKey:
		b.WriteString(sep + p.key + ".key")
	}
}

// validator collects failure messages in the order they are found.
type validator struct {
	msgs []string
}

// fail records that the value at p/name failed constraint. name is the
// lowerCamel member name, or "" for the node p itself. Sensitive values are
// never printed.
func (v *validator) fail(p *path, name, value string, sens bool, constraint string) {
	var b strings.Builder
	b.WriteString("Value ")
	if !sens {
		b.WriteString("'" + value + "' ")
	}
	v.add(&b, p, name, constraint)
}

// null records that the required member p/name is absent.
func (v *validator) null(p *path, name string, sens bool) {
	var b strings.Builder
	b.WriteString("Value ")
	if !sens {
		b.WriteString("null ")
	}
	v.add(&b, p, name, "Member must not be null")
}

func (v *validator) add(b *strings.Builder, p *path, name, constraint string) {
	b.WriteString("at '")
	if p != nil {
		p.write(b)
		if name != "" {
			b.WriteByte('.')
		}
	}
	b.WriteString(name)
	b.WriteString("' failed to satisfy constraint: ")
	b.WriteString(constraint)
	v.msgs = append(v.msgs, b.String())
}

// err returns nil or the InvalidParameterException listing every failure.
func (v *validator) err() error {
	switch len(v.msgs) {
	case 0:
		return nil
	case 1:
		return &cognito.Error{Code: cognito.InvalidParameter,
			Message: "1 validation error detected: " + v.msgs[0]}
	}
	return &cognito.Error{Code: cognito.InvalidParameter,
		Message: strconv.Itoa(len(v.msgs)) + " validation errors detected: " + strings.Join(v.msgs, "; ")}
}

// lengthIn reports whether x has between lo and hi code points. The byte
// length bounds the count (runes <= bytes <= 4*runes), so most values are
// decided without counting.
func lengthIn(x string, lo, hi int) bool {
	n := len(x)
	if n < lo {
		return false
	}
	if n <= hi && n/utf8.UTFMax >= lo {
		return true
	}
	c := utf8.RuneCountInString(x)
	return c >= lo && c <= hi
}

// sortedKeys returns the keys of m in byte order: the order of stable
// failure messages and the order encoding/json writes map members in.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// display renders a list, map or blob the way Java's toString does
// ([a, b], {k=v}); it runs only on the failure path.
func display(x any) string {
	var b strings.Builder
	writeValue(&b, reflect.ValueOf(x))
	return b.String()
}

func writeValue(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Invalid:
		b.WriteString("null")
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("null")
			return
		}
		writeValue(b, v.Elem())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			fmt.Fprintf(b, "java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", v.Len(), v.Len())
			return
		}
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, v.Index(i))
		}
		b.WriteByte(']')
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, c reflect.Value) int { return strings.Compare(a.String(), c.String()) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k.String() + "=")
			writeValue(b, v.MapIndex(k))
		}
		b.WriteByte('}')
	case reflect.Struct:
		if t, ok := v.Interface().(Time); ok {
			j, _ := t.MarshalJSON()
			b.Write(j)
			return
		}
		b.WriteByte('{')
		first := true
		for i := range v.NumField() {
			f := v.Field(i)
			if !v.Type().Field(i).IsExported() || f.IsZero() {
				continue
			}
			if !first {
				b.WriteString(",")
			}
			first = false
			b.WriteString(v.Type().Field(i).Name + ": ")
			writeValue(b, f)
		}
		b.WriteByte('}')
	default:
		fmt.Fprint(b, v.Interface())
	}
}
